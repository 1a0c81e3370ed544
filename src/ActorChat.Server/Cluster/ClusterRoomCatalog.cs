using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using Akka.Actor;
using Akka.Event;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Cluster;

/// <summary>
/// The rooms of the whole cluster, a cluster singleton: it decides whether a room may be created (the most rooms,
/// the creation window per connection), stores new rooms in the same persistent <see cref="RoomCatalog"/>
/// (<c>rooms-catalog</c>) a single node uses, and answers the rooms list from what the rooms report (members,
/// privacy). Rooms themselves are sharding entities (<see cref="RoomEntity"/>), which ask it once when they start.
/// Until the stored catalog has recovered, requests wait (at most 15 s, then what is known is used).
/// </summary>
public sealed class ClusterRoomCatalog : UntypedActor, IWithTimers
{
    /// <summary>
    /// A room entity starts: is <paramref name="Key"/> a room? With a <paramref name="Name"/> (a join), create it
    /// if allowed. Answered with <see cref="Opened"/>, <see cref="Missing"/> or <see cref="Refused"/>.
    /// </summary>
    public sealed record Open(string Key, string? Name, IActorRef? Creator);

    /// <summary>
    /// The room exists as <paramref name="Name"/> (its first spelling); <paramref name="Created"/>: just now.
    /// <paramref name="Members"/>: the room moved here, and these were its members on the node it left.
    /// </summary>
    public sealed record Opened(string Key, string Name, bool Created, RoomMember[]? Members = null);

    /// <summary>
    /// A room moves to another node (a sharding hand-off): its members wait here for the entity of its next home,
    /// which asks with <see cref="Open"/>. Answered with <see cref="MembersKept"/>, after which the old entity stops.
    /// (Messages between nodes hold arrays, not read-only lists: the JSON serializer cannot make those again.)
    /// </summary>
    public sealed record KeepMembers(string Key, RoomMember[] Members);

    public sealed class MembersKept { public static readonly MembersKept Instance = new(); }

    public sealed record Missing(string Key);

    public sealed record Refused(string Key, ErrorFrame Error);

    /// <summary>A room stopped (passivated, failed): nobody is in it until it reports again. Not answered.</summary>
    public sealed record RoomAtRest(string Key);

    private sealed class RecoveryWaitOver
    {
        public static readonly RecoveryWaitOver Instance = new();
    }

    private sealed class StartStore
    {
        public static readonly StartStore Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RoomSettings _settings;
    private readonly RoomIndex _rooms = new();
    private readonly CreationWindow<IActorRef> _creations;
    private readonly Dictionary<string, IActorRef> _registering = new(StringComparer.Ordinal);
    private readonly List<(object Message, IActorRef Sender)> _waiting = [];
    private readonly Dictionary<string, (RoomMember[] Members, DateTime Since)> _moving = new(StringComparer.Ordinal);

    /// <summary>Members left by a moving room for longer than this are dropped: the move has been given up on.</summary>
    private static readonly TimeSpan KeepMembersFor = TimeSpan.FromMinutes(1);
    private IActorRef _store = ActorRefs.Nobody;
    private bool _recovered;
    private int _storeFailures;

