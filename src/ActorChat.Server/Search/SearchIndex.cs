namespace ActorChat.Server.Search;

/// <summary>What a search may look at: the rooms the reader may read (by key), its own direct messages, and the filters it gave.</summary>
/// <param name="Reader">The reader's name key; direct-message entries are found only by their readers.</param>
/// <param name="Rooms">Room keys the reader may read now (public rooms, private rooms it belongs to).</param>
/// <param name="Conversation">Only this conversation (a room key or a "dm:" key), or null.</param>
/// <param name="FromKey">Only messages by this sender (name key), or null.</param>
public sealed record SearchScope(string Reader, IReadOnlyCollection<string> Rooms, string? Conversation = null, string? FromKey = null);

/// <summary>One message found. <see cref="Position"/> orders results (newest first) and is the paging cursor.</summary>
public sealed record SearchHit(long Position, string Conversation, long Seq, string MessageId, string Sender, string Text, string Timestamp,
    IReadOnlyList<string>? Readers);

/// <summary>
/// The full-text index of messages, apart from the journal. Written by one <see cref="SearchIndexer"/> in batches;
/// read by any number of searches at once. Implementations are thread-safe.
/// </summary>
public interface ISearchIndex : IDisposable
{
    /// <summary>
    /// Applies a batch of feed changes (<see cref="SearchChange"/>: messages stored, edited, deleted, rooms dropped,
    /// progress) in one transaction, with the progress of every stream they name (<see cref="SearchChange.Stream"/>).
    /// Changes of a room generation older than its last drop are ignored. Anything else is skipped.
    /// </summary>
    void Apply(IReadOnlyList<object> changes);

    /// <summary>Per journal stream (persistence id), the sequence number of the last event the index has applied.</summary>
    IReadOnlyDictionary<string, long> Progress();

    /// <summary>
    /// Whether the index holds messages but kept no progress when it was opened (it was made by a version that kept
    /// none): it cannot tell what it misses, and is rebuilt at start.
    /// </summary>
    bool LacksProgress { get; }

    /// <summary>Up to <paramref name="limit"/> matches with a position below <paramref name="before"/>, newest first.</summary>
    IReadOnlyList<SearchHit> Find(SearchQuery query, SearchScope scope, long? before, int limit);

    /// <summary>Forgets everything, progress and drops included (before a rebuild from the journal).</summary>
    void Clear();

    /// <summary>How many messages the index holds.</summary>
    long Count();
}

/// <summary>
/// Result positions: seconds since 2020 in the high bits and a per-index counter in the low 30, so ordering by
/// position is newest first by the message's time (entries rebuilt from the journal included) and every position
/// is unique. A long fits the wire's "before"/"next" as a plain number.
/// </summary>
public sealed class PositionCounter(long lastPosition)
{
    private const int CounterBits = 30;
    private const long CounterMask = (1L << CounterBits) - 1;
    private static readonly DateTimeOffset Epoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _counter = (lastPosition & CounterMask) + 1;

    public long Next(DateTimeOffset at)
    {
        var seconds = Math.Max(0, (long)(at - Epoch).TotalSeconds);
        var position = (seconds << CounterBits) | (_counter & CounterMask);
        _counter++;
        return position;
    }
}

/// <summary>What both indexes do alike with a batch before writing it: leave out stale changes, and add up the progress.</summary>
internal static class SearchBatch
{
    /// <summary>
    /// The changes to write, in order, and the highest sequence number per stream among them. A change of a room
    /// generation older than the room's last drop (in <paramref name="nextGenerations"/>, which drops in the batch
    /// update) is left out, progress and all.
    /// </summary>
    public static (List<SearchChange> Changes, Dictionary<string, long> Progress) Plan(IReadOnlyList<object> items, Dictionary<string, int> nextGenerations)
    {
        var changes = new List<SearchChange>(items.Count);
        var progress = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item is not SearchChange change) continue;
            if (change is ConversationDropped dropped)
            {
                nextGenerations[dropped.Conversation] = Math.Max(dropped.NextGeneration, nextGenerations.GetValueOrDefault(dropped.Conversation));
                foreach (var forgotten in dropped.Forget) progress.Remove(forgotten); // the drop forgets them after what came before it
            }
            else if (ConversationOf(change) is { } conversation && nextGenerations.TryGetValue(conversation, out var next) && change.Generation < next)
                continue;
            changes.Add(change);
            if (change.Stream is { } stream && change.Nr > progress.GetValueOrDefault(stream)) progress[stream] = change.Nr;
        }
        return (changes, progress);
    }

    private static string? ConversationOf(SearchChange change) => change switch
    {
        MessageIndexed indexed => indexed.Conversation,
        MessageTextChanged changed => changed.Conversation,
        MessageRemoved removed => removed.Conversation,
        _ => null,
    };
}
