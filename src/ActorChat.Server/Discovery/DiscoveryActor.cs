using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.IO;

namespace ActorChat.Server.Discovery;

/// <summary>
/// Answers LAN discovery: binds a UDP port on the server's bind address (0.0.0.0, the default, also receives
/// broadcasts) and replies to a <c>DISCOVER</c> datagram with one <c>CHAT_SERVER_FOUND {json}</c> datagram to its
/// sender. Any other datagram is ignored. So that spoofed requests cannot turn the server into a flood source, an
/// answer is never more than <see cref="DiscoveryCodec.MaxAmplification"/> times the request's bytes (clients pad
/// their request), and answers are rate-limited per source address and for all addresses together.
/// A failed bind is logged and leaves the chat server running without discovery.
/// </summary>
public sealed class DiscoveryActor : UntypedActor
{
    /// <summary>Answered with <see cref="BindResult"/> once the bind succeeded or failed.</summary>
    public sealed class WaitForBind
    {
        public static readonly WaitForBind Instance = new();
        private WaitForBind() { }
        public override string ToString() => "Discovery.WaitForBind";
    }

    public sealed record BindResult(IPEndPoint? LocalAddress, string? Error)
    {
        public bool Bound => LocalAddress is not null;
    }

    /// <summary>Release the UDP port; answered with <see cref="Done"/> once it is released (or was never bound).</summary>
    public sealed class Unbind
    {
        public static readonly Unbind Instance = new();
        private Unbind() { }
        public override string ToString() => "Discovery.Unbind";
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DiscoverySettings _settings;
    private byte[] _reply;
    private readonly DiscoveryAnnouncement _announcement;
    private readonly Func<IReadOnlyList<DiscoveryNode>>? _nodes;
    private IReadOnlyList<DiscoveryNode>? _nodesInReply;
    private readonly ReplyRateLimiter _limiter;
    private readonly List<IActorRef> _bindWaiters = [];
    private readonly List<IActorRef> _unbindWaiters = [];
    private BindResult? _bindResult;
    private IActorRef? _listener;
    private bool _unbinding;
    private long _droppedPerAddress;
    private long _droppedGlobally;
    private long _tooSmall;

    private readonly Operations.ChatMetrics _metrics;

    public DiscoveryActor(DiscoverySettings settings, DiscoveryAnnouncement announcement, Func<long>? clock = null,
        Operations.ChatMetrics? metrics = null, Func<IReadOnlyList<DiscoveryNode>>? nodes = null)
    {
        _metrics = metrics ?? Operations.ChatMetrics.Detached;
        _settings = settings;
        _announcement = announcement;
        _nodes = nodes;
        _reply = DiscoveryCodec.EncodeReply(announcement);
        _limiter = new ReplyRateLimiter(settings.RepliesPerSecond, settings.RepliesBurst, settings.TrackedAddresses,
            settings.GlobalRepliesPerSecond, settings.GlobalRepliesBurst, clock);
    }

    /// <param name="announcement">What to tell clients; its TCP port must be the port really bound.</param>
    /// <param name="clock">Tick source for the rate limits; tests pass their own.</param>
    /// <param name="nodes">In cluster mode, the cluster's nodes as this node knows them now, listed in each answer.</param>
    public static Props Props(DiscoverySettings settings, DiscoveryAnnouncement announcement, Func<long>? clock = null,
        Operations.ChatMetrics? metrics = null, Func<IReadOnlyList<DiscoveryNode>>? nodes = null) =>
        Akka.Actor.Props.Create(() => new DiscoveryActor(settings, announcement, clock, metrics, nodes));

    protected override void PreStart()
    {
        if (_reply.Length > DiscoveryCodec.MaxDatagramBytes)
            _log.Warning("The discovery answer is {0} bytes, more than the {1} a client reads: shorten the server name, " +
                         "or clients must be given --host", _reply.Length, DiscoveryCodec.MaxDatagramBytes);
        var endpoint = new IPEndPoint(BindAddress(_settings.Bind), _settings.UdpPort);
        Inet.SocketOption[] options = [new Udp.SO.Broadcast(true), new Inet.SO.ReuseAddress(true)];
        Context.System.Udp().Tell(new Udp.Bind(Self, endpoint, options));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Udp.Received received: OnDatagram(received); break;
            case Udp.Bound { LocalAddress: null }:
                break; // a listener whose bind failed still says Bound, without an address, after its CommandFailed
            case Udp.Bound bound:
                _listener = Sender;
                Answer(new BindResult((IPEndPoint)bound.LocalAddress, null));
                if (_unbinding) _listener.Tell(Udp.Unbind.Instance); // shut down while the bind was under way
                else if (((IPEndPoint)bound.LocalAddress).Address.Equals(IPAddress.Any))
                    _log.Info("Answering LAN discovery on UDP {0}", bound.LocalAddress);
                else
                    _log.Info("Answering LAN discovery on UDP {0}, only to requests sent to that address (no broadcasts)", bound.LocalAddress);
                break;
            case Udp.CommandFailed { Cmd: Udp.Bind }:
                var error = $"LAN discovery is off: cannot bind UDP port {_settings.UdpPort} (in use, or not permitted). " +
                            "The chat server runs on; clients must be given --host. Pick another port with --udp-port, or 0 to turn discovery off.";
                _log.Error(error);
                Answer(new BindResult(null, error));
                if (_unbinding) FinishUnbind();
                break;
            case Udp.Unbound:
                _log.Info("LAN discovery stopped");
                _listener = null;
                FinishUnbind();
                break;
            case WaitForBind:
                if (_bindResult is null) _bindWaiters.Add(Sender);
                else Sender.Tell(_bindResult);
                break;
            case Unbind: OnUnbind(); break;
            default: Unhandled(message); break;
        }
    }

