using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Status;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Cluster;

/// <summary>
/// One room in cluster mode: the sharding entity (entity id = the room key) that is the parent of its
/// <see cref="RoomActor"/>, doing for that one room what <see cref="LocalRoomDirectory"/> does for all rooms of a
/// node. It asks the <see cref="ClusterRoomCatalog"/> whether the room exists (or may be created) before it starts
/// the room, holds commands until the room has recovered, restarts it after a failed write with its members, answers
/// for a room that cannot be recovered, and hands an idle room back to sharding (passivation). The room's journal
/// is the shared one, so the room recovers its history and rules on whichever node it starts.
/// </summary>
public sealed class RoomEntity : UntypedActor, IWithTimers
{
    public const string TypeName = "room";
    private const int MaxWaitingCommands = 1000;
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private enum State { Unknown, Opening, Starting, Running, Passivating, Down, Broken, Leaving, HandingOff, HandedOver }

    private sealed class OpenTimedOut { public static readonly OpenTimedOut Instance = new(); }

    private sealed class StartAgain { public static readonly StartAgain Instance = new(); }

    /// <summary>The stop message of passivation: sharding sends it once it buffers what comes for this room.</summary>
    public sealed class StopEntity { public static readonly StopEntity Instance = new(); }

    /// <summary>
    /// The stop message of a hand-off (sharding moves the room's shard to another node): the room finishes, and its
    /// members are left with the catalog for the room's next home, which starts with them.
    /// </summary>
    public sealed class HandOff { public static readonly HandOff Instance = new(); }

    private sealed class HandOffOverdue { public static readonly HandOffOverdue Instance = new(); }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _key;
    private readonly RoomSettings _settings;
    private readonly ChatStatistics _statistics;
    private readonly RoomHealth _health;
    private readonly IActorRef _catalog;
    private readonly Queue<IRoomCommand> _waiting = new();
    private State _state = State.Unknown;
    private string? _name;
    private IActorRef _room = ActorRefs.Nobody;
    private List<RoomMember> _members = [];
    private int _failures;
    private DateTime _failedAt;
    private DateTime _lastFailure;
    private string? _problem;

    public RoomEntity(string key, RoomSettings settings, ChatStatistics statistics, RoomHealth health, IActorRef catalog)
    {
        _key = key;
        _settings = settings;
        _statistics = statistics;
        _health = health;
        _catalog = catalog;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string key, RoomSettings settings, ChatStatistics statistics, RoomHealth health, IActorRef catalog) =>
        Akka.Actor.Props.Create(() => new RoomEntity(key, settings, statistics, health, catalog));

