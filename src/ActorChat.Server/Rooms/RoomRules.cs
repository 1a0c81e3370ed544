using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Stores one room's rules (persistence id <c>rules-&lt;key&gt;</c>): a child of its <see cref="RoomActor"/>, which
/// decides with its own copy of the <see cref="RoomPolicy"/> and hands every change here to be stored before it takes
/// effect. Apart from the room's journal so that the messages' seq stays gapless. Snapshots keep recovery short.
/// </summary>
public sealed class RoomRules : UntypedPersistentActor
{
    private const int SnapshotEvery = 100;

    /// <summary>Store a change; answered with <see cref="Stored"/>, or <see cref="NotStored"/> if the journal rejected it.</summary>
    public sealed record Store(IRoomRulesEvent Change);

    /// <summary><paramref name="Nr"/>: the change's sequence number in the rules' journal (the search index keeps its progress by it).</summary>
    public sealed record Stored(IRoomRulesEvent Change, long Nr = 0);

    public sealed record NotStored(IRoomRulesEvent Change, string Reason);

    /// <summary>Sent to the room once the rules are recovered.</summary>
    public sealed record Recovered(RulesSnapshot Rules);

    /// <summary>Sent to the room when the rules cannot be recovered (the rules actor stops).</summary>
    public sealed record Unrecoverable(string Reason);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RoomPolicy _policy = new();
    private readonly string _key;

    private readonly int _generation;

    public RoomRules(string key, int generation)
    {
        _key = key;
        _generation = generation;
    }

    public static Props Props(string key, int generation = 0) => Akka.Actor.Props.Create<RoomRules>(key, generation);

    /// <summary>As <see cref="RoomActor.PersistenceIdOf"/>: a room made again after a drop has rules of its own.</summary>
    public static string PersistenceIdOf(string roomKey, int generation = 0) =>
        generation == 0 ? "rules-" + roomKey : $"rules-{roomKey}~{generation}";

    public override string PersistenceId => PersistenceIdOf(_key, _generation);

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: RulesSnapshot snapshot }: _policy.Apply(snapshot); break;
            case IRoomRulesEvent change: _policy.Apply(change); break;
            case RecoveryCompleted: Context.Parent.Tell(new Recovered(_policy.ToSnapshot())); break;
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
                    _policy.Apply(change);
                    room.Tell(new Stored(change, LastSequenceNr));
                    if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(_policy.ToSnapshot());
                });
                break;
            case SaveSnapshotSuccess saved:
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                _log.Warning("Rules of room {0}: snapshot not saved: {1}", _key, failed.Cause.Message);
                break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            default: Unhandled(message); break;
        }
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("Rules of room {0}: change rejected by the journal: {1}", _key, cause.Message);
        Context.Parent.Tell(new NotStored((IRoomRulesEvent)@event, cause.Message));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        _log.Error("Rules of room {0} could not be saved; the room restarts: {1}", _key, cause.Message); // stops; the room sees it

    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        Context.Parent.Tell(new Unrecoverable(RoomActor.Describe(reason)));
}
