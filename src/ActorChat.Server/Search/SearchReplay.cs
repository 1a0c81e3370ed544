using System.Diagnostics;
using System.Globalization;
using ActorChat.Server.Direct;
using ActorChat.Server.Rooms;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Search;

/// <summary>
/// Brings the index up to the journal before the server serves, in one of two ways:
/// <list type="bullet">
/// <item><see cref="Mode.CatchUp"/>, at every start: each journal stream the index is fed from is replayed past the
/// last event the index applied from it (its progress), so that what was stored but not indexed when the process
/// stopped (the feed is a queue in memory; a kill loses it) is indexed now.</item>
/// <item><see cref="Mode.Rebuild"/> (<c>--reindex</c>, or an index that kept no progress): the index is cleared and
/// every stream is replayed from its start.</item>
/// </list>
/// The room catalog names the rooms and the generation each name is at; a room's streams are its messages
/// (<c>room-</c>), its rules (<c>rules-</c>: deletions) and its notes (<c>notes-</c>: edits). Direct-message
/// conversations (<c>dm-a~b</c>) are in no catalog: the journal's own list of persistence ids
/// (<see cref="Persistence.JournalStreams"/>) names them, and says which streams have events past the index's
/// progress, so an index that is up to date costs one query and the catalog's replay. A room whose earlier
/// generation the index still has progress for was dropped without the index hearing of it: its messages are
/// removed and its current generation is read again from the start. Events are read with the journal plugin's
/// replay of a persistence id, which every store serves, and written in batches.
/// </summary>
public sealed class SearchReplay : ReceiveActor
{
    public enum Mode { CatchUp, Rebuild }

    /// <summary>
    /// Start; answered with <see cref="Finished"/> or <see cref="Failed"/>. <paramref name="Highest"/>: the journal's
    /// highest sequence number per persistence id, or null when it cannot be listed (in memory): every room stream
    /// is then replayed past the progress, and only the conversations the index knows of.
    /// </summary>
    public sealed record Run(Mode Mode, IReadOnlyDictionary<string, long>? Highest);

    /// <summary>Done: <paramref name="Streams"/> replayed, <paramref name="Changes"/> changes written.</summary>
    public sealed record Finished(int Streams, long Changes, TimeSpan Took);

    public sealed record Failed(string Reason);

    private enum StreamKind { Messages, Rules, Notes, Direct }

    private sealed record ToRead(string PersistenceId, StreamKind Kind, string Conversation, int Generation, long From, IReadOnlyList<string>? Readers);

    private const int BatchSize = 1000;
    private const string RoomCatalogPersistenceId = "rooms-catalog";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ISearchIndex _index;
    private readonly Stopwatch _took = Stopwatch.StartNew();
    private readonly Dictionary<string, string> _rooms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _generations = new(StringComparer.Ordinal);
    private readonly Queue<ToRead> _toRead = new();
    private readonly List<object> _batch = [];
    private IActorRef _asker = ActorRefs.Nobody;
    private Run _run = null!;
    private Dictionary<string, long> _progress = new(StringComparer.Ordinal);
    private long _changes;
    private long _lastNr;
    private int _streams;

    public SearchReplay(ISearchIndex index)
    {
        _index = index;
        Receive<Run>(run =>
        {
            _asker = Sender;
            _run = run;
            if (run.Mode == Mode.Rebuild) _index.Clear();
            _progress = new Dictionary<string, long>(_index.Progress(), StringComparer.Ordinal);
            Replay(RoomCatalogPersistenceId, 1);
            Become(ReadingCatalog);
        });
    }

    public static Props Props(ISearchIndex index) => Akka.Actor.Props.Create(() => new SearchReplay(index));

