using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Users;

/// <summary>
/// Who is connected: keeps names unique (case-insensitively) and routes direct messages.
/// A session that dies frees its name (DeathWatch).
/// </summary>
public sealed class UserRegistry : UntypedActor
{
    /// <summary>Claim <paramref name="Name"/> for <paramref name="Session"/>; answered with <see cref="Registered"/> or <see cref="NameTaken"/>.</summary>
    public sealed record Register(string Name, IActorRef Session, System.Net.IPAddress? Address = null);

    /// <summary>Frees the name <paramref name="Session"/> holds (a registration that failed after the name was claimed). No answer.</summary>
    public sealed record Release(IActorRef Session);

    /// <summary>An operator disconnects <paramref name="User"/>; answered to <paramref name="Asker"/> with done or no_such_user, carrying <paramref name="Ref"/>.</summary>
    public sealed record Kill(string User, string Reason, string By, IActorRef Asker, string? Ref);

    /// <summary>
    /// Sends away whoever is online under the account <paramref name="AccountKey"/> or from an address in
    /// <paramref name="Network"/>, with <paramref name="Notice"/> before the bye. No answer.
    /// </summary>
    public sealed record Evict(string? AccountKey, System.Net.IPNetwork? Network, ErrorFrame Notice);

    public sealed record Registered(string Name);

    public sealed record NameTaken(string Name);

    /// <summary>
    /// A direct message, already validated by the sender's session; answered with the sender's own copy (carrying
    /// <paramref name="Ref"/>) or no_such_user.
    /// </summary>
    public sealed record SendDirect(string From, string To, string Text, IActorRef Session, string? Ref = null)
    {
        /// <summary>Files the sender uploaded, checked by its session (null: none).</summary>
        public IReadOnlyList<FileAttachment>? Attachments { get; init; }
    }

    /// <summary>A kept direct message (encoded) for <paramref name="To"/>, delivered if they are online. No answer.</summary>
    public sealed record DeliverDirect(string To, byte[] Line);

    /// <summary>Answered with <see cref="UserCount"/>.</summary>
    public sealed class GetUserCount
    {
        public static readonly GetUserCount Instance = new();
        private GetUserCount() { }
    }

    public sealed record UserCount(int Users);

    /// <summary>Answered with <see cref="OnlineUsers"/>: who is online, for the operator dashboard.</summary>
    public sealed class GetOnlineUsers
    {
        public static readonly GetOnlineUsers Instance = new();
        private GetOnlineUsers() { }
    }

    /// <param name="Transport">tcp, tls or websocket: the listener the user's connection came through.</param>
    /// <param name="Since">When the user identified, in Unix milliseconds.</param>
    public sealed record OnlineUser(string Name, string? Address, string Transport, long Since);

    public sealed record OnlineUsers(IReadOnlyList<OnlineUser> Users);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, (string Name, IActorRef Session)> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _keyBySession = [];
    private readonly Dictionary<IActorRef, System.Net.IPAddress> _addressBySession = [];
    private readonly Dictionary<IActorRef, long> _sinceBySession = [];

    private readonly Operations.ChatMetrics _metrics;

    public UserRegistry(Operations.ChatMetrics? metrics = null) => _metrics = metrics ?? Operations.ChatMetrics.Detached;

