using ActorChat.Messages;
using ActorChat.Server.Accounts;
using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Users;

namespace ActorChat.Server.Sessions;

/// <summary>
/// The protocol logic of one client, whatever its transport: identification, commands and their errors.
/// A plain class that the transport actor hosts, so that frames from rooms go straight from the room to the
/// transport's outbound queue without another actor hop. Not thread-safe: called only from the hosting actor.
/// </summary>
/// <remarks>
/// A client's frames are handled one after the other, in the order sent: a frame whose answer comes from a room or
/// the user registry holds back the frames behind it until that answer is in, so every answer follows the answers
/// to the frames before it. The one exception keeps chat fast without breaking that: says to one room (and direct
/// messages) go on while earlier says to the same room are unanswered, because that room answers them in order.
/// While a frame is held back the transport reads nothing more (<see cref="ReadyForInput"/>).
/// </remarks>
public sealed partial class ChatSession
{
    private const int MaxWaitingFrames = 64;
    private const string DirectMessages = "dm";

    private readonly SessionServices _services;
    private readonly ISessionTransport _transport;
    private readonly Dictionary<string, string> _rooms = new(StringComparer.Ordinal); // key → name as joined
    private readonly Dictionary<string, Akka.Actor.IActorRef> _attached = new(StringComparer.Ordinal); // key → the room itself
    private readonly Dictionary<string, (long Sent, long LastAsked)> _viaDirectory = new(StringComparer.Ordinal); // key → commands numbered
    private readonly Queue<DecodeResult<ClientFrame>> _waiting = new();
    private readonly Queue<string?> _unanswered = new(); // the refs of the frames whose answers are still to come, oldest first
    private string? _unansweredTarget; // the room key (or "dm") the unanswered frames went to; null: elsewhere
    private bool _saysMayFollow; // whether further says to that target (or direct messages) may go on meanwhile
    private long _unansweredSinceTicks;
    private SignInStep? _signingIn; // a hello or register on its way through the ban list, the account book and the registry
    private bool _signedInToAccount;

    /// <summary>Where a hello or register stands: the ban list is asked first, then the account book and the registry.</summary>
    private sealed record SignInStep(string Name, Secret? Password, bool Register)
    {
        public bool NameClaimed { get; set; }

        public bool Account { get; set; }

        /// <summary>Signed in by the connection's session cookie rather than a password.</summary>
        public bool ByCookie { get; init; }
    }

    public ChatSession(SessionServices services, ISessionTransport transport)
    {
        _services = services;
        _transport = transport;
    }

    /// <summary>The name this session identified with, or null before a successful hello.</summary>
    public string? UserName { get; private set; }

    /// <summary>Whether the session signed in to (or registered) an account, rather than being a guest.</summary>
    public bool SignedInToAccount => _signedInToAccount;

    private bool IsOperator => _signedInToAccount && UserName is not null && _services.Accounts.IsOperator(UserName);

    /// <summary>Whether the user signed in with an account of that name: only then can they own or moderate rooms.</summary>
    public bool IsRegistered => _signedInToAccount;

    /// <summary>For specs of what rooms let a signed-in user do, without an account book.</summary>
    internal void MarkRegistered() => _signedInToAccount = true;

    /// <summary>The rooms this session is in, by the names it joined them with.</summary>
    public IReadOnlyCollection<string> Rooms => _rooms.Values;

    /// <summary>False while a frame waits for earlier answers: the transport reads no further input until <see cref="ISessionTransport.InputReady"/>.</summary>
    public bool ReadyForInput => _waiting.Count == 0;

    /// <summary>How many of the client's frames are still to be answered.</summary>
    public int Unanswered => _unanswered.Count;

    /// <summary>A line from the client, decoded or not.</summary>
    public void Receive(DecodeResult<ClientFrame> decoded)
    {
        if (_waiting.Count > 0 || !CanHandleNow(decoded)) Hold(decoded);
        else Handle(decoded);
    }

    public void Receive(ClientFrame frame) => Receive(DecodeResult<ClientFrame>.Ok(frame));

