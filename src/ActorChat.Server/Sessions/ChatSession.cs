using ActorChat.Messages;
using ActorChat.Server.Rooms;
using ActorChat.Server.Users;

namespace ActorChat.Server.Sessions;

/// <summary>
/// The protocol logic of one client, whatever its transport: identification, commands and their errors.
/// A plain class that the transport actor hosts, so that frames from rooms go straight from the room to the
/// transport's outbound queue without another actor hop. Not thread-safe: called only from the hosting actor.
/// </summary>
public sealed class ChatSession
{
    private const int MaxFramesWhileIdentifying = 64;

    private readonly SessionServices _services;
    private readonly ISessionTransport _transport;
    private readonly Dictionary<string, string> _rooms = new(StringComparer.Ordinal); // key → name as joined
    private readonly Dictionary<string, Akka.Actor.IActorRef> _attached = new(StringComparer.Ordinal); // key → the room itself
    private readonly Dictionary<string, (long Sent, long LastAsked)> _viaDirectory = new(StringComparer.Ordinal); // key → commands numbered
    private readonly Queue<DecodeResult<ClientFrame>> _waitingForIdentity = new();
    private string? _pendingName;

    public ChatSession(SessionServices services, ISessionTransport transport)
    {
        _services = services;
        _transport = transport;
    }

    /// <summary>The name this session identified with, or null before a successful hello.</summary>
    public string? UserName { get; private set; }

    /// <summary>The rooms this session is in, by the names it joined them with.</summary>
    public IReadOnlyCollection<string> Rooms => _rooms.Values;

    /// <summary>A line from the client, decoded or not.</summary>
    public void Receive(DecodeResult<ClientFrame> decoded)
    {
        // A frame that could not be read waits behind a pending hello too, so that its error comes in order.
        if (_pendingName is not null) HoldUntilIdentified(decoded);
        else if (decoded.Frame is { } frame) Receive(frame);
        else _transport.Send(decoded.Error!.ToFrame());
    }

    public void Receive(ClientFrame frame)
    {
        if (_pendingName is not null)
        {
            HoldUntilIdentified(DecodeResult<ClientFrame>.Ok(frame));
            return;
        }

        switch (frame)
        {
            case PingRequest: _transport.Send(PongFrame.Instance); break;
            case PongRequest: break; // the answer to the server's ping; hearing anything is what counts
            case QuitRequest: _transport.CloseAfterFlush(new ByeFrame(ByeFrame.ClientQuit)); break;
            case HelloRequest hello: OnHello(hello); break;
            case var _ when UserName is null:
                _transport.Send(new ErrorFrame(ErrorCodes.NotIdentified, "Say hello with a name first: {\"type\":\"hello\",\"name\":\"alice\"}."));
                break;
            case SayRequest say: OnSay(say); break;
            case JoinRequest join: OnJoin(join); break;
            case LeaveRequest leave: OnLeave(leave); break;
            case DirectMessageRequest dm: OnDirectMessage(dm); break;
            case RoomListRequest list: OnRoomList(list); break;
            case WhoRequest who:
                if (CheckRoomName(who.Room)) TellRoom(new RoomProtocol.GetMembers(who.Room, _transport.Self));
                break;
            case StatsRequest stats:
                if (CheckRoomName(stats.Room)) TellRoom(new RoomProtocol.GetStats(stats.Room, _transport.Self));
                break;
            case HistoryRequest history: OnHistory(history); break;
            default:
                _transport.Send(new ErrorFrame(ErrorCodes.UnknownType, "This server does not handle that frame."));
                break;
        }
    }

    /// <summary>Answers from the actors a session talks to; false when the message is not for the session.</summary>
    public bool Handle(object message)
    {
        switch (message)
        {
            case UserRegistry.Registered registered:
                UserName = registered.Name;
                _pendingName = null;
                _transport.Send(new WelcomeFrame(registered.Name, _services.ServerName, Protocol.Version));
                ReplayWaitingFrames();
                return true;
            case UserRegistry.NameTaken taken:
                _pendingName = null;
                _transport.Send(new ErrorFrame(ErrorCodes.NameTaken, $"The name '{taken.Name}' is taken; pick another."));
                ReplayWaitingFrames();
                return true;
            case RoomProtocol.JoinRefused refused:
                _rooms.Remove(Protocol.Key(refused.Room));
                Detach(Protocol.Key(refused.Room));
                _transport.Send(refused.Error);
                return true;
            case RoomProtocol.RoomAttached attached:
                OnRoomAttached(attached);
                return true;
            case Akka.Actor.Terminated terminated:
                return OnRoomTerminated(terminated.ActorRef);
            default:
                return false;
        }
    }