    public static Props Props(Operations.ChatMetrics? metrics = null) => Akka.Actor.Props.Create(() => new UserRegistry(metrics));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Register register: OnRegister(register); break;
            case SendDirect direct: OnSendDirect(direct); break;
            case DeliverDirect direct:
                if (_byKey.TryGetValue(Protocol.Key(direct.To), out var recipient)) recipient.Session.Tell(new Deliver(direct.Line));
                break;
            case Release release: OnSessionGone(release.Session); Context.Unwatch(release.Session); break;
            case Kill kill: OnKill(kill); break;
            case Evict evict: OnEvict(evict); break;
            case Terminated terminated: OnSessionGone(terminated.ActorRef); break;
            case GetUserCount: Sender.Tell(new UserCount(_byKey.Count)); break;
            case GetOnlineUsers: Sender.Tell(Online()); break;
            default: Unhandled(message); break;
        }
    }

    private void OnRegister(Register register)
    {
        var key = Protocol.Key(register.Name);
        if (_byKey.TryGetValue(key, out var holder) && !holder.Session.Equals(register.Session))
        {
            register.Session.Tell(new NameTaken(register.Name));
            return;
        }
        if (holder.Session is null) _metrics.UserOnline();
        _byKey[key] = (register.Name, register.Session);
        _keyBySession[register.Session] = key;
        _sinceBySession.TryAdd(register.Session, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        if (register.Address is { } address) _addressBySession[register.Session] = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Context.Watch(register.Session);
        register.Session.Tell(new Registered(register.Name));
        _log.Info("{0} identified ({1} users online)", register.Name, _byKey.Count);
    }

    private void OnSendDirect(SendDirect direct)
    {
        if (!_byKey.TryGetValue(Protocol.Key(direct.To), out var target))
        {
            direct.Session.Tell(Deliver.Answer(new ErrorFrame(ErrorCodes.NoSuchUser, $"No user named '{direct.To}' is online.") { Ref = direct.Ref }));
            return;
        }

        var frame = new DirectMessageFrame(
            Id: Rooms.MessageIds.Next(),
            From: direct.From,
            To: target.Name,
            Text: direct.Text,
            Timestamp: Protocol.FormatTimestamp(DateTime.UtcNow))
        {
            Attachments = direct.Attachments is { Count: > 0 } files ? files : null,
        };
        // Before either copy goes out, so the recipient can download the files as soon as it sees them.
        if (frame.Attachments is { } attached)
            Context.System.EventStream.Publish(new Files.FileKeeper.Attached(
                Search.SearchConversations.Direct(Protocol.Key(direct.From), Protocol.Key(target.Name)), frame.Id,
                attached.Select(f => f.Id).ToArray(), [direct.From, target.Name]));
        var line = FrameCodec.EncodeLine(frame);
        var toSelf = target.Session.Equals(direct.Session);
        if (!toSelf) target.Session.Tell(new Deliver(line));
        // The sender's copy answers its dm; it carries the sender's ref, which the recipient never sees.
        direct.Session.Tell(new Deliver(direct.Ref is null ? line : FrameCodec.EncodeLine(frame with { Ref = direct.Ref }), answers: 1));
    }

    private void OnKill(Kill kill)
    {
        if (!_byKey.TryGetValue(Protocol.Key(kill.User), out var target))
        {
            kill.Asker.Tell(Deliver.Answer(new ErrorFrame(ErrorCodes.NoSuchUser, $"No user named '{kill.User}' is online.") { Ref = kill.Ref }));
            return;
        }
        _log.Warning("{0} killed {1}: {2}", kill.By, target.Name, kill.Reason);
        // The operator's answer first: killing oneself still answers the kill before the bye.
        kill.Asker.Tell(Deliver.Answer(new DoneFrame("kill") { Ref = kill.Ref }));
        target.Session.Tell(new Disconnect(null, new ByeFrame(ByeFrame.Killed) { Message = kill.Reason }));
    }

    private void OnEvict(Evict evict)
    {
        foreach (var (key, holder) in _byKey)
        {
            var byAccount = evict.AccountKey == key;
            var byAddress = evict.Network is { } network && _addressBySession.TryGetValue(holder.Session, out var address) && network.Contains(address);
            if (!byAccount && !byAddress) continue;
            _log.Info("Sending banned {0} away", holder.Name);
            holder.Session.Tell(new Disconnect(evict.Notice, new ByeFrame(ByeFrame.Banned) { Message = evict.Notice.Message }));
        }
    }

    /// <summary>Each connection is a child of its listener (tcp, tls, websockets), whose name tells the transport.</summary>
    private OnlineUsers Online() => new(_byKey.Values
        .Select(user => new OnlineUser(user.Name,
            _addressBySession.TryGetValue(user.Session, out var address) ? address.ToString() : null,
            user.Session.Path.Parent.Name switch { "tls" => Operations.ChatMetrics.Tls, "websockets" => Operations.ChatMetrics.WebSocket, _ => Operations.ChatMetrics.Tcp },
            _sinceBySession.GetValueOrDefault(user.Session)))
        .OrderBy(user => user.Name, StringComparer.OrdinalIgnoreCase)
        .ToArray());

    private void OnSessionGone(IActorRef session)
    {
        _addressBySession.Remove(session);
        _sinceBySession.Remove(session);
        if (!_keyBySession.Remove(session, out var key)) return;
        if (_byKey.TryGetValue(key, out var holder) && holder.Session.Equals(session))
        {
            _byKey.Remove(key);
            _metrics.UserOffline();
            _log.Info("{0} disconnected ({1} users online)", holder.Name, _byKey.Count);
        }
    }
}