    /// <summary>As on a single node: a room that throws is stopped and tells its members, never restarted in place.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IRoomCommand command: Route(command); break;
            case ClusterRoomCatalog.Opened opened when _state == State.Opening: OnOpened(opened); break;
            case ClusterRoomCatalog.Missing when _state == State.Opening: OnMissing(null); break;
            case ClusterRoomCatalog.Refused refused when _state == State.Opening: OnMissing(refused.Error); break;
            case OpenTimedOut when _state == State.Opening:
                _state = State.Unknown;
                AnswerAll(new ErrorFrame(ErrorCodes.Unavailable, $"Room '{NameOf()}' is not available just now; try again."));
                break;
            case Occupancy occupancy: _catalog.Tell(occupancy); break;
            case RoomProgress progress: _catalog.Tell(progress); break;
            case RoomRecovered when Sender.Equals(_room) && _state == State.Starting:
                if (_problem is not null) _health.Clear(_key);
                _problem = null;
                _failures = 0;
                _state = State.Running;
                Flush();
                break;
            case RoomIdle when Sender.Equals(_room) && _state == State.Running:
                _state = State.Passivating;
                _room.Tell(StopIfIdle.Instance);
                break;
            case RoomBusyAgain when Sender.Equals(_room) && _state == State.Passivating:
                _state = State.Running;
                Flush();
                break;
            case RoomFailed failed when Sender.Equals(_room): OnRoomFailed(failed); break;
            case RoomUnrecoverable failed when Sender.Equals(_room): OnRoomUnrecoverable(failed); break;
            case Terminated terminated when terminated.ActorRef.Equals(_room): OnRoomStopped(); break;
            case StartAgain when _state == State.Down && _room.IsNobody(): Start(); break;
            case StopEntity: OnStopEntity(); break;
            case HandOff: OnHandOff(); break;
            case HandedOff handedOff when Sender.Equals(_room) && _state == State.HandingOff:
                _members = [.. handedOff.Members];
                LeaveMembers();
                break;
            case ClusterRoomCatalog.MembersKept or HandOffOverdue when _state is State.HandingOff or State.HandedOver:
                Context.Stop(Self);
                break;
            default: Unhandled(message); break;
        }
    }

    private void Route(IRoomCommand command)
    {
        switch (_state)
        {
            case State.Running or State.HandingOff: _room.Forward(command); break;
            case State.HandedOver: Region().Tell(command, command.Member); break; // to the room's next home
            case State.Unknown when _name is not null:
                _waiting.Enqueue(command);
                Start();
                break;
            case State.Unknown:
                _waiting.Enqueue(command);
                Open();
                break;
            case State.Broken: OnCommandForBrokenRoom(command); break;
            case State.Down when command is Post:
                Answer(command, new ErrorFrame(ErrorCodes.Unavailable, "Message not saved; try again."));
                break;
            default:
                if (_waiting.Count >= MaxWaitingCommands)
                    Answer(command, new ErrorFrame(ErrorCodes.Unavailable, $"Room '{NameOf()}' is not available just now; try again."));
                else
                    _waiting.Enqueue(command);
                break;
        }
    }

    /// <summary>Asks the catalog about the room, creating it if a join waits (its joiner then owns it).</summary>
    private void Open()
    {
        _state = State.Opening;
        var join = _waiting.OfType<Join>().FirstOrDefault();
        _catalog.Tell(new ClusterRoomCatalog.Open(_key, join?.Room, join?.Member));
        Timers.StartSingleTimer(OpenTimedOut.Instance, OpenTimedOut.Instance, TimeSpan.FromSeconds(10));
    }

    private void OnOpened(ClusterRoomCatalog.Opened opened)
    {
        Timers.Cancel(OpenTimedOut.Instance);
        _name = opened.Name;
        if (opened.Members is { Length: > 0 } members)
        {
            // The room moved here from another node: it starts with the members it had there.
            _members = [.. members];
            _log.Info("Room {0} moved here with {1} members", _name, members.Length);
        }
        if (opened.Created)
        {
            // The join that created the room is marked, so that its registered joiner owns it.
            var commands = _waiting.ToArray();
            _waiting.Clear();
            var marked = false;
            foreach (var command in commands)
            {
                if (!marked && command is Join join)
                {
                    _waiting.Enqueue(join with { Creates = true });
                    marked = true;
                }
                else _waiting.Enqueue(command);
            }
        }
        Start();
    }

    /// <summary>No such room (or it may not be created): everyone waiting is answered, and the entity goes away.</summary>
    private void OnMissing(ErrorFrame? refusal)
    {
        Timers.Cancel(OpenTimedOut.Instance);
        _state = State.Unknown;
        while (_waiting.TryDequeue(out var command))
        {
            if (command is Join && refusal is not null) Answer(command, refusal);
            else Answer(command, new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{command.Room}'."));
        }
        Context.Parent.Tell(new Passivate(StopEntity.Instance));
        _state = State.Leaving;
    }

    private void Start()
    {
        _state = State.Starting;
        _room = Context.ActorOf(RoomActor.Props(NameOf(), _settings, _statistics, _members.ToArray()), _key);
        _members = [];
        Context.Watch(_room);
    }

    private void Flush()
    {
        while (_waiting.TryDequeue(out var command)) _room.Tell(command, command.Member);
    }

    private void OnRoomFailed(RoomFailed failed)
    {
        if (_state == State.HandingOff)
        {
            _members = [.. failed.Members]; // they go on with the room's next home once it has stopped
            return;
        }
        _failures = DateTime.UtcNow - _lastFailure < TimeSpan.FromMinutes(1) ? _failures + 1 : 1;
        _lastFailure = DateTime.UtcNow;
        _state = State.Down;
        _members = [.. failed.Members];
    }

    private void OnRoomUnrecoverable(RoomUnrecoverable failed)
    {
        if (_state == State.HandingOff)
        {
            _members = [.. failed.Members];
            return;
        }
        _state = State.Broken;
        _failures++;
        _failedAt = DateTime.UtcNow;
        _members = [.. failed.Members];
        _problem = $"room '{NameOf()}' cannot be recovered: {failed.Reason}";
        _health.Report(_key, _problem);
        while (_waiting.TryDequeue(out var command)) AnswerBroken(command);
    }

    private void OnCommandForBrokenRoom(IRoomCommand command)
    {
        if (DateTime.UtcNow - _failedAt >= Backoff(_failures) && _room.IsNobody() && command is not Leave)
        {
            _log.Info("Room {0}: trying to recover it again", NameOf());
            _waiting.Enqueue(command);
            Start();
            return;
        }
        AnswerBroken(command);
    }

    private void AnswerBroken(IRoomCommand command)
    {
        if (command is Attach) return;
        var isMember = _members.Exists(m => m.Ref.Equals(command.Member));
        if (command is Leave)
        {
            _members.RemoveAll(m => m.Ref.Equals(command.Member));
            Answer(command, isMember ? new LeftFrame(NameOf()) : new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{NameOf()}'."));
            return;
        }
        var error = new ErrorFrame(ErrorCodes.Unavailable,
            $"Room '{NameOf()}' cannot be read from the database just now, so it cannot be used; try again later.");
        if (command is Join && isMember)
            command.Member.Tell(Sessions.Deliver.Answer(error with { Ref = command.Ref }), ActorRefs.NoSender);
        else
            Answer(command, error);
    }

    private void OnRoomStopped()
    {
        _room = ActorRefs.Nobody;
        switch (_state)
        {
            case State.Down:
                Timers.StartSingleTimer(StartAgain.Instance, StartAgain.Instance, Backoff(_failures));
                break;
            case State.Broken:
                break; // tried again when someone asks
            case State.Passivating when _waiting.Count > 0:
                Start();
                break;
            case State.HandingOff:
                LeaveMembers(); // it failed on its way out: the members it had go on with its next home
                break;
            case State.HandedOver:
                break;
            case State.Passivating:
                _catalog.Tell(new ClusterRoomCatalog.RoomAtRest(_key));
                _state = State.Leaving;
                Context.Parent.Tell(new Passivate(StopEntity.Instance));
                break;
            default:
                _state = State.Unknown;
                _catalog.Tell(new ClusterRoomCatalog.RoomAtRest(_key));
                AnswerAll(new ErrorFrame(ErrorCodes.Unavailable, $"Room '{NameOf()}' stopped unexpectedly; try again."));
                break;
        }
    }

    /// <summary>Commands that came between asking to passivate and the stop go back through sharding, which starts the room again for them.</summary>
    private void OnStopEntity()
    {
        var region = Region();
        while (_waiting.TryDequeue(out var command)) region.Tell(command, command.Member);
        Context.Stop(Self);
    }

    /// <summary>
    /// Sharding moves the room to another node. A running room finishes first (<see cref="HandOffRoom"/>); either
    /// way its members are left with the catalog, and the room's next home, a new entity on the other node, gets them
    /// when it asks the catalog about the room. Meanwhile sharding buffers what comes for the room, and this entity
    /// sends on what still reaches it.
    /// </summary>
    private void OnHandOff()
    {
        if (_state is State.HandingOff or State.HandedOver) return;
        Timers.Cancel(OpenTimedOut.Instance);
        Timers.Cancel(StartAgain.Instance);
        // Bounded: sharding stops the entity itself when its hand-off timeout (60 s) is near.
        Timers.StartSingleTimer(HandOffOverdue.Instance, HandOffOverdue.Instance, TimeSpan.FromSeconds(25));
        if (!_room.IsNobody())
        {
            _state = State.HandingOff;
            Flush(); // what waited for a room still recovering: it holds them until it has, and answers them before it moves
            _room.Tell(HandOffRoom.Instance);
            return;
        }
        LeaveMembers();
    }

    /// <summary>What waits goes on to the room's next home, and the members to the catalog for it; stops once the catalog has them.</summary>
    private void LeaveMembers()
    {
        _state = State.HandedOver;
        var region = Region();
        while (_waiting.TryDequeue(out var command)) region.Tell(command, command.Member);
        if (_members.Count == 0)
        {
            Context.Stop(Self);
            return;
        }
        _log.Info("Room {0}: {1} members go on with the room on its next node", NameOf(), _members.Count);
        _catalog.Tell(new ClusterRoomCatalog.KeepMembers(_key, [.. _members]));
        // Stopping before the catalog has them would let the room's next home ask it first and start without them; so
        // only a catalog that is away (its node lost) is not waited for, and sharding's own limit is 55 s.
        Timers.StartSingleTimer(HandOffOverdue.Instance, HandOffOverdue.Instance, TimeSpan.FromSeconds(20));
    }

    private static IActorRef Region() => ClusterSharding.Get(Context.System).ShardRegion(TypeName);

    private void AnswerAll(ErrorFrame error)
    {
        while (_waiting.TryDequeue(out var command)) Answer(command, error);
    }

    private string NameOf() => _name ?? _key;

    private static TimeSpan Backoff(int failures)
    {
        var pause = MinBackoff * Math.Pow(2, Math.Min(Math.Max(failures, 1) - 1, 10));
        return pause < MaxBackoff ? pause : MaxBackoff;
    }

    /// <summary>As the local directory answers: a refused join is a <see cref="JoinRefused"/>; an attach is never answered.</summary>
    private static void Answer(IRoomCommand command, ServerFrame frame)
    {
        if (command is Attach) return;
        var answer = frame with { Ref = command.Ref };
        if (command is Join && answer is ErrorFrame error)
            command.Member.Tell(new JoinRefused(command.Room, error), ActorRefs.NoSender);
        else
            command.Member.Tell(Sessions.Deliver.Answer(answer), ActorRefs.NoSender);
    }
}
