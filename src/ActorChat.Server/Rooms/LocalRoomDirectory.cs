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
/// so a cluster shard region can stand in its place.
/// <para>
/// A room is handed commands only once it has recovered: until then they wait here, so that a room that cannot be
/// recovered answers everyone instead of leaving them waiting. A room that fails to write is started again after a
/// pause that grows with repeated failures; meanwhile posts to it are answered with <c>unavailable</c> and other
/// commands wait. A room that cannot be recovered (a damaged event, a database that is away) answers
/// <c>unavailable</c> to everyone and is tried again when someone asks after the pause; <see cref="RoomHealth"/>
/// says so until it recovers.
/// </para>
/// </summary>
public sealed class LocalRoomDirectory : UntypedActor, IWithTimers
{
    private const int MaxWaitingCommands = 1000;
    private const string CatalogHealthKey = "rooms-catalog";
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RoomSettings _settings;
    private readonly ChatStatistics _statistics;
    private readonly RoomHealth _health;
    private readonly RoomIndex _rooms = new();
    private readonly Dictionary<string, RoomEntry> _entries = new(StringComparer.Ordinal); // rooms not simply asleep
    private readonly Dictionary<string, (DateTime At, int Count)> _recentFailures = new(StringComparer.Ordinal);
    private readonly CreationWindow<IActorRef> _creations;
    private IActorRef _catalog = ActorRefs.Nobody;
    private int _catalogFailures;
    private bool _catalogRecovered;
    private readonly List<ListRooms> _waitingForList = [];
    private readonly List<(IActorRef Asker, string User)> _waitingToSearch = []; // searches asked before the catalog recovered
    private readonly Dictionary<string, int> _generations = new(StringComparer.Ordinal); // key → generation, for names dropped before
    private readonly Dictionary<string, List<DropRoom>> _drops = new(StringComparer.Ordinal); // drops the catalog is storing

    private enum RoomState
    {
        /// <summary>New: waiting for the catalog to store it before it starts.</summary>
        Creating,

        /// <summary>Started, recovering its messages; commands wait.</summary>
        Starting,

        /// <summary>Commands go straight to the room.</summary>
        Running,

        /// <summary>Asked to stop because it is idle; commands wait, and start it again once it has stopped.</summary>
        Passivating,

        /// <summary>Between a write failure and its restart.</summary>
        Down,

        /// <summary>Could not be recovered; everyone is answered unavailable until a later attempt succeeds.</summary>
        Broken,

        /// <summary>Dropped by an operator, its actor still stopping; commands wait and then find the name free.</summary>
        Dropping,
    }

    /// <summary>A room that is running or on its way in or out; a room at rest (known, not running) has none.</summary>
    private sealed class RoomEntry(RoomState state)
    {
        public RoomState State { get; set; } = state;
        public IActorRef Room { get; set; } = ActorRefs.Nobody;
        public Queue<IRoomCommand> Waiting { get; } = new();

        /// <summary>The members of a room that is down or broken, handed to its next incarnation.</summary>
        public List<RoomMember> Members { get; set; } = [];

        public int Failures { get; set; }
        public DateTime FailedAt { get; set; }
        public string? Problem { get; set; }

        /// <summary>What the members of a dropped room are told.</summary>
        public DroppedFrame? Dropped { get; set; }
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

    public LocalRoomDirectory(RoomSettings settings, ChatStatistics statistics, RoomHealth health)
    {
        _settings = settings;
        _statistics = statistics;
        _health = health;
        _creations = new CreationWindow<IActorRef>(settings.CreationsPerMinute, TimeSpan.FromMinutes(1));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RoomSettings settings, ChatStatistics statistics, RoomHealth? health = null) =>
        Akka.Actor.Props.Create(() => new LocalRoomDirectory(settings, statistics, health ?? new RoomHealth()));

