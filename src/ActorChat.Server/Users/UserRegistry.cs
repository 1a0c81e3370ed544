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
    public sealed record Register(string Name, IActorRef Session);

    public sealed record Registered(string Name);

    public sealed record NameTaken(string Name);

    /// <summary>A direct message, already validated by the sender's session.</summary>
    public sealed record SendDirect(string From, string To, string Text, IActorRef Session);

    /// <summary>Answered with <see cref="UserCount"/>.</summary>
    public sealed class GetUserCount
    {
        public static readonly GetUserCount Instance = new();
        private GetUserCount() { }
    }

    public sealed record UserCount(int Users);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, (string Name, IActorRef Session)> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _keyBySession = [];

    public static Props Props() => Akka.Actor.Props.Create(() => new UserRegistry());

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Register register: OnRegister(register); break;
            case SendDirect direct: OnSendDirect(direct); break;
            case Terminated terminated: OnSessionGone(terminated.ActorRef); break;
            case GetUserCount: Sender.Tell(new UserCount(_byKey.Count)); break;
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
        _byKey[key] = (register.Name, register.Session);
        _keyBySession[register.Session] = key;
        Context.Watch(register.Session);
        register.Session.Tell(new Registered(register.Name));
        _log.Info("{0} identified ({1} users online)", register.Name, _byKey.Count);
    }

    private void OnSendDirect(SendDirect direct)
    {
        if (!_byKey.TryGetValue(Protocol.Key(direct.To), out var target))
        {
            var error = new ErrorFrame(ErrorCodes.NoSuchUser, $"No user named '{direct.To}' is online.");
            direct.Session.Tell(new Deliver(FrameCodec.EncodeLine(error)));
            return;
        }

        var frame = new DirectMessageFrame(
            Id: Guid.CreateVersion7().ToString("N"),
            From: direct.From,
            To: target.Name,
            Text: direct.Text,
            Timestamp: Protocol.FormatTimestamp(DateTime.UtcNow));
        var deliver = new Deliver(FrameCodec.EncodeLine(frame));
        target.Session.Tell(deliver);
        if (!target.Session.Equals(direct.Session)) direct.Session.Tell(deliver);
    }

    private void OnSessionGone(IActorRef session)
    {
        if (!_keyBySession.Remove(session, out var key)) return;
        if (_byKey.TryGetValue(key, out var holder) && holder.Session.Equals(session))
        {
            _byKey.Remove(key);
            _log.Info("{0} disconnected ({1} users online)", holder.Name, _byKey.Count);
        }
    }
}