    /// <summary>
    /// <paramref name="count"/> of the client's frames were answered (the transport has queued the answers): the
    /// frames waiting behind them may now be handled.
    /// </summary>
    public void Answered(int count)
    {
        for (var i = 0; i < count && _unanswered.Count > 0; i++) _unanswered.Dequeue();
        _unansweredSinceTicks = 0;
        if (_unanswered.Count == 0) (_unansweredTarget, _saysMayFollow) = (null, false);
        HandleWaiting();
    }

    /// <summary>
    /// The transport's periodic tick: answers that have not come within the answer timeout are reported to the
    /// client as unavailable, so that one lost answer cannot hold a connection up for ever.
    /// </summary>
    public void OnTick(long nowTicks)
    {
        if (_unanswered.Count == 0) return;
        if (_unansweredSinceTicks == 0)
        {
            _unansweredSinceTicks = nowTicks;
            return;
        }
        if (TimeSpan.FromTicks(nowTicks - _unansweredSinceTicks) < _services.Settings.AnswerTimeout) return;
        FailUnanswered("No answer came in time; it may or may not have taken effect.");
    }

    /// <summary>Answers from the actors a session talks to; false when the message is not for the session.</summary>
    public bool Handle(object message)
    {
        switch (message)
        {
            case UserRegistry.Registered registered:
                OnNameClaimed(registered);
                return true;
            case UserRegistry.NameTaken taken:
                _signingIn = null;
                AnswerNext(new ErrorFrame(ErrorCodes.NameTaken, $"The name '{taken.Name}' is taken; pick another."));
                return true;
            case BanList.Clear: OnNotBanned(); return true;
            case BanList.Refused banned:
                _signingIn = null;
                AnswerNext(banned.Error);
                return true;
            case AccountBook.Accepted accepted:
                if (_signingIn is null) return true;
                _signingIn.Account = accepted.Account;
                Tell(_services.UserRegistry, new UserRegistry.Register(accepted.Name, _transport.Self, _transport.RemoteAddress));
                return true;
            case AccountBook.Created created: OnAccountCreated(created); return true;
            case AccountBook.Changed:
                _services.RevokeTokensOf(UserName!); // every page signed in with the old password is signed out, every upload token revoked
                AnswerNext(new DoneFrame("password"));
                return true;
            case AccountBook.Refused refused:
                if (_signingIn is { NameClaimed: true }) Tell(_services.UserRegistry, new UserRegistry.Release(_transport.Self));
                _signingIn = null;
                AnswerNext(refused.Error);
                return true;
            case Disconnect disconnect:
                if (disconnect.Notice is not null) _transport.Send(disconnect.Notice);
                _transport.CloseAfterFlush(disconnect.Bye);
                return true;
            case RoomProtocol.JoinRefused refused:
                _rooms.Remove(Protocol.Key(refused.Room));
                Detach(Protocol.Key(refused.Room));
                _transport.Send(refused.Error);
                Answered(1);
                return true;
            case RoomProtocol.RoomAttached attached:
                OnRoomAttached(attached);
                return true;
            case RoomProtocol.RoomLost lost:
                OnRoomLost(lost);
                return true;
            case RoomProtocol.NotAMember notAMember:
                OnNotAMember(notAMember);
                return true;
            case RoomProtocol.RoomMoving moving:
                OnRoomMoving(moving);
                return true;
            case RoomProtocol.Kicked kicked:
                OnKicked(kicked);
                return true;
            case RoomProtocol.RoomGone dropped:
                OnRoomDropped(dropped);
                return true;
            case Inboxes.UserInbox.LastRead lastRead:
                OnLastRead(lastRead);
                return true;
            case Inboxes.UserInbox.ReadMarkers markers:
                OnReadMarkers(markers);
                return true;
            case Akka.Actor.Terminated terminated:
                return OnRoomTerminated(terminated.ActorRef);
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether the frame may be handled while earlier ones are unanswered: only a say to the room (or a direct
    /// message, to the registry) that the unanswered ones went to, which answers in order, and only when it is
    /// valid, since an error found here would overtake their answers.
    /// </summary>
    private bool CanHandleNow(DecodeResult<ClientFrame> decoded)
    {
        if (_unanswered.Count == 0) return true;
        return decoded.Frame switch
        {
            SayRequest say => _saysMayFollow && _unansweredTarget == RoomKeyOrNull(say.Room) && SayProblem(say) is null,
            DirectMessageRequest dm => _saysMayFollow && _unansweredTarget == DirectTarget(dm) && DirectMessageProblem(dm) is null,
            _ => false,
        };
    }

    private static string? RoomKeyOrNull(string room) => Protocol.IsValidRoom(room) ? Protocol.Key(room) : null;

    private void Hold(DecodeResult<ClientFrame> decoded)
    {
        // The transport stops reading while a frame waits, so this bound is only reached by a host that does not.
        if (_waiting.Count >= MaxWaitingFrames)
            _transport.Send(new ErrorFrame(ErrorCodes.Busy, "Too many frames sent before the earlier ones were answered; this one was dropped.") { Ref = decoded.Frame?.Ref ?? decoded.Error?.Ref });
        else
            _waiting.Enqueue(decoded);
    }

    private void HandleWaiting()
    {
        if (_waiting.Count == 0) return;
        while (_waiting.TryPeek(out var next) && CanHandleNow(next))
        {
            _waiting.Dequeue();
            Handle(next);
        }
        if (_waiting.Count == 0) _transport.InputReady();
    }

    private void Handle(DecodeResult<ClientFrame> decoded)
    {
        if (decoded.Frame is not { } frame)
        {
            _transport.Send(decoded.Error!.ToFrame());
            return;
        }
        switch (frame)
        {
            case PingRequest: Reply(frame, PongFrame.Instance); break;
            case PongRequest: break; // the answer to the server's ping; hearing anything is what counts
            case QuitRequest: _transport.CloseAfterFlush(new ByeFrame(ByeFrame.ClientQuit) { Ref = frame.Ref }); break;
            case HelloRequest hello: OnHello(hello); break;
            case RegisterRequest register: OnRegister(register); break;
            case var _ when UserName is null:
                Reply(frame, new ErrorFrame(ErrorCodes.NotIdentified, "Say hello with a name first: {\"type\":\"hello\",\"name\":\"alice\"}."));
                break;
            case SayRequest say: OnSay(say); break;
            case JoinRequest join: OnJoin(join); break;
            case LeaveRequest leave: OnLeave(leave); break;
            case DirectMessageRequest dm: OnDirectMessage(dm); break;
            case RoomListRequest list: OnRoomList(list); break;
            case WhoRequest who:
                if (CheckRoomName(who)) Ask(who, new RoomProtocol.GetMembers(who.Room, _transport.Self, who.Ref));
                break;
            case StatsRequest stats:
                if (CheckRoomName(stats)) Ask(stats, new RoomProtocol.GetStats(stats.Room, _transport.Self, stats.Ref));
                break;
            case HistoryRequest history: OnHistory(history); break;
            case SearchRequest search: OnSearch(search); break;
            case PasswordRequest password: OnPassword(password); break;
            case KillRequest kill: OnKill(kill); break;
            case BanRequest ban: OnBan(ban); break;
            case UnbanRequest unban: OnUnban(unban); break;
            case DropRequest drop: OnDrop(drop); break;
            case TopicRequest or ModeRequest or InviteRequest or RoleRequest or KickRequest or RoomBanRequest
                or RoomUnbanRequest or DeleteRequest:
                OnModeration(frame);
                break;
            case ReactRequest or EditRequest or TypingRequest: OnConversation(frame); break;
            case MentionsRequest or ReadRequest: OnInbox(frame); break;
            case DmsRequest dms: OnDms(dms); break;
            case UploadTokenRequest: OnUploadToken(frame); break;
            default:
                Reply(frame, new ErrorFrame(ErrorCodes.UnknownType, "This server does not handle that frame."));
                break;
        }
    }

    /// <summary>A frame answered here and now.</summary>
    private void Reply(ClientFrame frame, ServerFrame answer) =>
        _transport.Send(frame.Ref is null ? answer : answer with { Ref = frame.Ref });

    /// <summary>
    /// The frame's answer comes from another actor (<paramref name="target"/>: a room key, "dm", or null for the
    /// registry or directory); until it does, the frames behind it wait, but for further says when
    /// <paramref name="saysMayFollow"/>.
    /// </summary>
    private void Expect(ClientFrame frame, string? target = null, bool saysMayFollow = false)
    {
        if (_unanswered.Count == 0) (_unansweredTarget, _saysMayFollow) = (target, saysMayFollow);
        _unanswered.Enqueue(frame.Ref);
    }

    /// <summary>An answer the session makes from another actor's reply, for the oldest unanswered frame.</summary>
    private void AnswerNext(ServerFrame answer)
    {
        _unanswered.TryPeek(out var reference);
        _transport.Send(reference is null ? answer : answer with { Ref = reference });
        Answered(1);
    }

    private void Ask(ClientFrame frame, IRoomCommand command, bool saysMayFollow = false)
    {
        Expect(frame, Protocol.Key(command.Room), saysMayFollow);
        TellRoom(command);
    }

    /// <summary>Every unanswered frame gets an unavailable error carrying its ref; the frames waiting behind them go on.</summary>
    private void FailUnanswered(string why)
    {
        while (_unanswered.TryDequeue(out var reference))
            _transport.Send(new ErrorFrame(ErrorCodes.Unavailable, why) { Ref = reference });
        Answered(0);
    }

    private void OnHello(HelloRequest hello)
    {
        if (UserName is not null)
        {
            Reply(hello, new ErrorFrame(ErrorCodes.AlreadyIdentified, $"You are already identified as '{UserName}'."));
            return;
        }
        if (!Protocol.IsValidName(hello.Name))
        {
            Reply(hello, new ErrorFrame(ErrorCodes.InvalidName,
                $"A name is 1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.'."));
            return;
        }
        var mode = _services.Accounts.Mode;
        var byCookie = SignedInByCookie(hello);
        if (mode == AccountMode.Required && hello.Password is null && !byCookie)
        {
            Reply(hello, new ErrorFrame(ErrorCodes.AuthRequired, "This server takes accounts only: say hello with your password, or register."));
            return;
        }
        if (hello.Password is { Length: > PasswordHasher.MaxLength })
        {
            Reply(hello, new ErrorFrame(ErrorCodes.AuthFailed, AccountBook.AuthFailedMessage)); // no password is that long
            return;
        }
        Expect(hello);
        // Without accounts a password is ignored, as a server that never heard of them would.
        var password = mode == AccountMode.Open || hello.Password is null ? null : new Secret(hello.Password);
        _signingIn = new SignInStep(hello.Name, password, Register: false) { ByCookie = byCookie };
        AskBanList(hello.Name);
    }

    /// <summary>
    /// A hello without password for the account whose live session cookie the WebSocket upgrade carried signs in
    /// to that account: the page proved it before, with the password, and holds the token.
    /// </summary>
    private bool SignedInByCookie(HelloRequest hello) =>
        hello.Password is null && _services.Accounts.Mode != AccountMode.Open
        && _services.WebSessions?.Resolve(_services.SessionCookie) is { } account
        && Protocol.Key(account) == Protocol.Key(hello.Name);

    /// <summary>
    /// Creates an account and identifies as it (a guest may also register the name it already has). The name is
    /// claimed in the registry before the account is created, so a name someone is using cannot be registered.
    /// </summary>
    private void OnRegister(RegisterRequest register)
    {
        if (_services.Accounts.Mode == AccountMode.Open)
        {
            Reply(register, new ErrorFrame(ErrorCodes.NotPermitted, "This server has no accounts; say hello with a name."));
            return;
        }
        var ownName = UserName is not null && Protocol.Key(UserName) == Protocol.Key(register.Name);
        if (_signedInToAccount || (UserName is not null && !ownName))
        {
            Reply(register, new ErrorFrame(ErrorCodes.AlreadyIdentified, $"You are already identified as '{UserName}'."));
            return;
        }
        if (!Protocol.IsValidName(register.Name))
        {
            Reply(register, new ErrorFrame(ErrorCodes.InvalidName,
                $"A name is 1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.'."));
            return;
        }
        if (PasswordHasher.Weakness(register.Password) is { } weakness)
        {
            Reply(register, new ErrorFrame(ErrorCodes.WeakPassword, weakness));
            return;
        }
        Expect(register);
        _signingIn = new SignInStep(register.Name, new Secret(register.Password), Register: true) { NameClaimed = ownName };
        AskBanList(register.Name);
    }

    private void AskBanList(string name)
    {
        if (Akka.Actor.ActorRefs.Nobody.Equals(_services.BanList)) OnNotBanned();
        else Tell(_services.BanList, new BanList.Check(Protocol.Key(name), _transport.RemoteAddress, _transport.Self));
    }

    private void OnNotBanned()
    {
        if (_signingIn is not { } step) return;
        if (step.Register && step.NameClaimed)
            Tell(_services.AccountBook, new AccountBook.Create(step.Name, step.Password!, _transport.Self, _transport.RemoteAddress?.ToString()));
        else if (step.ByCookie)
        {
            step.Account = true;
            Tell(_services.UserRegistry, new UserRegistry.Register(step.Name, _transport.Self, _transport.RemoteAddress));
        }
        else if (step.Register || _services.Accounts.Mode == AccountMode.Open)
            Tell(_services.UserRegistry, new UserRegistry.Register(step.Name, _transport.Self, _transport.RemoteAddress));
        else
            Tell(_services.AccountBook, new AccountBook.SignIn(step.Name, step.Password, _transport.RemoteAddress?.ToString(), _transport.Self));
    }

    private void OnNameClaimed(UserRegistry.Registered registered)
    {
        if (_signingIn is { Register: true } step)
        {
            step.NameClaimed = true;
            Tell(_services.AccountBook, new AccountBook.Create(step.Name, step.Password!, _transport.Self, _transport.RemoteAddress?.ToString()));
            return;
        }
        UserName = registered.Name;
        _signedInToAccount = _signingIn?.Account ?? false;
        var withPassword = _signedInToAccount && _signingIn?.Password is not null;
        _signingIn = null;
        AnswerNext(new WelcomeFrame(registered.Name, _services.ServerName, Protocol.Version, _services.Settings.DefaultRoom)
        {
            SessionToken = withPassword ? _services.WebSessions?.Issue(registered.Name) : null,
            Operator = IsOperator ? true : null,
        });
        NoticeUnreadDirectMessages();
    }

    private void OnAccountCreated(AccountBook.Created created)
    {
        _signingIn = null;
        UserName = created.Name;
        _signedInToAccount = true;
        AnswerNext(new RegisteredFrame(created.Name, _services.ServerName, Protocol.Version, _services.Settings.DefaultRoom)
        {
            SessionToken = _services.WebSessions?.Issue(created.Name),
            Operator = IsOperator ? true : null,
        });
        NoticeUnreadDirectMessages();
    }

    private void OnPassword(PasswordRequest password)
    {
        if (!_signedInToAccount)
        {
            Reply(password, new ErrorFrame(ErrorCodes.NotPermitted, "Only an account has a password to change; sign in or register first."));
            return;
        }
        if (PasswordHasher.Weakness(password.New) is { } weakness)
        {
            Reply(password, new ErrorFrame(ErrorCodes.WeakPassword, weakness));
            return;
        }
        if (password.Old.Length > PasswordHasher.MaxLength)
        {
            Reply(password, new ErrorFrame(ErrorCodes.AuthFailed, AccountBook.AuthFailedMessage));
            return;
        }
        Expect(password);
        Tell(_services.AccountBook, new AccountBook.ChangePassword(UserName!, new Secret(password.Old), new Secret(password.New),
            _transport.RemoteAddress?.ToString(), _transport.Self));
    }

    private bool CheckOperator(ClientFrame frame)
    {
        if (IsOperator) return true;
        Reply(frame, new ErrorFrame(ErrorCodes.NotPermitted, "Only operators may do that."));
        return false;
    }

    private const int MaxReasonLength = 200;

    /// <summary>An operator's (or a room moderator's) reason as clients will read it, or an error for the frame.</summary>
    private static ErrorFrame? ReasonProblem(string? reason, int maxLength = MaxReasonLength)
    {
        if (reason is null) return null;
        if (Protocol.ForbiddenCharacter(reason) is { } forbidden) return new ErrorFrame(ErrorCodes.BadRequest, Protocol.DescribeForbidden(forbidden));
        return Protocol.TextLength(reason) > maxLength
            ? new ErrorFrame(ErrorCodes.BadRequest, $"A reason is at most {maxLength} characters.")
            : null;
    }

    private void OnKill(KillRequest kill)
    {
        if (!CheckOperator(kill)) return;
        if (ReasonProblem(kill.Reason) is { } problem)
        {
            Reply(kill, problem);
            return;
        }
        if (!Protocol.IsValidName(kill.User))
        {
            Reply(kill, new ErrorFrame(ErrorCodes.NoSuchUser, $"No user named '{Shorten(kill.User)}' is online."));
            return;
        }
        Expect(kill);
        _services.RevokeTokensOf(kill.User); // its pages and upload tokens too, online or not
        Tell(_services.UserRegistry, new UserRegistry.Kill(kill.User, kill.Reason ?? "", UserName!, _transport.Self, kill.Ref));
    }

    /// <summary>A ban of one account or one address (range); minutes left out: for good.</summary>
    private void OnBan(BanRequest ban)
    {
        if (!CheckOperator(ban)) return;
        if (BanTarget(ban, ban.User, ban.Address) is not { } target) return;
        if (ReasonProblem(ban.Reason) is { } problem)
        {
            Reply(ban, problem);
            return;
        }
        if (ban.Minutes is { } minutes && (double.IsNaN(minutes) || minutes <= 0 || minutes > 100 * 365 * 24 * 60))
        {
            Reply(ban, new ErrorFrame(ErrorCodes.BadRequest, "'minutes' is a number above 0 (fractions allowed); leave it out for a ban for good."));
            return;
        }
        Expect(ban);
        if (target.Kind == Bans.AccountKind) _services.RevokeTokensOf(target.Target);
        var until = ban.Minutes is { } length ? DateTimeOffset.UtcNow + TimeSpan.FromMinutes(length) : (DateTimeOffset?)null;
        Tell(_services.BanList, new BanList.Place(target.Kind, target.Target, until, ban.Reason ?? "", UserName!, _transport.Self, ban.Ref));
    }

    private void OnUnban(UnbanRequest unban)
    {
        if (!CheckOperator(unban)) return;
        if (BanTarget(unban, unban.User, unban.Address) is not { } target) return;
        Expect(unban);
        Tell(_services.BanList, new BanList.Lift(target.Kind, target.Target, UserName!, _transport.Self, unban.Ref));
    }

    private (string Kind, string Target)? BanTarget(ClientFrame frame, string? user, string? address)
    {
        if ((user is null) == (address is null))
        {
            Reply(frame, new ErrorFrame(ErrorCodes.BadRequest, "Name either a 'user' or an 'address', not both."));
            return null;
        }
        if (user is not null)
        {
            if (Protocol.IsValidName(user)) return (Bans.AccountKind, Protocol.Key(user));
            Reply(frame, new ErrorFrame(ErrorCodes.InvalidName, $"A name is 1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.'."));
            return null;
        }
        try
        {
            return (Bans.AddressKind, Bans.NormalizeAddress(address!));
        }
        catch (ArgumentException)
        {
            Reply(frame, new ErrorFrame(ErrorCodes.BadRequest, "'address' is an IP address or a range such as 192.0.2.0/24."));
            return null;
        }
    }

    private void OnJoin(JoinRequest join)
    {
        if (!CheckRoomName(join)) return;
        if (PasswordProblem(join.Password) is { } badPassword)
        {
            Reply(join, badPassword);
            return;
        }
        var key = Protocol.Key(join.Room);
        if (!_rooms.ContainsKey(key))
        {
            if (_rooms.Count >= _services.Settings.MaxRoomsPerSession)
            {
                Reply(join, new ErrorFrame(ErrorCodes.TooManyRooms,
                    $"You are in {_rooms.Count} rooms already, the most one connection may join; leave one first."));
                return;
            }
            // Counted as joined from here, which nothing can see: every later frame waits for the room's answer,
            // and a refusal takes it out again.
            _rooms[key] = join.Room;
        }
        var command = new RoomProtocol.Join(join.Room, UserName!, _transport.Self, Ref: join.Ref, Registered: IsRegistered, Password: join.Password);
        if (IsRegistered && HasInboxes) JoinWithLastRead(join, command);
        else Ask(join, command);
    }

    private void OnLeave(LeaveRequest leave)
    {
        if (!CheckRoomName(leave)) return;
        var key = Protocol.Key(leave.Room);
        if (!_rooms.Remove(key))
        {
            Reply(leave, new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{leave.Room}'."));
            return;
        }
        Ask(leave, new RoomProtocol.Leave(leave.Room, UserName!, _transport.Self, leave.Ref));
        Detach(key);
    }

    private void OnSay(SayRequest say)
    {
        if (SayProblem(say) is { } problem)
        {
            Reply(say, problem);
            return;
        }
        Ask(say, new RoomProtocol.Post(say.Room, UserName!, say.Text, _transport.Self, say.Ref, say.ReplyTo, say.Action == true)
        {
            Attachments = AttachmentsOf(say.Attachments),
        }, saysMayFollow: true);
    }

    private ErrorFrame? SayProblem(SayRequest say)
    {
        if (RoomNameProblem(say.Room) is { } badName) return badName;
        if (TextProblem(say.Text) is { } badText) return badText;
        if (AttachmentProblem(say.Attachments) is { } badFiles) return badFiles;
        if (say.ReplyTo is not null && MessageIdProblem(say.ReplyTo) is { } badReply) return badReply;
        return _rooms.ContainsKey(Protocol.Key(say.Room))
            ? null
            : new ErrorFrame(ErrorCodes.NotInRoom, $"Join room '{say.Room}' before saying something there.");
    }

    /// <summary>History is for members, as in any chat: join a room to read what was said there.</summary>
    private void OnHistory(HistoryRequest history)
    {
        if (!IsConversationName(history.Room) && !CheckRoomName(history)) return;
        var limit = history.Limit ?? Protocol.DefaultHistoryPage;
        if (limit is < 1 or > Protocol.MaxHistoryPage)
        {
            Reply(history, new ErrorFrame(ErrorCodes.BadRequest, $"A history limit is 1 to {Protocol.MaxHistoryPage}; {limit} is not."));
            return;
        }
        if (history.Before is < 1)
        {
            Reply(history, new ErrorFrame(ErrorCodes.BadRequest, "'before' is a message seq, 1 or more."));
            return;
        }
        if (IsConversationName(history.Room))
        {
            OnDirectHistory(history, limit);
            return;
        }
        if (!_rooms.ContainsKey(Protocol.Key(history.Room)))
        {
            Reply(history, new ErrorFrame(ErrorCodes.NotInRoom, $"Join room '{history.Room}' to read its history."));
            return;
        }
        Ask(history, new RoomProtocol.GetHistory(history.Room, history.Before, limit, _transport.Self, history.Ref));
    }

    /// <summary>Search is answered by the search service, which checks what this user may read at query time.</summary>
    private void OnSearch(SearchRequest search)
    {
        if (_services.Search.Equals(Akka.Actor.ActorRefs.Nobody))
        {
            Reply(search, new ErrorFrame(ErrorCodes.Unavailable, "This server does not search messages."));
            return;
        }
        Expect(search);
        _services.Search.Tell(new Search.SearchService.Find(search, UserName!, _transport.Self), _transport.Self);
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

    /// <summary>
    /// Cluster mode: the room moves to another node. It is told that nothing more comes from here (after all this
    /// session sent it directly), and what follows goes through the directory, which sharding holds until the room
    /// runs on its next node; that one starts with the room's members, so the session stays in it and attaches again.
    /// </summary>
    private void OnRoomMoving(RoomProtocol.RoomMoving moving)
    {
        moving.Room.Tell(new RoomProtocol.MovingAck(_transport.Self), _transport.Self);
        if (_attached.TryGetValue(moving.Key, out var room) && room.Equals(moving.Room))
        {
            _attached.Remove(moving.Key);
            _transport.Unwatch(room);
        }
        if (_rooms.TryGetValue(moving.Key, out var name)) TellRoom(new RoomProtocol.Attach(name, _transport.Self));
    }

    private void Detach(string key)
    {
        _viaDirectory.Remove(key);
        if (_attached.Remove(key, out var room)) _transport.Unwatch(room);
    }

    /// <summary>
    /// The room failed and its members are out of it: the client is told, with the room's name, and may join it
    /// again. What the client asked of it and is still unanswered will not be answered by it.
    /// </summary>
    private void OnRoomLost(RoomProtocol.RoomLost lost)
    {
        var wasIn = _rooms.Remove(lost.Key);
        Detach(lost.Key);
        // Unanswered frames all went to one place; if that was this room, none of them will be answered now.
        if (_unansweredTarget == lost.Key) FailUnanswered($"Room '{lost.Name}' failed before it answered; join it again.");
        if (wasIn)
            _transport.Send(new ErrorFrame(ErrorCodes.RoomFailed, $"Room '{lost.Name}' failed and you are no longer in it; join it again.") { Room = lost.Name });
    }

    /// <summary>
    /// The room answered an attach saying this session is not among its members: it came back without them (its
    /// node was lost, in cluster mode). The client is told, with the room's name, and may join again. The room itself
    /// runs, so what the session asked of it is still answered by it. An answer to an older attach, with a join or
    /// attach sent since, is left alone: that one's answer decides.
    /// </summary>
    private void OnNotAMember(RoomProtocol.NotAMember answer)
    {
        if (!_rooms.ContainsKey(answer.Key)) return;
        if (answer.Ticket < _viaDirectory.GetValueOrDefault(answer.Key).LastAsked) return;
        _rooms.Remove(answer.Key);
        Detach(answer.Key);
        _transport.Send(new ErrorFrame(ErrorCodes.RoomFailed,
            $"Room '{answer.Name}' started again without its members (the server node it ran on was lost); you are no longer in it; join it again.") { Room = answer.Name });
    }

    /// <summary>The cursor is the <c>next</c> of an earlier rooms frame, which is always a room name.</summary>
    private void OnRoomList(RoomListRequest list)
    {
        if (list.After is not null && !Protocol.IsValidRoom(list.After))
        {
            Reply(list, new ErrorFrame(ErrorCodes.BadRequest, "'after' is the 'next' cursor of an earlier rooms answer."));
            return;
        }
        Expect(list);
        var command = new RoomProtocol.ListRooms(_transport.Self, list.After, list.Ref, UserName);
        if (_signedInToAccount && HasInboxes) ListRoomsWithReadMarkers(command);
        else Tell(_services.RoomDirectory, command);
    }

    private void OnDirectMessage(DirectMessageRequest dm)
    {
        if (DirectMessageProblem(dm) is { } problem)
        {
            Reply(dm, problem);
            return;
        }
        SendDirect(dm);
    }

    private ErrorFrame? DirectMessageProblem(DirectMessageRequest dm) =>
        Protocol.IsValidName(dm.To)
            ? TextProblem(dm.Text) ?? AttachmentProblem(dm.Attachments)
            : new ErrorFrame(ErrorCodes.NoSuchUser, $"No user named '{Shorten(dm.To)}' is online.");

    private bool CheckRoomName(ClientFrame frame)
    {
        var room = frame switch
        {
            JoinRequest j => j.Room,
            LeaveRequest l => l.Room,
            WhoRequest w => w.Room,
            StatsRequest st => st.Room,
            HistoryRequest h => h.Room,
            TopicRequest t => t.Room,
            ModeRequest m => m.Room,
            InviteRequest i => i.Room,
            RoleRequest r => r.Room,
            KickRequest k => k.Room,
            RoomBanRequest b => b.Room,
            RoomUnbanRequest u => u.Room,
            DeleteRequest d => d.Room,
            DropRequest d => d.Room,
            ReactRequest r => r.Room,
            EditRequest e => e.Room,
            TypingRequest t => t.Room,
            ReadRequest r => r.Room,
            _ => throw new ArgumentException("not a frame about one room", nameof(frame)),
        };
        if (RoomNameProblem(room) is not { } problem) return true;
        Reply(frame, problem);
        return false;
    }

    private static ErrorFrame? RoomNameProblem(string room) => Protocol.IsValidRoom(room)
        ? null
        : new ErrorFrame(ErrorCodes.InvalidRoom, $"A room name is 1 to {Protocol.MaxRoomLength} letters, digits, '_', '-' or '.'.");

    private static ErrorFrame? TextProblem(string text)
    {
        if (Protocol.ForbiddenCharacter(text) is { } forbidden)
            return new ErrorFrame(ErrorCodes.BadRequest, Protocol.DescribeForbidden(forbidden));
        if (Protocol.IsBlank(text))
            return new ErrorFrame(ErrorCodes.EmptyMessage, "A message needs some visible text.");
        var length = Protocol.TextLength(text);
        return length > Protocol.MaxTextLength
            ? new ErrorFrame(ErrorCodes.MessageTooLong, $"A message is at most {Protocol.MaxTextLength} characters; this one has {length}.")
            : null;
    }

    private void Tell(Akka.Actor.IActorRef actor, object message) => actor.Tell(message, _transport.Self);

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