    /// <summary>
    /// A room (or the catalog) that throws is stopped, never restarted in place: a restart would keep its actor
    /// but lose its members without telling them. A stopped room tells its members (RoomLost) and starts afresh,
    /// recovering its messages, on the next join; the catalog is started again after a pause.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        StartRoomCatalog();
        Timers.StartSingleTimer(CatalogWaitOver.Instance, CatalogWaitOver.Instance, TimeSpan.FromSeconds(15));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case DropRoom drop: OnDropRoom(drop); break;
            case RoomCatalog.Dropped dropped: OnDropped(dropped); break;
            case IRoomCommand command: Route(command); break;
            case Occupancy occupancy: OnOccupancy(occupancy); break;
            case RoomProgress progress when _entries.TryGetValue(progress.Key, out var running) && running.State != RoomState.Dropping:
                _rooms.SetLastSeq(progress.Key, progress.LastSeq);
                break;
            case RoomProgress: break;
            case RoomRecovered recovered: OnRoomRecovered(recovered.Key); break;
            case RoomIdle idle: OnRoomIdle(idle.Key); break;
            case RoomBusyAgain busy: OnRoomBusyAgain(busy.Key); break;
            case ListRooms list when !_catalogRecovered: _waitingForList.Add(list); break;
            case ListRooms list: ReplyRoomList(list); break;
            case GetRoomSummaries: Sender.Tell(new RoomSummaries(_rooms.Summaries())); break;
            // A search right after a start covers every room: it waits, as rooms lists do, for the catalog.
            case Search.SearchService.ReadableRoomsOf readable when !_catalogRecovered && _waitingToSearch.Count < MaxWaitingCommands:
                _waitingToSearch.Add((Sender, readable.User));
                break;
            case Search.SearchService.ReadableRoomsOf readable: Sender.Tell(new Search.SearchService.ReadableRooms(_rooms.ReadableBy(readable.User))); break;
            case CatalogWaitOver when !_catalogRecovered:
                _log.Warning("The room catalog has not recovered after 15 s; rooms lists show only rooms in use");
                ListForWaiting();
                break;
            case CatalogWaitOver: break;
            case RoomCatalog.KnownRooms known: OnKnownRooms(known); break;
            case RoomCatalog.Unrecoverable catalogFailed:
                _health.Report(CatalogHealthKey, $"the room catalog cannot be recovered: {catalogFailed.Reason}");
                break;
            case RoomFailed failed: OnRoomFailed(failed); break;
            case RoomUnrecoverable unrecoverable: OnRoomUnrecoverable(unrecoverable); break;
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
        if (command is Attach && (!_entries.TryGetValue(key, out var attached) || attached.State == RoomState.Broken))
            return; // only for a room that is up or on its way up; the member keeps talking through the directory
        if (_entries.TryGetValue(key, out var entry))
        {
            switch (entry.State)
            {
                case RoomState.Running: entry.Room.Forward(command); break;
                case RoomState.Broken: OnCommandForBrokenRoom(key, entry, command); break;
                default: Wait(key, entry, command); break;
            }
            return;
        }

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
            entry = _entries[key] = new RoomEntry(RoomState.Creating);
            entry.Waiting.Enqueue(((Join)command) with { Creates = true }); // its registered joiner owns the room
            _catalog.Tell(new RoomCatalog.Register(key, command.Room));
            Timers.StartSingleTimer(("create", key), new StopWaitingForCatalog(key), TimeSpan.FromSeconds(10));
            return;
        }

