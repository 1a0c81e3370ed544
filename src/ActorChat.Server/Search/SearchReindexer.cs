using System.Globalization;
using ActorChat.Server.Rooms;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Search;

/// <summary>
/// Rebuilds the index from the journal (<c>--reindex</c>): the room catalog names the rooms (and the generation a
/// dropped name is at), each room's journal gives its messages, its rules their deletions and its notes their edits.
/// It reads with the journal plugin's replay of a persistence id, which every store serves, and writes the index in
/// batches. Direct-message conversations are not rebuilt here: they are not in the room catalog.
/// </summary>
public sealed class SearchReindexer : ReceiveActor
{
    public sealed class Run
    {
        public static readonly Run Instance = new();
        private Run() { }
    }

    public sealed record Finished(int Rooms, long Messages);

    public sealed record Failed(string Reason);

    private const int BatchSize = 1000;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ISearchIndex _index;
    private readonly Dictionary<string, string> _rooms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _generations = new(StringComparer.Ordinal);
    private readonly Queue<(string PersistenceId, string Room)> _toRead = new();
    private readonly List<object> _batch = [];
    private readonly List<object> _changes = []; // edits and deletions, applied after every message is in
    private IActorRef _asker = ActorRefs.Nobody;
    private long _messages;

    public SearchReindexer(ISearchIndex index)
    {
        _index = index;
        Receive<Run>(_ =>
        {
            _asker = Sender;
            _index.Clear();
            Replay(RoomCatalogPersistenceId);
            Become(ReadingCatalog);
        });
    }

    private const string RoomCatalogPersistenceId = "rooms-catalog";

    public static Props Props(ISearchIndex index) => Akka.Actor.Props.Create(() => new SearchReindexer(index));

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
            foreach (var key in _rooms.Keys)
            {
                var generation = _generations.GetValueOrDefault(key);
                _toRead.Enqueue((RoomActor.PersistenceIdOf(key, generation), key));
                _toRead.Enqueue((RoomRules.PersistenceIdOf(key, generation), key));
                _toRead.Enqueue((RoomNotes.PersistenceIdOf(key), key));
            }
            Become(ReadingRooms);
            ReadNext();
        });
        ReceiveFailure();
    }

    private void ReadingRooms()
    {
        Receive<ReplayedMessage>(replayed =>
        {
            var room = _toRead.Peek().Room;
            switch (replayed.Persistent.Payload)
            {
                case MessagePosted posted:
                    var at = DateTimeOffset.Parse(posted.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    _batch.Add(new MessageIndexed(room, posted.Seq, posted.Id, posted.Sender, posted.Text, at, null));
                    _messages++;
                    if (_batch.Count >= BatchSize) WriteBatch();
                    break;
                case MessageEdited edited: _changes.Add(new MessageTextChanged(room, edited.Seq, edited.Text)); break;
                case MessageDeleted deleted: _changes.Add(new MessageRemoved(room, deleted.Seq)); break;
            }
        });
        Receive<RecoverySuccess>(_ =>
        {
            _toRead.Dequeue();
            ReadNext();
        });
        ReceiveFailure();
    }

    private void ReceiveFailure() => Receive<ReplayMessagesFailure>(failure =>
    {
        _log.Error("Search index rebuild failed: {0}", failure.Cause.Message);
        _asker.Tell(new Failed(failure.Cause.Message));
        Context.Stop(Self);
    });

    private void ReadNext()
    {
        if (_toRead.TryPeek(out var next))
        {
            Replay(next.PersistenceId);
            return;
        }
        WriteBatch();
        for (var i = 0; i < _changes.Count; i += BatchSize) _index.Apply(_changes.GetRange(i, Math.Min(BatchSize, _changes.Count - i)));
        _log.Info("Search index rebuilt from the journal: {0} messages of {1} rooms", _messages, _rooms.Count);
        _asker.Tell(new Finished(_rooms.Count, _messages));
        Context.Stop(Self);
    }

    private void WriteBatch()
    {
        if (_batch.Count == 0) return;
        _index.Apply([.. _batch]);
        _batch.Clear();
    }

    private void Replay(string persistenceId)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(null);
        journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, persistenceId, Self));
    }
}
