using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using static ActorChat.Server.Transport.ListenerProtocol;

namespace ActorChat.Server.Transport.Tls;

/// <summary>
/// Binds the TLS port (Akka.IO has no TLS, so this is a plain socket's accept loop, one accept in flight, piped
/// back to the actor) and starts one <see cref="TlsConnectionActor"/> per accepted client. Like the TCP
/// listener it reports whether the bind worked, applies the <see cref="ConnectionAdmission"/> shared with the
/// other transports (a refused client gets its <c>too_many_connections</c> line over TLS, then a close), and on
/// shutdown stops accepting and lets every client go with its pending frames and <c>bye server_shutdown</c>.
/// </summary>
public sealed class TlsListenerActor : UntypedActor, IWithTimers
{
    /// <summary>Answered with <see cref="BindResult"/> once the bind succeeded or failed.</summary>
    public sealed class WaitForBind
    {
        public static readonly WaitForBind Instance = new();
        private WaitForBind() { }
    }

    public sealed record BindResult(IPEndPoint? LocalAddress, string? Error)
    {
        public bool Bound => LocalAddress is not null;
    }

    private sealed record Accepted(Socket Socket);

    private sealed record AcceptFailed(Exception Cause);

    private sealed class AcceptAgain
    {
        public static readonly AcceptAgain Instance = new();
    }

    /// <summary>How long a refused client has to read its error line and close; short, as refused clients are not counted.</summary>
    private static readonly TimeSpan RefusalGrace = TimeSpan.FromSeconds(2);

    /// <summary>After an accept failed (out of file descriptors, say), the next one waits this long rather than spin.</summary>
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TcpTransportSettings _tcp;
    private readonly TlsSettings _tls;
    private readonly ServerCertificate _certificate;
    private readonly SessionServices _services;
    private readonly ConnectionAdmission? _admission;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<IActorRef, ConnectionAdmission.Ticket?> _connections = new();
    private readonly List<IActorRef> _drainWaiters = [];
    private Socket? _listener;
    private BindResult _bindResult = new(null, "not bound");
    private int _farewells;
    private bool _draining;
    private long _accepted;

    /// <param name="tcp">The bind address, backlog and send buffer, as for plain TCP.</param>
    /// <param name="admission">Limits per source address, shared with the other transports; null admits everyone.</param>
    public TlsListenerActor(TcpTransportSettings tcp, TlsSettings tls, ServerCertificate certificate, SessionServices services,
        ConnectionAdmission? admission = null)
    {
        _tcp = tcp;
        _tls = tls;
        _certificate = certificate;
        _services = services;
        _admission = admission;
    }

    public static Props Props(TcpTransportSettings tcp, TlsSettings tls, ServerCertificate certificate, SessionServices services,
        ConnectionAdmission? admission = null) =>
        Akka.Actor.Props.Create(() => new TlsListenerActor(tcp, tls, certificate, services, admission));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override SupervisorStrategy SupervisorStrategy() => ConnectionSupervision.StopOnFailure;

    protected override void PreStart()
    {
        var port = _tls.Port == TlsSettings.AutoPort ? 0 : _tls.Port;
        var endpoint = new IPEndPoint(IPAddress.Parse(_tcp.Bind), port);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(_tcp.Backlog);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var reason = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the port is already in use" : e.Message;
            _bindResult = new BindResult(null, $"cannot listen on TLS {_tcp.Bind}:{port}: {reason}");
            _log.Error(_bindResult.Error!);
            return;
        }
        _listener = socket;
        _bindResult = new BindResult((IPEndPoint)socket.LocalEndPoint!, null);
        _log.Info("Listening for TLS clients on {0}", _bindResult.LocalAddress);
        AcceptNext();
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        _listener?.Dispose();
        _stop.Dispose();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Accepted accepted: OnAccepted(accepted.Socket); break;
            case AcceptFailed failed:
                if (_listener is null) break; // closed for the drain
                _log.Warning("Accepting a TLS client failed: {0}", failed.Cause.Message);
                Timers.StartSingleTimer(AcceptAgain.Instance, AcceptAgain.Instance, AcceptRetryDelay);
                break;
            case AcceptAgain: AcceptNext(); break;
            case Terminated terminated: OnConnectionGone(terminated.ActorRef); break;
            case WaitForBind: Sender.Tell(_bindResult); break;
            case Drain: OnDrain(); break;
            case GetConnectionCount: Sender.Tell(new ConnectionCount(_connections.Count)); break;
            default: Unhandled(message); break;
        }
    }

    private void AcceptNext()
    {
        if (_listener is null) return;
        _listener.AcceptAsync(_stop.Token).AsTask().PipeTo(Self,
            success: socket => new Accepted(socket),
            failure: cause => new AcceptFailed(cause));
    }

    private void OnAccepted(Socket socket)
    {
        AcceptNext();
        if (_draining)
        {
            socket.Dispose();
            return;
        }
        if (_tcp.SendBufferBytes > 0) socket.SendBufferSize = _tcp.SendBufferBytes;
        socket.NoDelay = true; // chat lines are small and should not wait for more
        ConnectionAdmission.Ticket? ticket = null;
        if (_admission is not null && socket.RemoteEndPoint is IPEndPoint remote)
        {
            ticket = _admission.TryAdmit(remote.Address, out var refusal);
            if (ticket is null)
            {
                _log.Debug("Refused TLS connection from {0}: {1}", remote, refusal);
                _services.Metrics.ConnectionRefused(Operations.ChatMetrics.Tls, ErrorCodes.TooManyConnections);
                var line = FrameCodec.EncodeLine(new ErrorFrame(ErrorCodes.TooManyConnections, refusal!));
                _ = RefuseAsync(socket, line);
                return;
            }
        }
        var handler = Context.ActorOf(
            TlsConnectionActor.Props(socket, _certificate.Certificate, _tls.HandshakeTimeout, _services), $"tls-{++_accepted}");
        Context.Watch(handler);
        _connections[handler] = ticket;
    }

    /// <summary>The handshake, the one error line, close_notify and FIN, then reading until the client closes: all within the handshake timeout and a short grace.</summary>
    private async Task RefuseAsync(Socket socket, byte[] line)
    {
        using var deadline = new CancellationTokenSource(_tls.HandshakeTimeout + RefusalGrace);
        await using var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate.Certificate }, deadline.Token);
            await stream.WriteAsync(line, deadline.Token);
            await stream.ShutdownAsync();
            socket.Shutdown(SocketShutdown.Send);
            var discard = new byte[512];
            while (await stream.ReadAsync(discard, deadline.Token) > 0) { }
        }
        catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away, does not speak TLS or does not close: it is gone when the stream is disposed.
        }
    }

    private void OnConnectionGone(IActorRef handler)
    {
        if (_connections.Remove(handler, out var ticket)) ticket?.Release();
        if (_draining && _connections.Count == 0) FinishDrain();
    }

    private void OnDrain()
    {
        _drainWaiters.Add(Sender);
        if (!_draining)
        {
            _draining = true; // from now on a new connection is refused
            _listener?.Dispose();
            _listener = null;
            _farewells = _connections.Count;
            _log.Info("Closing {0} TLS connections", _connections.Count);
            foreach (var child in _connections.Keys) child.Tell(CloseGracefully.Instance);
        }
        if (_connections.Count == 0) FinishDrain();
    }

    private void FinishDrain()
    {
        foreach (var waiter in _drainWaiters) waiter.Tell(new Drained(_farewells));
        _drainWaiters.Clear();
    }
}