    /// <summary>The conversation key of a direct-message stream (<c>dm-a~b</c>) and its two readers.</summary>
    public static (string Conversation, string[] Readers)? DirectConversationOf(string persistenceId)
    {
        const string prefix = "dm-";
        if (!persistenceId.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var readers = persistenceId[prefix.Length..].Split('~');
        return readers.Length == 2 ? (SearchConversations.DirectPrefix + persistenceId[prefix.Length..], readers) : null;
    }

    private void ReadingCatalog()
    {
        Receive<ReplayedMessage>(replayed =>
        {
            switch (replayed.Persistent.Payload)
            {
                case RoomCreated created: _rooms[created.Key] = created.Name; break;
                case RoomDropped dropped:
                    _rooms.Remove(dropped.Key);
                    _generations[dropped.Key] = dropped.Generation;
                    break;
            }
        });
        Receive<RecoverySuccess>(_ =>
        {
            ForgetDropsTheIndexMissed();
            foreach (var key in _rooms.Keys)
            {
                var generation = _generations.GetValueOrDefault(key);
                Plan(RoomActor.PersistenceIdOf(key, generation), StreamKind.Messages, key, generation, null);
                Plan(RoomRules.PersistenceIdOf(key, generation), StreamKind.Rules, key, generation, null);
                Plan(RoomNotes.PersistenceIdOf(key), StreamKind.Notes, key, generation, null);
            }
            var streams = _run.Highest?.Keys ?? (IEnumerable<string>)_progress.Keys;
            foreach (var stream in streams.Order(StringComparer.Ordinal))
                if (DirectConversationOf(stream) is var (conversation, readers))
                    Plan(stream, StreamKind.Direct, conversation, 0, readers);
            Become(ReadingStreams);
            ReadNext();
        });
        ReceiveFailure();
    }

    /// <summary>
    /// A name dropped since the index last heard of its room (it has progress for an earlier generation's streams):
    /// the room's messages leave the index and every stream of the name is forgotten, so its current generation is
    /// read from the start.
    /// </summary>
    private void ForgetDropsTheIndexMissed()
    {
        foreach (var (key, generation) in _generations)
        {
            var earlier = Enumerable.Range(0, generation)
                .SelectMany(g => new[] { RoomActor.PersistenceIdOf(key, g), RoomRules.PersistenceIdOf(key, g) })
                .ToArray();
            if (!earlier.Any(_progress.ContainsKey)) continue;
            string[] forget = [.. earlier, RoomActor.PersistenceIdOf(key, generation), RoomRules.PersistenceIdOf(key, generation), RoomNotes.PersistenceIdOf(key)];
            _batch.Add(new ConversationDropped(key, generation) { Forget = forget });
            foreach (var stream in forget) _progress.Remove(stream);
            _log.Info("Search index: room {0} was dropped while the index was behind; its messages leave the index", key);
        }
        WriteBatch();
    }

    /// <summary>Reads the stream past the index's progress, unless the journal says it has nothing further.</summary>
    private void Plan(string persistenceId, StreamKind kind, string conversation, int generation, IReadOnlyList<string>? readers)
    {
        var applied = _progress.GetValueOrDefault(persistenceId);
        if (_run.Highest is { } highest && highest.GetValueOrDefault(persistenceId) <= applied) return;
        _toRead.Enqueue(new ToRead(persistenceId, kind, conversation, generation, applied + 1, readers));
    }

    private void ReadingStreams()
    {
        Receive<ReplayedMessage>(replayed =>
        {
            var stream = _toRead.Peek();
            var nr = replayed.Persistent.SequenceNr;
            _lastNr = Math.Max(_lastNr, nr);
            if (ChangeOf(stream, replayed.Persistent.Payload) is not { } change) return;
            _batch.Add(change with { Stream = stream.PersistenceId, Nr = nr, Generation = stream.Generation });
            _changes++;
            if (_batch.Count >= BatchSize) WriteBatch();
        });
        Receive<RecoverySuccess>(success =>
        {
            var stream = _toRead.Dequeue();
            // Events that change nothing in the index (reactions, roles, topics) count as seen too.
            var seen = Math.Max(_lastNr, success.HighestSequenceNr);
            if (seen >= stream.From) _batch.Add(new StreamProgress { Stream = stream.PersistenceId, Nr = seen });
            _streams++;
            ReadNext();
        });
        ReceiveFailure();
    }

    private static SearchChange? ChangeOf(ToRead stream, object payload) => (stream.Kind, payload) switch
    {
        (StreamKind.Messages, MessagePosted posted) =>
            new MessageIndexed(stream.Conversation, posted.Seq, posted.Id, posted.Sender, posted.Text, TimeOf(posted.Timestamp), null),
        (StreamKind.Rules, MessageDeleted deleted) => new MessageRemoved(stream.Conversation, deleted.Seq, deleted.Id),
        (StreamKind.Notes, MessageEdited edited) => new MessageTextChanged(stream.Conversation, edited.Seq, edited.Text, edited.Id),
        (StreamKind.Direct, DirectMessageKept kept) =>
            new MessageIndexed(stream.Conversation, kept.Seq, kept.Id, kept.From, kept.Text, TimeOf(kept.Timestamp), stream.Readers),
        _ => null,
    };

    private static DateTimeOffset TimeOf(string timestamp) =>
        DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private void ReceiveFailure() => Receive<ReplayMessagesFailure>(failure =>
    {
        WriteBatch(); // what was read is kept, with its progress: the next start goes on from there
        _log.Error("Search index: reading the journal failed: {0}", failure.Cause.Message);
        _asker.Tell(new Failed(failure.Cause.Message));
        Context.Stop(Self);
    });

    private void ReadNext()
    {
        if (_toRead.TryPeek(out var next))
        {
            _lastNr = 0;
            Replay(next.PersistenceId, next.From);
            return;
        }
        WriteBatch();
        var finished = new Finished(_streams, _changes, _took.Elapsed);
        if (_run.Mode == Mode.Rebuild)
            _log.Info("Search index rebuilt from the journal: {0} changes from {1} streams in {2:0} ms", _changes, _streams, finished.Took.TotalMilliseconds);
        else if (_streams > 0)
            _log.Info("Search index caught up with the journal: {0} changes from {1} streams in {2:0} ms", _changes, _streams, finished.Took.TotalMilliseconds);
        _asker.Tell(finished);
        Context.Stop(Self);
    }

    private void WriteBatch()
    {
        if (_batch.Count == 0) return;
        _index.Apply([.. _batch]);
        _batch.Clear();
    }

    private void Replay(string persistenceId, long from)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(null);
        journal.Tell(new ReplayMessages(from, long.MaxValue, long.MaxValue, persistenceId, Self));
    }
}
