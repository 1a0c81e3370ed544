using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using static ActorChat.Server.Transport.ListenerProtocol;

namespace ActorChat.Server.Transport.Tcp;

/// <summary>
/// Binds the TCP port and starts one <see cref="TcpConnectionActor"/> per accepted client. Reports whether the
/// bind worked (a port in use is a start-up error), and on shutdown stops accepting and lets every client go
/// with its pending frames and a clean close. A client whose address is over its connection limits
/// (<see cref="ConnectionAdmission"/>) gets a <c>too_many_connections</c> error line and is closed instead.
/// </summary>
public sealed class TcpListenerActor : UntypedActor
{
    /// <summary>Answered with <see cref="BindResult"/> once the bind succeeded or failed.</summary>
    public sealed class WaitForBind
    {
        public static readonly WaitForBind Instance = new();
        private WaitForBind() { }
    }

    public sealed record BindResult(EndPoint? LocalAddress, string? Error)
    {
        public bool Bound => LocalAddress is not null;
    }

    /// <summary>How long a refused client has to read its error line and close; short, as refused clients are not counted.</summary>
    private static readonly TimeSpan RefusalGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Accepts the listener keeps under way, asked for once: Akka.IO's listener starts another accept as each one
    /// completes, and every ResumeAccepting adds a new set without retiring the old one.
    /// </summary>
    private const int AcceptBatch = 128;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TcpTransportSettings _settings;
    private readonly SessionServices _services;
    private readonly ConnectionAdmission? _admission;
    private readonly Dictionary<IActorRef, ConnectionAdmission.Ticket> _tickets = new();
    private readonly List<IActorRef> _bindWaiters = [];
    private readonly List<IActorRef> _drainWaiters = [];
    private BindResult? _bindResult;
    private IActorRef? _listener;
    private int _connections;
    private int _farewells;
    private bool _draining;

    /// <param name="admission">Limits per source address, shared with the WebSocket side; null admits everyone.</param>
    public TcpListenerActor(TcpTransportSettings settings, SessionServices services, ConnectionAdmission? admission = null)
    {
        _settings = settings;
        _services = services;
        _admission = admission;
    }

    public static Props Props(TcpTransportSettings settings, SessionServices services, ConnectionAdmission? admission = null) =>
        Akka.Actor.Props.Create(() => new TcpListenerActor(settings, services, admission));

    protected override SupervisorStrategy SupervisorStrategy() => ConnectionSupervision.StopOnFailure;

    protected override void PreStart()
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(_settings.Bind), _settings.Port);
        var options = _settings.SendBufferBytes > 0
            ? new Inet.SocketOption[] { new Inet.SO.SendBufferSize(_settings.SendBufferBytes) }
            : null;
        // Pull mode: each connection reads once per ResumeReading, so input comes no faster than it is handled
        // (push mode with SuspendReading lets reads already under way run on, and drops a read that completes
        // while suspended). The listener then accepts only as often as it is asked, after each accept.
        Context.System.Tcp().Tell(new Akka.IO.Tcp.Bind(Self, endpoint, _settings.Backlog, options, pullMode: true));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Akka.IO.Tcp.Bound bound:
                _listener = Sender;
                _listener.Tell(new Akka.IO.Tcp.ResumeAccepting(AcceptBatch));
                _log.Info("Listening for TCP clients on {0}", bound.LocalAddress);
                Answer(new BindResult(bound.LocalAddress, null));
                break;
            case Akka.IO.Tcp.CommandFailed { Cmd: Akka.IO.Tcp.Bind } failed:
                var reason = failed.Cause.HasValue ? failed.Cause.Value.Message : "the address is not available";
                Answer(new BindResult(null, $"cannot listen on TCP {_settings.Bind}:{_settings.Port}: {reason}"));
                break;
            case Akka.IO.Tcp.Connected connected: OnConnected(connected); break;
            case Terminated terminated: OnConnectionGone(terminated.ActorRef); break;
            case WaitForBind:
                if (_bindResult is null) _bindWaiters.Add(Sender);
                else Sender.Tell(_bindResult);
                break;
            case Drain: OnDrain(); break;
            case GetConnectionCount: Sender.Tell(new ConnectionCount(_connections)); break;
            case Akka.IO.Tcp.Unbound: break;
            default: Unhandled(message); break;
        }
    }

    private void OnConnected(Akka.IO.Tcp.Connected connected)
    {
        if (_draining)
        {
            Sender.Tell(Akka.IO.Tcp.Abort.Instance);
            return;
        }
        ConnectionAdmission.Ticket? ticket = null;
        if (_admission is not null && connected.RemoteAddress is IPEndPoint remote)
        {
            ticket = _admission.TryAdmit(remote.Address, out var refusal);
            if (ticket is null)
            {
                _log.Debug("Refused TCP connection from {0}: {1}", connected.RemoteAddress, refusal);
                _services.Metrics.ConnectionRefused(Operations.ChatMetrics.Tcp, ErrorCodes.TooManyConnections);
                var line = FrameCodec.EncodeLine(new ErrorFrame(ErrorCodes.TooManyConnections, refusal!));
                Context.ActorOf(RefusedConnectionActor.Props(Sender, line, RefusalGrace));
                return;
            }
        }
        var handler = Context.ActorOf(TcpConnectionActor.Props(Sender, connected.RemoteAddress, _services));
        Context.Watch(handler);
        _connections++;
        if (ticket is not null) _tickets[handler] = ticket; // the handler registers itself with the connection
    }

    private void OnConnectionGone(IActorRef handler)
    {
        if (_tickets.Remove(handler, out var ticket)) ticket.Release();
        _connections--;
        if (_draining && _connections == 0) FinishDrain();
    }

    private void OnDrain()
    {
        _drainWaiters.Add(Sender);
        if (_draining)
        {
            if (_connections == 0) FinishDrain(); // asked again after the drain was over: answered at once
            return;
        }
        _draining = true; // from now on a new connection is refused
        _farewells = _connections;
        _log.Info("Closing {0} TCP connections", _connections);
        foreach (var child in Context.GetChildren()) child.Tell(CloseGracefully.Instance);
        if (_connections == 0) FinishDrain();
    }

    private void FinishDrain()
    {
        // Unbound only now: Akka.IO's connections are children of its listener, and an unbound listener stops them,
        // which aborts their sockets (a reset) whether or not their bye has gone out.
        _listener?.Tell(Akka.IO.Tcp.Unbind.Instance);
        _listener = null;
        foreach (var waiter in _drainWaiters) waiter.Tell(new Drained(_farewells));
        _drainWaiters.Clear();
    }

    private void Answer(BindResult result)
    {
        _bindResult = result;
        foreach (var waiter in _bindWaiters) waiter.Tell(result);
        _bindWaiters.Clear();
        if (!result.Bound) _log.Error(result.Error!);
    }
}