    private void OnDatagram(Udp.Received received)
    {
        if (_unbinding || received.Sender is not IPEndPoint from) return;
        if (!DiscoveryCodec.IsRequest(received.Data.ToArray()))
        {
            _log.Debug("Ignored a datagram of {0} bytes from {1}: not a discovery request", received.Data.Count, from);
            return;
        }
        RefreshNodes();
        if (!DiscoveryCodec.ReplyFitsRequest(received.Data.Count, _reply.Length))
        {
            // Checked before the rate limits: a request that gets no answer must not use up anyone's answers.
            _tooSmall++;
            _metrics.DiscoveryRefused("request_too_small");
            _log.Debug("Ignored a discovery request of {0} bytes from {1}: the answer ({2} bytes) may be at most {3}x " +
                       "the request; clients pad DISCOVER to {4} bytes ({5} ignored so far)",
                received.Data.Count, from, _reply.Length, DiscoveryCodec.MaxAmplification, DiscoveryCodec.PaddedRequestBytes, _tooSmall);
            return;
        }
        switch (_limiter.Decide(from.Address))
        {
            case ReplyDecision.AddressTooFast:
                _metrics.DiscoveryRefused("address_too_fast");
                if (_droppedPerAddress++ % 100 == 0)
                    _log.Warning("Discovery requests from {0} come too fast; dropping some ({1} dropped so far)", from.Address, _droppedPerAddress);
                return;
            case ReplyDecision.ServerTooBusy:
                _metrics.DiscoveryRefused("server_too_busy");
                if (_droppedGlobally++ % 1000 == 0)
                    _log.Warning("More discovery requests than the {0} answers per second sent to all addresses together; " +
                                 "dropping some ({1} dropped so far)", _settings.GlobalRepliesPerSecond, _droppedGlobally);
                return;
        }
        _log.Debug("Discovery request from {0}", from);
        _metrics.DiscoveryReplied(); // before the answer leaves, so that whoever got it reads it counted
        Sender.Tell(Udp.Send.Create(ByteString.FromBytes(_reply), from));
    }

    /// <summary>
    /// Puts the cluster's nodes in the answer when they changed since it was encoded. So that the answer stays one
    /// datagram a client reads whole, the nodes at the end of the list (this node is first) are left out when all
    /// of them would not fit.
    /// </summary>
    private void RefreshNodes()
    {
        if (_nodes?.Invoke() is not { } nodes || ReferenceEquals(nodes, _nodesInReply)) return;
        _nodesInReply = nodes;
        for (var count = nodes.Count; count >= 0; count--)
        {
            _reply = DiscoveryCodec.EncodeReply(_announcement with { Nodes = count == 0 ? null : nodes.Take(count).ToList() });
            if (_reply.Length <= DiscoveryCodec.MaxDatagramBytes) return;
        }
    }

    /// <summary>The TCP bind address; "any" of IPv6 means IPv4 "any" here, as discovery is IPv4 broadcast.</summary>
    private static IPAddress BindAddress(string bind)
    {
        var address = IPAddress.Parse(bind);
        return address.Equals(IPAddress.IPv6Any) ? IPAddress.Any : address;
    }

    private void OnUnbind()
    {
        _unbindWaiters.Add(Sender);
        if (_unbinding) return;
        _unbinding = true;
        if (_listener is not null) _listener.Tell(Udp.Unbind.Instance);
        else if (_bindResult is not null) FinishUnbind(); // never bound: nothing to release
        // else: the bind is still under way; the Bound or CommandFailed that comes decides.
    }

    private void FinishUnbind()
    {
        foreach (var waiter in _unbindWaiters) waiter.Tell(Done.Instance);
        _unbindWaiters.Clear();
    }

    protected override void PostStop()
    {
        // UdpListener only disposes its socket on Unbind; a discovery actor stopped without one must not leak it.
        _listener?.Tell(Udp.Unbind.Instance);
    }

    private void Answer(BindResult result)
    {
        _bindResult = result;
        foreach (var waiter in _bindWaiters) waiter.Tell(result);
        _bindWaiters.Clear();
    }
}
