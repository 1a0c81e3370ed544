using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using ActorChat.Messages;

namespace ActorChat.Client;

/// <summary>
/// A client connection speaking wire protocol v1 over TCP, or over TLS on TCP (the same lines inside it): frames
/// out, decoded frames in. The server's keep-alive
/// pings are answered here and not passed on. Incoming frames wait
/// in a bounded channel; when nobody takes them, the connection stops reading and TCP pushes back on the server.
/// </summary>
public sealed class ChatConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly Channel<ServerFrame> _incoming;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _readLoop;
    private int _disposed;

    private ChatConnection(Socket socket, Stream stream, string? fingerprint, int maxFrameBytes, int incomingCapacity)
    {
        _socket = socket;
        _stream = stream;
        ServerFingerprint = fingerprint;
        _incoming = Channel.CreateBounded<ServerFrame>(new BoundedChannelOptions(incomingCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _readLoop = Task.Run(() => ReadLoopAsync(maxFrameBytes));
    }

    /// <summary>Frames from the server, in order. Completes when the server closes the connection.</summary>
    public ChannelReader<ServerFrame> Frames => _incoming.Reader;

    /// <summary>Frames the server sent that could not be read (a server bug or a foreign server).</summary>
    public int UnreadableFrames { get; private set; }

    public System.Net.EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    /// <summary>
    /// Over TLS: the SHA-256 fingerprint of the server's certificate (64 lower-case hex digits, as the server's
    /// discovery answer gives it); null over plain TCP. The caller decides whether to trust it (pinning) before
    /// it sends anything.
    /// </summary>
    public string? ServerFingerprint { get; }

    public static async Task<ChatConnection> ConnectAsync(
        string host, int port, CancellationToken cancellationToken = default,
        int maxFrameBytes = 16 * 1024 * 1024, int incomingCapacity = 10_000, bool tls = false)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (!tls) return new ChatConnection(socket, stream, null, maxFrameBytes, incomingCapacity);
            // A self-signed certificate has no authority behind it: any certificate completes the handshake, and
            // its fingerprint is what the caller checks against the one it pinned (trust on first use).
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            stream = ssl;
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            }, cancellationToken);
            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(ssl.RemoteCertificate!.GetRawCertData()));
            return new ChatConnection(socket, ssl, fingerprint, maxFrameBytes, incomingCapacity);
        }
        catch
        {
            if (stream is not null) await stream.DisposeAsync();
            socket.Dispose();
            throw;
        }
    }

    public Task SendAsync(ClientFrame frame, CancellationToken cancellationToken = default) =>
        SendRawAsync(FrameCodec.EncodeLine(frame), cancellationToken);

    /// <summary>Sends bytes as they are: for tools and tests that need to send what no frame would.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The next frame, or null when the connection closed first.</summary>
    public async Task<ServerFrame?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _incoming.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    private async Task ReadLoopAsync(int maxFrameBytes)
    {
        var framer = new LineFramer(maxFrameBytes);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer, _stop.Token);
                if (read == 0) break;
                framer.Append(buffer.AsSpan(0, read));
                var frames = new List<ServerFrame>();
                while (framer.TryReadLine(out var line))
                {
                    var decoded = FrameCodec.DecodeServerFrame(line);
                    if (decoded.Frame is ServerPingFrame) _ = AnswerPingAsync();
                    else if (decoded.Frame is { } frame) frames.Add(frame);
                    else UnreadableFrames++;
                }
                if (framer.Overflowed) break;
                foreach (var frame in frames) await _incoming.Writer.WriteAsync(frame, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is gone; readers see the channel complete.
        }
        finally
        {
            _incoming.Writer.TryComplete();
        }
    }

    /// <summary>The server asks whether this client is still there (it has been silent): say so.</summary>
    private async Task AnswerPingAsync()
    {
        try
        {
            await SendAsync(PongRequest.Instance, _stop.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is going away anyway.
        }
    }

    /// <summary>Closes the connection and waits (briefly) for the read loop to finish. A second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        await _stream.DisposeAsync();
        try { await _readLoop.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        // The token source and the write lock are left to the collector: a send racing this dispose then fails
        // with an IOException or ObjectDisposedException from the stream, which every caller expects.
    }
}
