namespace ActorChat.Client.Cli;

/// <summary>What a frame sent and not yet answered asked for: enough to tell the user which line an error is about.</summary>
public sealed record PendingRequest(RequestKind Kind, string? Room = null, string? Text = null);

public enum RequestKind
{
    Hello,
    Join,
    Leave,
    Say,
    DirectMessage,
    History,
    /// <summary>register or password: <see cref="PendingRequest.Text"/> holds the new password, to sign in with on reconnecting.</summary>
    Account,
    Other,
    /// <summary>kill, ban or unban: <see cref="PendingRequest.Text"/> is the line to show when it is done.</summary>
    Operator,
    Ping,
    Quit,
    /// <summary>typing and read, sent for the user rather than typed as a line: answers and errors are not shown.</summary>
    Unseen,
}

/// <summary>
/// The refs of the frames sent and not yet answered. Every frame gets the next number as its ref; the server
/// carries it back on the answer, on any error the frame caused and on the sender's own copy of a message, so an
/// answer is matched to its request by ref alone. Numbers are never reused, so a late answer from a lost
/// connection cannot be taken for one on the next.
/// </summary>
public sealed class PendingRequests
{
    private readonly Dictionary<string, PendingRequest> _byRef = new(StringComparer.Ordinal);
    private long _last;

    public int Count => _byRef.Count;

    /// <summary>A new ref for a frame about to be sent, remembered until its answer comes.</summary>
    public string Add(PendingRequest request)
    {
        var reference = (++_last).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _byRef[reference] = request;
        return reference;
    }

    /// <summary>The request a ref belongs to, forgotten now that it is answered; false for no ref or an unknown one.</summary>
    public bool TryTake(string? reference, out PendingRequest request)
    {
        if (reference is not null && _byRef.Remove(reference, out var found))
        {
            request = found;
            return true;
        }
        request = null!;
        return false;
    }

    /// <summary>Forgets a request that could not be sent after all.</summary>
    public void Forget(string reference) => _byRef.Remove(reference);

    /// <summary>Forgets every request (the connection they were sent on is gone) and says what they were.</summary>
    public IReadOnlyList<PendingRequest> Abandon()
    {
        var abandoned = _byRef.OrderBy(p => long.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(p => p.Value).ToList();
        _byRef.Clear();
        return abandoned;
    }
}
