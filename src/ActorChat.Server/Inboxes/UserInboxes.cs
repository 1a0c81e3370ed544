using ActorChat.Messages;
using ActorChat.Server.Accounts;
using Akka.Actor;

namespace ActorChat.Server.Inboxes;

/// <summary>
/// The inboxes of registered users, one child each, started when first needed. Rooms publish the mentions of what
/// they store on the event stream (<see cref="Mentioned"/>); only a name that has an account gets them kept, so
/// mentioning made-up names stores nothing. Requests from sessions go to the user's inbox, which answers them.
/// </summary>
public sealed class UserInboxes : UntypedActor
{
    /// <summary>Published by a room once a message that mentions <paramref name="Names"/> is stored.</summary>
    public sealed record Mentioned(IReadOnlyList<string> Names, MessageFrame Message);

    /// <summary>A request for the inbox of <paramref name="User"/> (a signed-in account name).</summary>
    public sealed record ForUser(string User, object Request);

    private sealed record AccountChecked(string Name, MentionStored Mention, bool Exists);

    /// <summary>How much of a mentioning message's text an inbox keeps.</summary>
    public const int MaxStoredText = 300;

    private readonly IActorRef _accounts;

    public UserInboxes(IActorRef accounts) => _accounts = accounts;

    public static Props Props(IActorRef accounts) => Akka.Actor.Props.Create<UserInboxes>(accounts);

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(Mentioned));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Directive.Stop); // an inbox that cannot write stops and starts afresh on the next request

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Mentioned mentioned when !_accounts.IsNobody():
                var frame = mentioned.Message;
                var text = frame.Text.Length <= MaxStoredText ? frame.Text : frame.Text[..MaxStoredText] + "…";
                var mention = new MentionStored(frame.Room, frame.Id, frame.Seq, frame.Sender, text, frame.Timestamp);
                foreach (var name in mentioned.Names)
                {
                    if (string.Equals(name, frame.Sender, StringComparison.OrdinalIgnoreCase)) continue;
                    _accounts.Ask<bool>(new AccountBook.Exists(name), TimeSpan.FromSeconds(10))
                        .PipeTo(Self, success: exists => new AccountChecked(name, mention, exists), failure: _ => new AccountChecked(name, mention, false));
                }
                break;
            case Mentioned: break;
            case AccountChecked { Exists: true } found: InboxOf(found.Name).Tell(new UserInbox.Record(found.Mention)); break;
            case AccountChecked: break;
            case ForUser request: InboxOf(request.User).Tell(request.Request); break;
            default: Unhandled(message); break;
        }
    }

    private IActorRef InboxOf(string user)
    {
        var key = Protocol.Key(user);
        var child = Context.Child(key);
        return child.IsNobody() ? Context.ActorOf(UserInbox.Props(key), key) : child;
    }
}