    public ClusterRoomCatalog(RoomSettings settings)
    {
        _settings = settings;
        _creations = new CreationWindow<IActorRef>(settings.CreationsPerMinute, TimeSpan.FromMinutes(1));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RoomSettings settings) => Akka.Actor.Props.Create(() => new ClusterRoomCatalog(settings));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        StartRoomStore();
        Timers.StartSingleTimer(RecoveryWaitOver.Instance, RecoveryWaitOver.Instance, TimeSpan.FromSeconds(15));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case RoomCatalog.KnownRooms known: OnKnownRooms(known); break;
            case RoomCatalog.Registered registered: OnRegistered(registered.Key); break;
            case RoomCatalog.Unrecoverable failed: _log.Error("The room catalog cannot be recovered: {0}", failed.Reason); break;
            case RecoveryWaitOver when !_recovered:
                _log.Warning("The room catalog has not recovered after 15 s; rooms are listed as they report");
                Recovered();
                break;
            case RecoveryWaitOver: break;
            case Terminated terminated when terminated.ActorRef.Equals(_store):
                _storeFailures++;
                Timers.StartSingleTimer(StartStore.Instance, StartStore.Instance, TimeSpan.FromMilliseconds(Math.Min(10_000, 500 << Math.Min(_storeFailures, 5))));
                break;
            case StartStore: StartRoomStore(); break;
            case Occupancy occupancy: OnOccupancy(occupancy); break;
            case RoomProgress progress: _rooms.SetLastSeq(progress.Key, progress.LastSeq); break;
            case RoomAtRest rest: _rooms.ClearMembers(rest.Key); break;
            case KeepMembers keep:
                foreach (var stale in _moving.Where(m => DateTime.UtcNow - m.Value.Since >= KeepMembersFor).Select(m => m.Key).ToList())
                    _moving.Remove(stale);
                _moving[keep.Key] = (keep.Members, DateTime.UtcNow);
                Sender.Tell(MembersKept.Instance);
                break;
            case Open or ListRooms or GetRoomSummaries when !_recovered: _waiting.Add((message, Sender)); break;
            case Open open: OnOpen(open); break;
            case ListRooms list:
                var (rooms, next) = _rooms.Page(list.After, Protocol.RoomsPerPage, list.User, list.Read);
                list.Member.Tell(Deliver(new RoomListFrame(rooms, next) { Ref = list.Ref }), ActorRefs.NoSender);
                break;
            case GetRoomSummaries: Sender.Tell(new RoomSummaries(_rooms.Summaries())); break;
            default: Unhandled(message); break;
        }
    }

    private static Sessions.Deliver Deliver(ServerFrame frame) => Sessions.Deliver.Answer(frame);

    private void OnOpen(Open open)
    {
        if (_rooms.NameOf(open.Key) is { } name)
        {
            if (_registering.ContainsKey(open.Key)) _registering[open.Key] = Sender; // answered once stored
            else Sender.Tell(new Opened(open.Key, name, Created: false, MovedMembers(open.Key)));
            return;
        }
        if (open.Name is null || open.Creator is null)
        {
            Sender.Tell(new Missing(open.Key));
            return;
        }
        string? refusal = null;
        if (_rooms.Count >= _settings.MaxRooms)
            refusal = $"The server has {_rooms.Count} rooms, the most it may have; join one of them.";
        else if (!_creations.TryCreate(open.Creator, DateTime.UtcNow))
            refusal = $"You created {_creations.Limit} rooms within the last minute, the most one connection may; wait a little, or join a room that exists.";
        if (refusal is not null)
        {
            Sender.Tell(new Refused(open.Key, new ErrorFrame(ErrorCodes.TooManyRooms, refusal)));
            return;
        }
        // A new room is in the catalog before anyone is told it exists, so it is listed after any restart.
        _rooms.Add(open.Key, open.Name);
        _registering[open.Key] = Sender;
        _store.Tell(new RoomCatalog.Register(open.Key, open.Name));
    }

    /// <summary>The members a room left here as it moved, handed out once.</summary>
    private RoomMember[]? MovedMembers(string key)
    {
        if (!_moving.Remove(key, out var moved)) return null;
        return DateTime.UtcNow - moved.Since < KeepMembersFor ? moved.Members : null;
    }

    private void OnRegistered(string key)
    {
        if (!_registering.Remove(key, out var entity)) return;
        entity.Tell(new Opened(key, _rooms.NameOf(key) ?? key, Created: true));
    }

    private void OnOccupancy(Occupancy occupancy)
    {
        var wasPrivate = _rooms.IsPrivate(occupancy.Key);
        _rooms.SetMembers(occupancy.Key, occupancy.Name, occupancy.Members, occupancy.Private, occupancy.VisibleTo);
        if (wasPrivate != occupancy.Private) _store.Tell(new RoomCatalog.SetPrivacy(occupancy.Key, occupancy.Private));
    }

    private void OnKnownRooms(RoomCatalog.KnownRooms known)
    {
        _storeFailures = 0;
        foreach (var (key, name) in known.NamesByKey) _rooms.Add(key, name, known.Private.Contains(key));
        // Rooms created while the store was away are stored now; their entities are answered once they are.
        foreach (var (key, name) in _rooms.All)
        {
            if (!known.NamesByKey.ContainsKey(key)) _store.Tell(new RoomCatalog.Register(key, name));
        }
        Recovered();
    }

    private void Recovered()
    {
        if (_recovered) return;
        _recovered = true;
        foreach (var (message, sender) in _waiting) Self.Tell(message, sender);
        _waiting.Clear();
    }

    private void StartRoomStore()
    {
        _store = Context.ActorOf(RoomCatalog.Props(), "store");
        Context.Watch(_store);
    }
}
