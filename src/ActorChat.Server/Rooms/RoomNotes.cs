using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Stores one room's reactions and edits (persistence id <c>notes-&lt;key&gt;</c>): a child of its
/// <see cref="RoomActor"/>, which decides with its own <see cref="MessageNotes"/> and hands every change here to be
/// stored before anyone sees it. Apart from the room's journal so that the messages' seq stays gapless, and from
/// the rules so that reactions never wait behind moderation. Snapshots keep recovery short.
/// </summary>
public sealed class RoomNotes : UntypedPersistentActor
{
    private const int SnapshotEvery = 200;

    /// <summary>Store a change; answered with <see cref="Stored"/>, or <see cref="NotStored"/> if the journal rejected it.</summary>
    public sealed record Store(IRoomNoteEvent Change);

    /// <summary><paramref name="Nr"/>: the change's sequence number in the notes' journal (the search index keeps its progress by it).</summary>
    public sealed record Stored(IRoomNoteEvent Change, long Nr = 0);

    public sealed record NotStored(IRoomNoteEvent Change, string Reason);

    /// <summary>Sent to the room once the notes are recovered.</summary>
    public sealed record Recovered(NotesSnapshot Notes);

    /// <summary>Sent to the room when the notes cannot be recovered.</summary>
    public sealed record Unrecoverable(string Reason);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly MessageNotes _notes = new();
    private readonly string _key;

    public RoomNotes(string key) => _key = key;

    public static Props Props(string key) => Akka.Actor.Props.Create<RoomNotes>(key);

    public static string PersistenceIdOf(string roomKey) => "notes-" + roomKey;

    public override string PersistenceId => PersistenceIdOf(_key);

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: NotesSnapshot snapshot }: _notes.Apply(snapshot); break;
            case IRoomNoteEvent change: _notes.Apply(change); break;
            case RecoveryCompleted: Context.Parent.Tell(new Recovered(_notes.ToSnapshot())); break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Store store:
                var room = Sender;
                Persist(store.Change, change =>
                {
                    _notes.Apply(change);
                    room.Tell(new Stored(change, LastSequenceNr));
                    if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(_notes.ToSnapshot());
                });
                break;
            case SaveSnapshotSuccess saved:
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                _log.Warning("Notes of room {0}: snapshot not saved: {1}", _key, failed.Cause.Message);
                break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            default: Unhandled(message); break;
        }
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("Notes of room {0}: change rejected by the journal: {1}", _key, cause.Message);
        Context.Parent.Tell(new NotStored((IRoomNoteEvent)@event, cause.Message));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        _log.Error("Notes of room {0} could not be saved; the room restarts: {1}", _key, cause.Message); // stops; the room sees it

    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        Context.Parent.Tell(new Unrecoverable(RoomActor.Describe(reason)));
}
