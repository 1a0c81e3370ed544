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
    /// <summary>Applies a batch of feed events (<see cref="MessageIndexed"/>, <see cref="MessageTextChanged"/>, <see cref="MessageRemoved"/>) in one transaction.</summary>
    void Apply(IReadOnlyList<object> changes);

    /// <summary>Up to <paramref name="limit"/> matches with a position below <paramref name="before"/>, newest first.</summary>
    IReadOnlyList<SearchHit> Find(SearchQuery query, SearchScope scope, long? before, int limit);

    /// <summary>Forgets everything (before a rebuild from the journal).</summary>
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