    private void OnHello(HelloRequest hello)
    {
        if (UserName is not null)
        {
            _transport.Send(new ErrorFrame(ErrorCodes.AlreadyIdentified, $"You are already identified as '{UserName}'."));
            return;
        }
        if (!Protocol.IsValidName(hello.Name))
        {
            _transport.Send(new ErrorFrame(ErrorCodes.InvalidName,
                $"A name is 1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.'."));
            return;
        }
        _pendingName = hello.Name;
        Tell(_services.UserRegistry, new UserRegistry.Register(hello.Name, _transport.Self));
    }

    private void OnJoin(JoinRequest join)
    {
        if (!CheckRoomName(join.Room)) return;
        var key = Protocol.Key(join.Room);
        if (!_rooms.ContainsKey(key))
        {
            if (_rooms.Count >= _services.Settings.MaxRoomsPerSession)
            {
                _transport.Send(new ErrorFrame(ErrorCodes.TooManyRooms,
                    $"You are in {_rooms.Count} rooms already, the most one connection may join; leave one first."));
                return;
            }
            _rooms[key] = join.Room;
        }
        TellRoom(new RoomProtocol.Join(join.Room, UserName!, _transport.Self));
    }

    private void OnLeave(LeaveRequest leave)
    {
        if (!CheckRoomName(leave.Room)) return;
        var key = Protocol.Key(leave.Room);
        if (!_rooms.Remove(key))
        {
            _transport.Send(new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{leave.Room}'."));
            return;
        }
        TellRoom(new RoomProtocol.Leave(leave.Room, UserName!, _transport.Self));
        Detach(key);
    }

    private void OnSay(SayRequest say)
    {
        if (!CheckRoomName(say.Room) || !CheckText(say.Text)) return;
        if (!_rooms.ContainsKey(Protocol.Key(say.Room)))
        {
            _transport.Send(new ErrorFrame(ErrorCodes.NotInRoom, $"Join room '{say.Room}' before saying something there."));
            return;
        }
        TellRoom(new RoomProtocol.Post(say.Room, UserName!, say.Text, _transport.Self));
    }

    /// <summary>History is for members, as in any chat: join a room to read what was said there.</summary>
    private void OnHistory(HistoryRequest history)
    {
        if (!CheckRoomName(history.Room)) return;
        var limit = history.Limit ?? Protocol.DefaultHistoryPage;
        if (limit is < 1 or > Protocol.MaxHistoryPage)
        {
            _transport.Send(new ErrorFrame(ErrorCodes.BadRequest, $"A history limit is 1 to {Protocol.MaxHistoryPage}; {limit} is not."));
            return;
        }
        if (history.Before is < 1)
        {
            _transport.Send(new ErrorFrame(ErrorCodes.BadRequest, "'before' is a message seq, 1 or more."));
            return;
        }
        if (!_rooms.ContainsKey(Protocol.Key(history.Room)))
        {
            _transport.Send(new ErrorFrame(ErrorCodes.NotInRoom, $"Join room '{history.Room}' to read its history."));
            return;
        }
        TellRoom(new RoomProtocol.GetHistory(history.Room, history.Before, limit, _transport.Self));
    }

    /// <summary>
    /// A room the session is in is told directly once attached, so floods through the directory (rooms lists,
    /// other rooms starting) cannot hold up its messages; any other goes through the directory.
    /// </summary>
    private void TellRoom(IRoomCommand command)
    {
        var key = Protocol.Key(command.Room);
        if (_attached.TryGetValue(key, out var room))
        {
            room.Tell(command, _transport.Self);
            return;
        }
        if (!_rooms.ContainsKey(key))
        {
            Tell(_services.RoomDirectory, command); // a question about a room the session is not in
            return;
        }
        // Commands through the directory are numbered; a join or attach carries its number, and its answer echoes it.
        var (sent, lastAsked) = _viaDirectory.GetValueOrDefault(key);
        sent++;
        switch (command)
        {
            case RoomProtocol.Join join:
                command = join with { Ticket = sent };
                lastAsked = sent;
                break;
            case RoomProtocol.Attach attach:
                command = attach with { Ticket = sent };
                lastAsked = sent;
                break;
        }
        _viaDirectory[key] = (sent, lastAsked);
        Tell(_services.RoomDirectory, command);
    }

    /// <summary>
    /// Talking to the room directly is safe only once nothing sent through the directory can still be on its way
    /// there (it would arrive after what is sent directly): otherwise the session asks again, behind what it sent.
    /// </summary>
    private void OnRoomAttached(RoomProtocol.RoomAttached attached)
    {
        if (!_rooms.TryGetValue(attached.Key, out var name)) return; // left meanwhile
        if (_attached.TryGetValue(attached.Key, out var current))
        {
            if (current.Equals(attached.Room)) return;
            _transport.Unwatch(current);
            _attached.Remove(attached.Key);
        }
        var (sent, lastAsked) = _viaDirectory.GetValueOrDefault(attached.Key);
        if (attached.Ticket < lastAsked) return; // a later join or attach is on its way and will be answered
        if (attached.Ticket < sent)
        {
            TellRoom(new RoomProtocol.Attach(name, _transport.Self));
            return;
        }
        _viaDirectory.Remove(attached.Key);
        _attached[attached.Key] = attached.Room;
        _transport.Watch(attached.Room);
    }

    /// <summary>A room the session talked to directly stopped: back to the directory, which restarts the room with its members.</summary>
    private bool OnRoomTerminated(Akka.Actor.IActorRef actor)
    {
        var key = _attached.FirstOrDefault(a => a.Value.Equals(actor)).Key;
        if (key is null) return false;
        _attached.Remove(key);
        if (_rooms.TryGetValue(key, out var name)) TellRoom(new RoomProtocol.Attach(name, _transport.Self));
        return true;
    }

    private void Detach(string key)
    {
        _viaDirectory.Remove(key);
        if (_attached.Remove(key, out var room)) _transport.Unwatch(room);
    }

    /// <summary>The cursor is the <c>next</c> of an earlier rooms frame, which is always a room name.</summary>
    private void OnRoomList(RoomListRequest list)
    {
        if (list.After is not null && !Protocol.IsValidRoom(list.After))
        {
            _transport.Send(new ErrorFrame(ErrorCodes.BadRequest, "'after' is the 'next' cursor of an earlier rooms answer."));
            return;
        }
        Tell(_services.RoomDirectory, new RoomProtocol.ListRooms(_transport.Self, list.After));
    }

    private void OnDirectMessage(DirectMessageRequest dm)
    {
        if (!Protocol.IsValidName(dm.To))
        {
            _transport.Send(new ErrorFrame(ErrorCodes.NoSuchUser, $"No user named '{Shorten(dm.To)}' is online."));
            return;
        }
        if (!CheckText(dm.Text)) return;
        Tell(_services.UserRegistry, new UserRegistry.SendDirect(UserName!, dm.To, dm.Text, _transport.Self));
    }

    private bool CheckRoomName(string room)
    {
        if (Protocol.IsValidRoom(room)) return true;
        _transport.Send(new ErrorFrame(ErrorCodes.InvalidRoom,
            $"A room name is 1 to {Protocol.MaxRoomLength} letters, digits, '_', '-' or '.'."));
        return false;
    }

    private bool CheckText(string text)
    {
        if (Protocol.ForbiddenCharacter(text) is { } forbidden)
        {
            _transport.Send(new ErrorFrame(ErrorCodes.BadRequest, Protocol.DescribeForbidden(forbidden)));
            return false;
        }
        if (Protocol.IsBlank(text))
        {
            _transport.Send(new ErrorFrame(ErrorCodes.EmptyMessage, "A message needs some visible text."));
            return false;
        }
        var length = Protocol.TextLength(text);
        if (length > Protocol.MaxTextLength)
        {
            _transport.Send(new ErrorFrame(ErrorCodes.MessageTooLong,
                $"A message is at most {Protocol.MaxTextLength} characters; this one has {length}."));
            return false;
        }
        return true;
    }

    /// <summary>Frames sent right behind a hello wait for its answer, so they are handled as the client meant.</summary>
    private void HoldUntilIdentified(DecodeResult<ClientFrame> decoded)
    {
        if (_waitingForIdentity.Count >= MaxFramesWhileIdentifying)
            _transport.Send(new ErrorFrame(ErrorCodes.Busy, "Too many frames sent before the hello was answered; this one was dropped."));
        else
            _waitingForIdentity.Enqueue(decoded);
    }

    private void ReplayWaitingFrames()
    {
        while (_pendingName is null && _waitingForIdentity.TryDequeue(out var decoded)) Receive(decoded);
    }

    private void Tell(Akka.Actor.IActorRef actor, object message) => actor.Tell(message, _transport.Self);

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
