using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Sessions;
using ActorChat.Server.Status;
using Akka.Actor;
using Akka.Event;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Rooms;

/// <summary>
/// The room directory of a single node: one child <see cref="RoomActor"/> per room, created by the first join (or,
/// for a room that existed before a restart, by the first command for it). Sessions only ever talk to the directory,
/// so a cluster shard region can stand in its place. A room that fails to write is started again after a pause that
/// grows with repeated failures; meanwhile posts to it are answered with <c>unavailable</c> and other commands wait.
/// </summary>
public sealed class LocalRoomDirectory : UntypedActor, IWithTimers
{
    private const int MaxWaitingCommands = 1000;
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RoomSettings _settings;
    private readonly ChatStatistics _statistics;
    private readonly RoomIndex _rooms = new();
    private readonly Dictionary<string, DownRoom> _down = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTime At, int Count)> _recentFailures = new(StringComparer.Ordinal);
    private IActorRef _catalog = ActorRefs.Nobody;
    private int _catalogFailures;
    private bool _catalogRecovered;
    private readonly List<ListRooms> _waitingForList = [];
    private readonly Dictionary<string, Queue<IRoomCommand>> _creating = new(StringComparer.Ordinal);
    private readonly CreationWindow<IActorRef> _creations;

    /// <summary>A room between a failure and its restart.</summary>
    private sealed class DownRoom(IReadOnlyList<RoomMember> members, int failures)
    {
        public IReadOnlyList<RoomMember> Members { get; } = members;
        public int Failures { get; } = failures;
        public Queue<IRoomCommand> Waiting { get; } = new();
    }

    private sealed record StartAgain(string Key);

    /// <summary>Start a new room even though the catalog has not confirmed it (the database is slow or away).</summary>
    private sealed record StopWaitingForCatalog(string Key);

    private sealed class StartCatalog
    {
        public static readonly StartCatalog Instance = new();
    }

    /// <summary>Stop waiting for the catalog: list what is known rather than keep clients waiting on a slow database.</summary>
    private sealed class CatalogWaitOver
    {
        public static readonly CatalogWaitOver Instance = new();
    }

    public LocalRoomDirectory(RoomSettings settings, ChatStatistics statistics)
    {
        _settings = settings;
        _statistics = statistics;
        _creations = new CreationWindow<IActorRef>(settings.CreationsPerMinute, TimeSpan.FromMinutes(1));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RoomSettings settings, ChatStatistics statistics) =>
        Akka.Actor.Props.Create(() => new LocalRoomDirectory(settings, statistics));

    protected override void PreStart()
    {
        StartRoomCatalog();
        Timers.StartSingleTimer(CatalogWaitOver.Instance, CatalogWaitOver.Instance, TimeSpan.FromSeconds(15));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IRoomCommand command: Route(command); break;
            case Occupancy occupancy: _rooms.SetMembers(occupancy.Key, occupancy.Name, occupancy.Members); break;
            case ListRooms list when !_catalogRecovered: _waitingForList.Add(list); break;
            case ListRooms list: ReplyRoomList(list); break;
            case GetRoomSummaries: Sender.Tell(new RoomSummaries(_rooms.Summaries())); break;
            case CatalogWaitOver when !_catalogRecovered:
                _log.Warning("The room catalog has not recovered after 15 s; rooms lists show only rooms in use");
                ListForWaiting();
                break;
            case CatalogWaitOver: break;
            case RoomCatalog.KnownRooms known: OnKnownRooms(known); break;
            case RoomFailed failed: OnRoomFailed(failed); break;
            case Terminated terminated: OnTerminated(terminated.ActorRef); break;
            case StartAgain again: OnStartAgain(again.Key); break;
            case RoomCatalog.Registered registered: StartCreatedRoom(registered.Key); break;
            case StopWaitingForCatalog stop:
                _log.Warning("Room {0} is not confirmed in the catalog yet; it starts anyway", stop.Key);
                StartCreatedRoom(stop.Key);
                break;
            case StartCatalog: StartRoomCatalog(); break;
            default: Unhandled(message); break;
        }
    }

    private void Route(IRoomCommand command)
    {
        var key = Protocol.Key(command.Room);
        if (_down.TryGetValue(key, out var down))
        {
            if (command is Post || down.Waiting.Count >= MaxWaitingCommands)
                Answer(command.Member, new ErrorFrame(ErrorCodes.Unavailable, "Message not saved; try again."));
            else
                down.Waiting.Enqueue(command);
            return;
        }

        if (_creating.TryGetValue(key, out var waiting))
        {
            waiting.Enqueue(command);
            return;
        }

        var room = Context.Child(key);
        if (room.IsNobody())
        {
            if (!_rooms.Contains(key))
            {
                if (command is not Join)
                {
                    AnswerForMissingRoom(command);
                    return;
                }
                if (RefusesCreation(command)) return;
                // A new room is in the catalog before anyone is told it exists, so it is listed after any restart.
                _rooms.Add(key, command.Room);
                _creating[key] = new Queue<IRoomCommand>([command]);
                _catalog.Tell(new RoomCatalog.Register(key, command.Room));
                Timers.StartSingleTimer(("create", key), new StopWaitingForCatalog(key), TimeSpan.FromSeconds(10));
                return;
            }
            room = StartRoom(key, []);
        }
        room.Forward(command);
    }

    /// <summary>Rooms are kept for good, so both how many there are and how fast one connection makes them are bounded.</summary>
    private bool RefusesCreation(IRoomCommand join)
    {
        string? refusal = null;
        if (_rooms.Count >= _settings.MaxRooms)
            refusal = $"The server has {_rooms.Count} rooms, the most it may have; join one of them.";
        else if (!_creations.TryCreate(join.Member, DateTime.UtcNow))
            refusal = $"You created {_creations.Limit} rooms within the last minute, the most one connection may; wait a little, or join a room that exists.";
        if (refusal is null) return false;
        _log.Debug("Room {0} not created: {1}", join.Room, refusal);
        join.Member.Tell(new JoinRefused(join.Room, new ErrorFrame(ErrorCodes.TooManyRooms, refusal)), ActorRefs.NoSender);
        return true;
    }

    private void StartCreatedRoom(string key)
    {
        if (!_creating.Remove(key, out var waiting)) return;
        Timers.Cancel(("create", key));
        var room = StartRoom(key, []);
        while (waiting.TryDequeue(out var command)) room.Tell(command, command.Member);
    }

    private IActorRef StartRoom(string key, IReadOnlyList<RoomMember> members)
    {
        var room = Context.ActorOf(RoomActor.Props(_rooms.NameOf(key)!, _settings, _statistics, members), key);
        Context.Watch(room);
        return room;
    }

    /// <summary>A room fails at most once per incarnation; failures within a minute of each other lengthen the pause.</summary>
    private void OnRoomFailed(RoomFailed failed)
    {
        var failures = _recentFailures.TryGetValue(failed.Key, out var last) && DateTime.UtcNow - last.At < TimeSpan.FromMinutes(1)
            ? last.Count + 1
            : 1;
        _recentFailures[failed.Key] = (DateTime.UtcNow, failures);
        _down[failed.Key] = new DownRoom(failed.Members, failures);
    }

    private void OnTerminated(IActorRef actor)
    {
        if (actor.Equals(_catalog))
        {
            _catalogFailures++;
            Timers.StartSingleTimer(StartCatalog.Instance, StartCatalog.Instance, Backoff(_catalogFailures));
            return;
        }
        var key = actor.Path.Name;
        if (!_down.TryGetValue(key, out var down))
        {
            // Stopped without saying why: it starts afresh (recovering its history) on the next command.
            if (_rooms.NameOf(key) is { } known) _rooms.SetMembers(key, known, 0);
            return;
        }
        var pause = Backoff(down.Failures);
        _log.Warning("Room {0} starts again in {1} ms", _rooms.NameOf(key) ?? key, (int)pause.TotalMilliseconds);
        Timers.StartSingleTimer(new StartAgain(key), new StartAgain(key), pause);
    }

    private void OnStartAgain(string key)
    {
        if (!_down.Remove(key, out var down)) return;
        var room = StartRoom(key, down.Members);
        while (down.Waiting.TryDequeue(out var command)) room.Tell(command, command.Member);
    }

    private static TimeSpan Backoff(int failures)
    {
        var pause = MinBackoff * Math.Pow(2, Math.Min(failures - 1, 10));
        return pause < MaxBackoff ? pause : MaxBackoff;
    }

    private void StartRoomCatalog()
    {
        _catalog = Context.ActorOf(RoomCatalog.Props(), "catalog");
        Context.Watch(_catalog);
    }

    /// <summary>The catalog recovered: rooms from before a restart are listed; rooms it missed are registered now.</summary>
    private void OnKnownRooms(RoomCatalog.KnownRooms known)
    {
        _catalogFailures = 0;
        foreach (var (key, name) in known.NamesByKey) _rooms.Add(key, name);
        foreach (var (key, name) in _rooms.All)
        {
            if (!known.NamesByKey.ContainsKey(key)) _catalog.Tell(new RoomCatalog.Register(key, name));
        }
        ListForWaiting();
    }

    /// <summary>Rooms lists asked for before the catalog recovered at start are answered once it has (or gave up).</summary>
    private void ListForWaiting()
    {
        _catalogRecovered = true;
        foreach (var list in _waitingForList) ReplyRoomList(list);
        _waitingForList.Clear();
    }

    /// <summary>A room that was never joined has no members, no messages, and nobody in it to speak.</summary>
    private static void AnswerForMissingRoom(IRoomCommand command)
    {
        ServerFrame answer = command switch
        {
            GetMembers get => new MembersFrame(get.Room, []),
            GetStats get => new StatsFrame(get.Room, new Dictionary<string, long>(), 0),
            _ => new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{command.Room}'."),
        };
        Answer(command.Member, answer);
    }

    private static void Answer(IActorRef member, ServerFrame frame) =>
        member.Tell(new Deliver(FrameCodec.EncodeLine(frame)), ActorRefs.NoSender);

    private void ReplyRoomList(ListRooms list)
    {
        var (rooms, next) = _rooms.Page(list.After, Protocol.RoomsPerPage);
        Answer(list.Member, new RoomListFrame(rooms, next));
    }
}
