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

    /// <summary>
    /// A direct message, already validated by the sender's session; answered with the sender's own copy (carrying
    /// <paramref name="Ref"/>) or no_such_user.
    /// </summary>
    public sealed record SendDirect(string From, string To, string Text, IActorRef Session, string? Ref = null);

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
            direct.Session.Tell(Deliver.Answer(new ErrorFrame(ErrorCodes.NoSuchUser, $"No user named '{direct.To}' is online.") { Ref = direct.Ref }));
            return;
        }

        var frame = new DirectMessageFrame(
            Id: Guid.CreateVersion7().ToString("N"),
            From: direct.From,
            To: target.Name,
            Text: direct.Text,
            Timestamp: Protocol.FormatTimestamp(DateTime.UtcNow));
        var line = FrameCodec.EncodeLine(frame);
        var toSelf = target.Session.Equals(direct.Session);
        if (!toSelf) target.Session.Tell(new Deliver(line));
        // The sender's copy answers its dm; it carries the sender's ref, which the recipient never sees.
        direct.Session.Tell(new Deliver(direct.Ref is null ? line : FrameCodec.EncodeLine(frame with { Ref = direct.Ref }), answers: 1));
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
