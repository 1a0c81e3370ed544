using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Transport.Tls;

/// <summary>
/// One TLS client: an accepted socket wrapped in an <see cref="SslStream"/>, the TLS wire of a
/// <see cref="ConnectionCore"/>, which treats it as TCP (frames are lines). First the handshake, bounded by the
/// handshake timeout: a client that does not finish it (a plain TCP client on the TLS port, a scanner) is dropped
/// before it has a session. Then one read in flight, asked for by the core and piped back to the actor, so a
/// client that floods is read no faster than its frames are handled; one write in flight; a clean close is
/// TLS close_notify, then the socket's FIN, then reading until the client's own close.
/// </summary>
public sealed class TlsConnectionActor : UntypedActor, IConnectionWire, IWithTimers
{
    private const int ReadChunkBytes = 4096;

    private sealed class Handshaken
    {
        public static readonly Handshaken Instance = new();
    }

    private sealed record HandshakeFailed(Exception Cause);

    private sealed class HandshakeDeadline
    {
        public static readonly HandshakeDeadline Instance = new();
    }

    private sealed record ReadCompleted(int Count);

    private sealed record ReadFailed(Exception Cause);

    private sealed class WriteCompleted
    {
        public static readonly WriteCompleted Instance = new();
    }

    private sealed record WriteFailed(Exception Cause);

    private sealed class CloseSent
    {
        public static readonly CloseSent Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Socket _socket;
    private readonly SslStream _stream;
    private readonly X509Certificate2 _certificate;
    private readonly TimeSpan _handshakeTimeout;
    private readonly SessionServices _services;
    private readonly string _remote;
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _buffer = new byte[ReadChunkBytes];
    private ConnectionCore? _core;
    private bool _reading;

    public TlsConnectionActor(Socket socket, X509Certificate2 certificate, TimeSpan handshakeTimeout, SessionServices services)
    {
        _socket = socket;
        _certificate = certificate;
        _handshakeTimeout = handshakeTimeout;
        _services = services;
        _remote = socket.RemoteEndPoint?.ToString() ?? "?";
        _stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
    }

    public static Props Props(Socket socket, X509Certificate2 certificate, TimeSpan handshakeTimeout, SessionServices services) =>
        Akka.Actor.Props.Create<TlsConnectionActor>(socket, certificate, handshakeTimeout, services); // not the expression form: it is compiled on every call

    public ITimerScheduler Timers { get; set; } = null!;

    string IConnectionWire.Kind => "TLS";

    protected override void PreStart()
    {
        Timers.StartSingleTimer(HandshakeDeadline.Instance, HandshakeDeadline.Instance, _handshakeTimeout);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificate = _certificate,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        _stream.AuthenticateAsServerAsync(options, _stop.Token).PipeTo(Self,
            success: () => Handshaken.Instance,
            failure: cause => new HandshakeFailed(cause));
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        _stream.Dispose(); // closes the socket; a read or write still under way fails, and its answer is dropped
        _stop.Dispose();
        _core?.Stopped(); // a connection that never finished its handshake was never counted as open
    }

    protected override void OnReceive(object message)
    {
        if (_core is null) Handshaking(message);
        else Connected(_core, message);
    }

    private void Handshaking(object message)
    {
        switch (message)
        {
            case Handshaken:
                Timers.Cancel(HandshakeDeadline.Instance);
                _log.Debug("TLS handshake with {0} done ({1})", _remote, _stream.SslProtocol);
                _core = new ConnectionCore(this, Context, Timers, _services, _log, _remote, framesAreLines: true);
                _core.Start();
                break;
            case HandshakeFailed failed:
                // Scanners and plain TCP clients end up here; not worth more than a debug line each.
                _log.Debug("TLS handshake with {0} failed: {1}", _remote, (failed.Cause.InnerException ?? failed.Cause).Message);
                Context.Stop(Self);
                break;
            case HandshakeDeadline:
                _log.Debug("TLS handshake with {0} took longer than {1} s; dropping it", _remote, _handshakeTimeout.TotalSeconds);
                Abort();
                break;
            case CloseGracefully: Context.Stop(Self); break; // not a client yet: nothing to say goodbye to
            default: Unhandled(message); break;
        }
    }

    private void Connected(ConnectionCore core, object message)
    {
        switch (message)
        {
            case ReadCompleted read:
                _reading = false;
                if (read.Count == 0) Context.Stop(Self); // the client closed its side
                else core.OnBytes(_buffer.AsSpan(0, read.Count));
                break;
            case ReadFailed failed:
                _reading = false;
                _log.Debug("TLS read from {0} ended: {1}", _remote, failed.Cause.Message);
                Context.Stop(Self);
                break;
            case WriteCompleted: core.OnWriteCompleted(); break;
            case WriteFailed failed:
                _log.Debug("TLS write to {0} failed: {1}", _remote, failed.Cause.Message);
                Abort();
                break;
            case CloseSent: break; // the client's close (a read of 0) or the core's close deadline ends the actor
            default:
                if (!core.Handle(message)) Unhandled(message);
                break;
        }
    }

    void IConnectionWire.ReadMore()
    {
        if (_reading) return; // one read at a time; a repeated request waits for the read under way
        _reading = true;
        _stream.ReadAsync(_buffer.AsMemory(), _stop.Token).AsTask().PipeTo(Self,
            success: count => new ReadCompleted(count),
            failure: cause => new ReadFailed(cause));
    }

    void IConnectionWire.Write(IReadOnlyList<byte[]> chunks)
    {
        WriteAsync(_stream, chunks.ToArray(), _stop.Token).PipeTo(Self,
            success: () => WriteCompleted.Instance,
            failure: cause => new WriteFailed(cause));
    }

    /// <summary>Several chunks go out as one buffer, so one TLS record and one socket write carry them all.</summary>
    private static async Task WriteAsync(SslStream stream, byte[][] chunks, CancellationToken cancellationToken)
    {
        if (chunks.Length == 1)
        {
            await stream.WriteAsync(chunks[0], cancellationToken);
        }
        else
        {
            var buffer = new byte[chunks.Sum(c => c.Length)];
            var offset = 0;
            foreach (var chunk in chunks)
            {
                chunk.CopyTo(buffer, offset);
                offset += chunk.Length;
            }
            await stream.WriteAsync(buffer, cancellationToken);
        }
        await stream.FlushAsync(cancellationToken);
    }

    void IConnectionWire.Close(ServerFrame finalFrame)
    {
        CloseAsync(_stream, _socket).PipeTo(Self,
            success: () => CloseSent.Instance,
            failure: cause => new WriteFailed(cause));
    }

    /// <summary>TLS close_notify, then FIN: the client reads everything, then the end of the stream.</summary>
    private static async Task CloseAsync(SslStream stream, Socket socket)
    {
        await stream.ShutdownAsync();
        socket.Shutdown(SocketShutdown.Send);
    }

    void IConnectionWire.Abort() => Abort();

    private void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0); // a reset: nothing more is sent
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        Context.Stop(Self);
    }
}
