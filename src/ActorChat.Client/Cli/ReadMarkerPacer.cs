namespace ActorChat.Client.Cli;

/// <summary>
/// When to tell the server how far the user has read: the newest seq shown per room is sent at most once per
/// interval (a burst of messages costs one <c>read</c>, with the last seq of the burst), and never one that does not
/// go forward. A plain class the chat client asks and then schedules the send by.
/// </summary>
public sealed class ReadMarkerPacer(TimeSpan interval)
{
    private readonly Dictionary<string, long> _waiting = new(StringComparer.OrdinalIgnoreCase); // room → newest seq shown, not sent
    private readonly Dictionary<string, long> _sent = new(StringComparer.OrdinalIgnoreCase);
    private DateTime _lastSent = DateTime.MinValue;
    private bool _scheduled;

    /// <summary>
    /// A message with <paramref name="seq"/> was shown in <paramref name="room"/>: how long to wait before
    /// <see cref="TakeDue"/> (zero: now), or null when a send is scheduled already or nothing is new.
    /// </summary>
    public TimeSpan? Shown(string room, long seq, DateTime now)
    {
        if (seq <= _sent.GetValueOrDefault(room) || seq <= _waiting.GetValueOrDefault(room)) return null;
        _waiting[room] = seq;
        if (_scheduled) return null;
        _scheduled = true;
        var left = interval - (now - _lastSent);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>The markers to send now (also when quitting, so the last ones are not lost), each room once.</summary>
    public IReadOnlyList<(string Room, long Seq)> TakeDue(DateTime now)
    {
        _scheduled = false;
        if (_waiting.Count == 0) return [];
        _lastSent = now;
        var due = _waiting.Select(w => (w.Key, w.Value)).ToList();
        foreach (var (room, seq) in due) _sent[room] = seq;
        _waiting.Clear();
        return due;
    }

    /// <summary>The user left the room: a later join starts from what the server says.</summary>
    public void Forget(string room)
    {
        _waiting.Remove(room);
        _sent.Remove(room);
    }
}
