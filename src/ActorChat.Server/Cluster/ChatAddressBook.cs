using ActorChat.Messages;
using ActorChat.Server.Hosting;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorChat.Server.Cluster;

/// <summary>
/// On each node of a cluster: tells others this node's chat ports, and learns theirs. Member roles cannot carry the
/// ports (they are fixed before the listeners bind, and a port may be chosen by the OS), so each member's book is
/// asked once it is Up, again every second until it knows its ports; the answers, for the reachable Up members,
/// go to <see cref="ClusterChatAddresses"/>. A member that leaves or becomes unreachable drops out of the list.
/// </summary>
public sealed class ChatAddressBook : ReceiveActor, IWithTimers
{
    public const string Name = "chat-addresses";

    public sealed record GetOwnChatAddress
    {
        public static readonly GetOwnChatAddress Instance = new();
    }

    /// <summary>A node's chat ports; Bound is false while its listeners are still starting (ask again).</summary>
    public sealed record OwnChatAddress(bool Bound, int? Port, int? Web);

    private sealed record Heard(Address Member, OwnChatAddress? Address);

    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
    }

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ClusterChatAddresses _addresses;
    private readonly HashSet<Address> _up = [];
    private readonly HashSet<Address> _unreachable = [];
    private readonly HashSet<Address> _asking = [];
    private readonly Dictionary<Address, DiscoveryNode> _known = [];

    public ITimerScheduler Timers { get; set; } = null!;

    public ChatAddressBook(ListeningEndpoints endpoints, ClusterChatAddresses addresses)
    {
        _addresses = addresses;
        Receive<GetOwnChatAddress>(_ => Sender.Tell(endpoints.Bound.IsCompleted
            ? new OwnChatAddress(true, endpoints.Tcp?.Port, endpoints.Web?.Port)
            : new OwnChatAddress(false, null, null)));
        Receive<ClusterEvent.MemberUp>(e => { _up.Add(e.Member.Address); AskUnknown(); });
        Receive<ClusterEvent.MemberRemoved>(e => Forget(e.Member.Address));
        Receive<ClusterEvent.MemberExited>(e => Forget(e.Member.Address));
        Receive<ClusterEvent.UnreachableMember>(e => { _unreachable.Add(e.Member.Address); Publish(); });
        Receive<ClusterEvent.ReachableMember>(e => { _unreachable.Remove(e.Member.Address); Publish(); });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<Refresh>(_ => AskUnknown());
        Receive<Heard>(OnHeard);
    }

    public static Props Props(ListeningEndpoints endpoints, ClusterChatAddresses addresses) =>
        Akka.Actor.Props.Create(() => new ChatAddressBook(endpoints, addresses));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer("refresh", Refresh.Instance, RefreshInterval);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void AskUnknown()
    {
        foreach (var member in _up.Where(m => !_known.ContainsKey(m) && !_asking.Contains(m) && !_unreachable.Contains(m)).ToList())
        {
            _asking.Add(member);
            Context.ActorSelection(new RootActorPath(member) / "user" / Name)
                .Ask<OwnChatAddress>(GetOwnChatAddress.Instance, AskTimeout)
                .ContinueWith(t => new Heard(member, t.IsCompletedSuccessfully ? t.Result : null), TaskContinuationOptions.ExecuteSynchronously)
                .PipeTo(Self);
        }
    }

    private void OnHeard(Heard heard)
    {
        _asking.Remove(heard.Member);
        if (!_up.Contains(heard.Member) || heard.Address is not { Bound: true, Port: { } port }) return; // asked again on the next refresh
        _known[heard.Member] = new DiscoveryNode(heard.Member.Host ?? "127.0.0.1", port, heard.Address.Web);
        _log.Debug("Cluster member {0} takes chat clients on {1}", heard.Member, _known[heard.Member]);
        Publish();
    }

    private void Forget(Address member)
    {
        _up.Remove(member);
        _unreachable.Remove(member);
        _known.Remove(member);
        Publish();
    }

    private void Publish()
    {
        var self = _cluster.SelfAddress;
        var members = _known
            .Where(k => _up.Contains(k.Key) && !_unreachable.Contains(k.Key))
            .OrderBy(k => k.Key.Equals(self) ? 0 : 1).ThenBy(k => k.Key.ToString(), StringComparer.Ordinal)
            .Select(k => new MemberChatAddress(k.Key.ToString(), k.Value))
            .ToList();
        _addresses.Set(members);
    }
}
