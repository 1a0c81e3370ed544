using ActorChat.Messages;
using ActorChat.Server.Accounts;
using ActorChat.Server.Users;
using Akka.Actor;

namespace ActorChat.Server.Direct;

/// <summary>
/// The kept direct-message conversations, one child per pair of users, started when first needed and stopped when
/// idle. A message from a registered user to a name with an account is kept (and delivered if they are online);
/// to any other name it goes to the user registry as before, which delivers it to whoever is online or refuses it.
/// </summary>
public sealed class DirectConversations : UntypedActor
{
    /// <summary>A direct message from <paramref name="From"/> (signed in to an account), already validated by the session.</summary>
    public sealed record Send(string From, string To, string Text, IActorRef Session, string? Ref)
    {
        /// <summary>Files the sender uploaded, already checked by the session.</summary>
        public IReadOnlyList<FileAttachment>? Attachments { get; init; }
    }

    /// <summary>A page of the conversation between <paramref name="Viewer"/> (signed in) and <paramref name="Other"/>.</summary>
    public sealed record History(string Viewer, string Other, long? Before, int Limit, IActorRef Session, string? Ref);


    public static readonly TimeSpan DefaultIdleAfter = TimeSpan.FromMinutes(2);

    private readonly IActorRef _accounts;
    private readonly IActorRef _users;
    private readonly IActorRef _inboxes;
    private readonly TimeSpan _idleAfter;
    private readonly int _maxUnread;
    private readonly Dictionary<string, List<object>> _stopping = new(StringComparer.Ordinal); // key → what came while it stops
    // Sends whose account check is out, oldest first. The account book answers Exists in the order asked, so each bool
    // that comes back belongs to the oldest; an Ask per send would let the answers' continuations overtake each other.
    private readonly Queue<Send> _checking = new();

    public DirectConversations(IActorRef accounts, IActorRef users, IActorRef inboxes, TimeSpan idleAfter, int maxUnread)
    {
        _maxUnread = maxUnread;
        _accounts = accounts;
        _users = users;
        _inboxes = inboxes;
        _idleAfter = idleAfter;
    }

    public static Props Props(IActorRef accounts, IActorRef users, IActorRef inboxes, TimeSpan? idleAfter = null,
        int maxUnread = Configuration.AccountSettings.DefaultMaxUnreadDirect) =>
        Akka.Actor.Props.Create<DirectConversations>(accounts, users, inboxes, idleAfter ?? DefaultIdleAfter, maxUnread);

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Directive.Stop); // a conversation that cannot write stops and starts afresh on the next request

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Send send:
                _checking.Enqueue(send);
                _accounts.Tell(new AccountBook.Exists(send.To));
                break;
            case bool exists when _checking.TryDequeue(out var checkedSend):
                if (exists)
                    ToConversation(Protocol.Key(checkedSend.From), Protocol.Key(checkedSend.To),
                        new DirectConversation.Post(checkedSend.From, checkedSend.To, checkedSend.Text, checkedSend.Session, checkedSend.Ref) { Attachments = checkedSend.Attachments });
                else
                    _users.Tell(new UserRegistry.SendDirect(checkedSend.From, checkedSend.To, checkedSend.Text, checkedSend.Session, checkedSend.Ref) { Attachments = checkedSend.Attachments });
                break;
            case History history:
                ToConversation(Protocol.Key(history.Viewer), Protocol.Key(history.Other),
                    new DirectConversation.GetHistory(history.Viewer, history.Other, history.Before, history.Limit, history.Session, history.Ref));
                break;
            case DirectConversation.Idle idle when !_stopping.ContainsKey(idle.Key) && Context.Child(idle.Key) is var child && !child.IsNobody():
                _stopping[idle.Key] = [];
                Context.Watch(child);
                child.Tell(DirectConversation.Stop.Instance);
                break;
            case DirectConversation.Idle: break;
            case Terminated terminated:
                var key = terminated.ActorRef.Path.Name;
                if (_stopping.Remove(key, out var held))
                    foreach (var request in held) ChildFor(key).Tell(request);
                break;
            default: Unhandled(message); break;
        }
    }

    private void ToConversation(string oneKey, string otherKey, object request)
    {
        var key = DirectConversation.KeyOf(oneKey, otherKey);
        if (_stopping.TryGetValue(key, out var held)) held.Add(request); // it is stopping: started again once stopped
        else ChildFor(key).Tell(request);
    }

    private IActorRef ChildFor(string key)
    {
        var child = Context.Child(key);
        return child.IsNobody() ? Context.ActorOf(DirectConversation.Props(key, _users, _inboxes, _idleAfter, _maxUnread), key) : child;
    }
}
