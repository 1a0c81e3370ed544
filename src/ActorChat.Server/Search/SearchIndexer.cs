using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Search;

/// <summary>
/// Feeds the index from the event stream: rooms and direct-message conversations publish what they stored
/// (<see cref="MessageIndexed"/>, <see cref="MessageTextChanged"/>, <see cref="MessageRemoved"/>) and this actor writes
/// it in batches, one batch in flight at a time, off its own thread. A change that finds the indexer idle waits up to
/// the gather delay for others to join its batch: at light load that is one index transaction (and one thread-pool
/// hop) every delay instead of one per message, which the light benchmark showed costing the chat's own latency.
/// The queue is bounded: when the index falls that far
/// behind, further events are dropped and counted, with a warning, so posting never waits for the index and memory
/// never grows without bound (a room's drop is never dropped). The index keeps its progress per journal stream; a
/// stream that lost an event here (dropped, or in a batch that failed) records no further progress until the server
/// starts again, so the replay at the next start (<see cref="SearchReplay"/>) reads it again from before the loss.
/// </summary>
public sealed class SearchIndexer : ReceiveActor, IWithTimers
{
    /// <summary>Answered with <see cref="Idle"/> once everything received before it is written (tests, the rebuild).</summary>
    public sealed class WaitUntilIdle
    {
        public static readonly WaitUntilIdle Instance = new();
        private WaitUntilIdle() { }
    }

    public sealed record Idle(long Written, long Dropped);

    private sealed record Written(int Count);

    private sealed record WriteFailed(IReadOnlyList<object> Batch, Exception Cause);

    private sealed class GatherTimeUp
    {
        public static readonly GatherTimeUp Instance = new();
        private GatherTimeUp() { }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ISearchIndex _index;
    private readonly int _queueLimit;
    private readonly int _batchSize;
    private readonly TimeSpan _gatherDelay;
    private readonly Queue<SearchChange> _queue = new();
    private readonly List<IActorRef> _waiting = [];
    private readonly HashSet<string> _lossy = new(StringComparer.Ordinal); // streams that lost a change since the start
    private bool _writing;
    private long _written;
    private long _dropped;

    public SearchIndexer(ISearchIndex index, int queueLimit, int batchSize, TimeSpan gatherDelay)
    {
        _index = index;
        _queueLimit = queueLimit;
        _batchSize = batchSize;
        _gatherDelay = gatherDelay;
        Receive<SearchChange>(Enqueue);
        Receive<Written>(written =>
        {
            _writing = false;
            _written += written.Count;
            WriteWhenDue();
        });
        Receive<WriteFailed>(failed =>
        {
            _writing = false;
            _dropped += failed.Batch.Count;
            foreach (var change in failed.Batch)
                if (change is SearchChange { Stream: { } stream }) _lossy.Add(stream);
            _log.Warning("Search index: a batch of {0} changes was not written ({1}); {2} lost so far, indexed at the next start",
                failed.Batch.Count, failed.Cause.Message, _dropped);
            WriteWhenDue();
        });
        Receive<GatherTimeUp>(_ => WriteNext());
        Receive<WaitUntilIdle>(_ =>
        {
            _waiting.Add(Sender);
            WriteNext();
        });
    }

    /// <summary>The indexer; what is not given is the server's default (<see cref="Configuration.SearchSettings.Default"/>).</summary>
    public static Props Props(ISearchIndex index, int? queueLimit = null, int? batchSize = null, TimeSpan? gatherDelay = null) =>
        Akka.Actor.Props.Create(() => new SearchIndexer(index,
            queueLimit ?? Configuration.SearchSettings.Default.QueueLimit,
            batchSize ?? Configuration.SearchSettings.Default.BatchSize,
            gatherDelay ?? Configuration.SearchSettings.Default.GatherDelay));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(SearchChange));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Enqueue(SearchChange change)
    {
        if (_queue.Count >= _queueLimit && change is not ConversationDropped)
        {
            _dropped++;
            if (change.Stream is { } lost) _lossy.Add(lost);
            if (_dropped == 1 || _dropped % 1000 == 0)
                _log.Warning("Search index is {0} changes behind; {1} dropped so far (search misses them until the next start)", _queue.Count, _dropped);
            return;
        }
        _queue.Enqueue(change);
        WriteWhenDue();
    }

    /// <summary>A full batch goes at once; a smaller one waits for the gather delay to run out.</summary>
    private void WriteWhenDue()
    {
        if (_writing || _queue.Count == 0 && _waiting.Count == 0) return;
        if (_queue.Count >= _batchSize || _waiting.Count > 0 || _gatherDelay <= TimeSpan.Zero) WriteNext();
        else if (!Timers.IsTimerActive(nameof(GatherTimeUp))) Timers.StartSingleTimer(nameof(GatherTimeUp), GatherTimeUp.Instance, _gatherDelay);
    }

    private void WriteNext()
    {
        if (_writing) return;
        Timers.Cancel(nameof(GatherTimeUp));
        if (_queue.Count == 0)
        {
            foreach (var waiting in _waiting) waiting.Tell(new Idle(_written, _dropped));
            _waiting.Clear();
            return;
        }
        var batch = new List<object>(Math.Min(_queue.Count, _batchSize));
        // After a loss, a stream's progress stays where it was before it: the next start reads it again from there.
        while (batch.Count < _batchSize && _queue.TryDequeue(out var change))
            batch.Add(change.Stream is { } stream && _lossy.Contains(stream) ? change with { Stream = null } : change);
        _writing = true;
        var index = _index;
        Task.Run(() => index.Apply(batch)).PipeTo(Self,
            success: () => new Written(batch.Count),
            failure: cause => new WriteFailed(batch, cause));
    }
}