        entry = _entries[key] = new RoomEntry(RoomState.Starting);
        entry.Waiting.Enqueue(command);
        Start(key, entry);
    }

    private void Wait(string key, RoomEntry entry, IRoomCommand command)
    {
        if (entry.State == RoomState.Down && command is Post)
            Answer(command, new ErrorFrame(ErrorCodes.Unavailable, "Message not saved; try again."));
        else if (entry.Waiting.Count >= MaxWaitingCommands)
            Answer(command, new ErrorFrame(ErrorCodes.Unavailable, $"Room '{NameOf(key)}' is not available just now; try again."));
        else
            entry.Waiting.Enqueue(command);
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
        Answer(join, new ErrorFrame(ErrorCodes.TooManyRooms, refusal));
        return true;
    }

    private void StartCreatedRoom(string key)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.State != RoomState.Creating) return;
        Timers.Cancel(("create", key));
        Start(key, entry);
    }

    /// <summary>Starts the room's actor; what waits for it is handed over once it has recovered.</summary>
    private void Start(string key, RoomEntry entry)
    {
        entry.State = RoomState.Starting;
        entry.Room = Context.ActorOf(RoomActor.Props(NameOf(key), _settings, _statistics, entry.Members.ToArray(), _generations.GetValueOrDefault(key)), key);
        entry.Members = [];
        Context.Watch(entry.Room);
    }

    private void OnRoomRecovered(string key)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.State != RoomState.Starting || !entry.Room.Equals(Sender)) return;
        if (entry.Problem is not null)
        {
            _log.Info("Room {0} recovered after {1} failed attempts", NameOf(key), entry.Failures);
            _health.Clear(key);
        }
        entry.State = RoomState.Running;
        entry.Problem = null;
        entry.Failures = 0;
        while (entry.Waiting.TryDequeue(out var command)) entry.Room.Tell(command, command.Member);
    }

    /// <summary>
    /// Passivation: an idle room is stopped so idle rooms cost nothing. Commands that arrive meanwhile wait here and
    /// start it again once it has stopped; anything already on its way to it makes it stay up instead.
    /// </summary>
    private void OnRoomIdle(string key)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.State != RoomState.Running || !entry.Room.Equals(Sender)) return;
        entry.State = RoomState.Passivating;
        entry.Room.Tell(StopIfIdle.Instance);
    }

    private void OnRoomBusyAgain(string key)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.State != RoomState.Passivating || !entry.Room.Equals(Sender)) return;
        entry.State = RoomState.Running;
        while (entry.Waiting.TryDequeue(out var command)) entry.Room.Tell(command, command.Member);
    }

    /// <summary>A room fails at most once per incarnation; failures within a minute of each other lengthen the pause.</summary>
    private void OnRoomFailed(RoomFailed failed)
    {
        if (!_entries.TryGetValue(failed.Key, out var entry)) return;
        if (entry.State == RoomState.Dropping)
        {
            TellDropped(failed.Members, entry);
            return;
        }
        var failures = _recentFailures.TryGetValue(failed.Key, out var last) && DateTime.UtcNow - last.At < TimeSpan.FromMinutes(1)
            ? last.Count + 1
            : 1;
        _recentFailures[failed.Key] = (DateTime.UtcNow, failures);
        entry.State = RoomState.Down;
        entry.Failures = failures;
        entry.Members = [.. failed.Members];
    }

    /// <summary>
    /// The room could not read its messages. Whoever waits for it is answered now, and so is everyone who asks
    /// until an attempt after the pause succeeds; its members stay its members meanwhile.
    /// </summary>
    private void OnRoomUnrecoverable(RoomUnrecoverable failed)
    {
        if (!_entries.TryGetValue(failed.Key, out var entry) || !entry.Room.Equals(Sender)) return;
        if (entry.State == RoomState.Dropping)
        {
            TellDropped(failed.Members, entry); // it stopped before it could read the drop
            return;
        }
        entry.State = RoomState.Broken;
        entry.Failures++;
        entry.FailedAt = DateTime.UtcNow;
        entry.Members = [.. failed.Members];
        entry.Problem = $"room '{NameOf(failed.Key)}' cannot be recovered: {failed.Reason}";
        _health.Report(failed.Key, entry.Problem);
        while (entry.Waiting.TryDequeue(out var command)) AnswerBroken(failed.Key, entry, command);
    }

    private void OnCommandForBrokenRoom(string key, RoomEntry entry, IRoomCommand command)
    {
        var retryDue = DateTime.UtcNow - entry.FailedAt >= Backoff(entry.Failures);
        if (retryDue && entry.Room.IsNobody() && command is not Leave)
        {
            _log.Info("Room {0}: trying to recover it again", NameOf(key));
            entry.Waiting.Enqueue(command);
            Start(key, entry);
            return;
        }
        AnswerBroken(key, entry, command);
    }

    /// <summary>Members may still leave a broken room (membership is not stored); everything else is unavailable.</summary>
    private void AnswerBroken(string key, RoomEntry entry, IRoomCommand command)
    {
        if (command is Attach) return; // the member keeps talking through the directory
        var name = NameOf(key);
        var isMember = entry.Members.Exists(m => m.Ref.Equals(command.Member));
        if (command is Leave)
        {
            entry.Members.RemoveAll(m => m.Ref.Equals(command.Member));
            Answer(command, isMember ? new LeftFrame(name) : new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{name}'."));
            return;
        }
        var error = new ErrorFrame(ErrorCodes.Unavailable,
            $"Room '{name}' cannot be read from the database just now, so it cannot be used; try again later.");
        // A member that joins again stays a member (of the room as it will be once it recovers); anyone else is refused.
        if (command is Join && isMember)
            command.Member.Tell(Deliver.Answer(error with { Ref = command.Ref }), ActorRefs.NoSender);
        else
            Answer(command, error);
    }

    private void OnTerminated(IActorRef actor)
    {
        if (actor.Equals(_catalog))
        {
            foreach (var drop in _drops.Values.SelectMany(d => d))
                Answer(drop, new ErrorFrame(ErrorCodes.Unavailable, $"Room '{drop.Room}' could not be dropped just now; try again."));
            _drops.Clear();
            _catalogFailures++;
            Timers.StartSingleTimer(StartCatalog.Instance, StartCatalog.Instance, Backoff(_catalogFailures));
            return;
        }
        var key = actor.Path.Name;
        if (!_entries.TryGetValue(key, out var entry) || !entry.Room.Equals(actor)) return;
        entry.Room = ActorRefs.Nobody;
        switch (entry.State)
        {
            case RoomState.Down:
                var pause = Backoff(entry.Failures);
                _log.Warning("Room {0} starts again in {1} ms", NameOf(key), (int)pause.TotalMilliseconds);
                Timers.StartSingleTimer(new StartAgain(key), new StartAgain(key), pause);
                break;
            case RoomState.Broken:
                break; // tried again when someone asks
            case RoomState.Dropping:
                _entries.Remove(key);
                RouteAgain(entry);
                break;
            case RoomState.Passivating when entry.Waiting.Count > 0:
                Start(key, entry); // asked for while it stopped
                break;
            default:
                // Stopped at rest (or without saying why): it starts afresh, recovering its history, on the next command.
                _entries.Remove(key);
                _rooms.ClearMembers(key);
                var gone = new ErrorFrame(ErrorCodes.Unavailable, $"Room '{NameOf(key)}' stopped unexpectedly; try again.");
                while (entry.Waiting.TryDequeue(out var command)) Answer(command, gone);
                break;
        }
    }

    private void OnStartAgain(string key)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.State == RoomState.Down && entry.Room.IsNobody()) Start(key, entry);
    }

    private static TimeSpan Backoff(int failures)
    {
        var pause = MinBackoff * Math.Pow(2, Math.Min(Math.Max(failures, 1) - 1, 10));
        return pause < MaxBackoff ? pause : MaxBackoff;
    }

    private void StartRoomCatalog()
    {
        // Rooms are children named by their key; '~' is in no room key, so no room can take the catalog's name.
        _catalog = Context.ActorOf(RoomCatalog.Props(), "~catalog");
        Context.Watch(_catalog);
    }

    /// <summary>The catalog recovered: rooms from before a restart are listed; rooms it missed are registered now.</summary>
    private void OnKnownRooms(RoomCatalog.KnownRooms known)
    {
        _catalogFailures = 0;
        _health.Clear(CatalogHealthKey);
        foreach (var (key, generation) in known.Generations) _generations[key] = Math.Max(generation, _generations.GetValueOrDefault(key));
        foreach (var (key, name) in known.NamesByKey) _rooms.Add(key, name, known.Private.Contains(key));
        foreach (var (key, name) in _rooms.All)
        {
            if (!known.NamesByKey.ContainsKey(key)) _catalog.Tell(new RoomCatalog.Register(key, name));
        }
        ListForWaiting();
    }

    /// <summary>Rooms lists and searches asked for before the catalog recovered at start are answered once it has (or gave up).</summary>
    private void ListForWaiting()
    {
        _catalogRecovered = true;
        foreach (var list in _waitingForList) ReplyRoomList(list);
        _waitingForList.Clear();
        foreach (var (asker, user) in _waitingToSearch) asker.Tell(new Search.SearchService.ReadableRooms(_rooms.ReadableBy(user)));
        _waitingToSearch.Clear();
    }

    /// <summary>A room that was never joined has nobody in it, so nobody may ask about it or speak there.</summary>
    private static void AnswerForMissingRoom(IRoomCommand command) =>
        Answer(command, new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{command.Room}'."));

    /// <summary>
    /// Members and privacy as the room reports them; a change of privacy goes to the catalog, so that a private room
    /// stays out of the rooms list after a restart, before it is started again.
    /// </summary>
    private void OnOccupancy(Occupancy occupancy)
    {
        // A dropped room still stopping is not listed again.
        if (!_entries.TryGetValue(occupancy.Key, out var entry) || entry.State == RoomState.Dropping) return;
        var wasPrivate = _rooms.IsPrivate(occupancy.Key);
        _rooms.SetMembers(occupancy.Key, occupancy.Name, occupancy.Members, occupancy.Private, occupancy.VisibleTo);
        if (wasPrivate != occupancy.Private) _catalog.Tell(new RoomCatalog.SetPrivacy(occupancy.Key, occupancy.Private));
    }

    private string NameOf(string key) => _rooms.NameOf(key) ?? key;

    /// <summary>
    /// An operator drops a room: whatever state it is in (a damaged one too), the drop is stored in the catalog first,
    /// so that it holds after a restart, and then the room goes (<see cref="OnDropped"/>).
    /// </summary>
    private void OnDropRoom(DropRoom drop)
    {
        var key = Protocol.Key(drop.Room);
        if (!_rooms.Contains(key))
        {
            Answer(drop, new ErrorFrame(ErrorCodes.NoSuchRoom, $"There is no room '{drop.Room}'."));
            return;
        }
        if (_drops.TryGetValue(key, out var pending))
        {
            pending.Add(drop);
            return;
        }
        _drops[key] = [drop];
        _catalog.Tell(new RoomCatalog.Drop(key, drop.By, drop.Reason ?? ""));
    }

    /// <summary>
    /// The drop is stored: the room leaves the list and the health report, its members are put out of it (told by
    /// the room itself when it runs, else from here), and the next room of that name starts empty.
    /// </summary>
    private void OnDropped(RoomCatalog.Dropped dropped)
    {
        var key = dropped.Key;
        if (!_drops.Remove(key, out var drops)) return;
        var first = drops[0];
        var frame = new DroppedFrame(NameOf(key), first.By, string.IsNullOrEmpty(first.Reason) ? null : first.Reason);
        _generations[key] = dropped.Generation;
        _rooms.Remove(key);
        _health.Clear(key);
        _recentFailures.Remove(key);
        Timers.Cancel(("create", key));
        _log.Info("Room {0} dropped by {1}{2}", frame.Room, frame.By, frame.Reason is null ? "" : $": {frame.Reason}");
        Context.System.EventStream.Publish(new Files.FileKeeper.ConversationGone(key));
        // Its messages leave the search index; the streams of its generations so far are forgotten there.
        Context.System.EventStream.Publish(new Search.ConversationDropped(key, dropped.Generation)
        {
            Forget = Enumerable.Range(0, dropped.Generation)
                .SelectMany(g => new[] { RoomActor.PersistenceIdOf(key, g), RoomRules.PersistenceIdOf(key, g) }).ToArray(),
        });
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.Dropped = frame;
            TellDropped(entry.Members, entry);
            if (entry.Room.IsNobody())
            {
                _entries.Remove(key);
                RouteAgain(entry);
            }
            else
            {
                entry.State = RoomState.Dropping;
                entry.Room.Tell(new DropNow(frame));
            }
        }
        foreach (var drop in drops) Answer(drop, new DoneFrame("drop"));
    }

    private static void TellDropped(IEnumerable<RoomMember> members, RoomEntry entry)
    {
        var notice = new RoomGone(Protocol.Key(entry.Dropped!.Room), entry.Dropped);
        foreach (var member in members.ToArray()) member.Ref.Tell(notice, ActorRefs.NoSender);
        entry.Members = [];
    }

    /// <summary>Commands that waited for a dropped room find its name free: a join makes a fresh room.</summary>
    private void RouteAgain(RoomEntry entry)
    {
        while (entry.Waiting.TryDequeue(out var command)) Route(command);
    }

    /// <summary>
    /// Answers a command for the room, carrying its ref: a join that is refused is a <see cref="JoinRefused"/>, so
    /// the session forgets the room; an attach (the session's own routing) is never answered.
    /// </summary>
    private static void Answer(IRoomCommand command, ServerFrame frame)
    {
        if (command is Attach) return;
        var answer = frame with { Ref = command.Ref };
        if (command is Join && answer is ErrorFrame error)
            command.Member.Tell(new JoinRefused(command.Room, error), ActorRefs.NoSender);
        else
            command.Member.Tell(Deliver.Answer(answer), ActorRefs.NoSender);
    }

    private void ReplyRoomList(ListRooms list)
    {
        var (rooms, next) = _rooms.Page(list.After, Protocol.RoomsPerPage, list.User, list.Read);
        list.Member.Tell(Deliver.Answer(new RoomListFrame(rooms, next) { Ref = list.Ref }), ActorRefs.NoSender);
    }
}
