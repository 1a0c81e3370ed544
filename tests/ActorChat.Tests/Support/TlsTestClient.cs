using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ActorChat.Messages;

namespace ActorChat.Tests.Support;

/// <summary>
/// A protocol client over TLS for tests, as a careful client would be: it trusts the server only when the
/// certificate's SHA-256 fingerprint is the one it pinned, whoever signed it.
/// </summary>
public sealed class TlsTestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private readonly SslStream _stream;
    private readonly StreamReader _reader;

    private TlsTestClient(TcpClient tcp, SslStream stream)
    {
        _tcp = tcp;
        _stream = stream;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    /// <summary>The fingerprint of a certificate as the pinning callback computes it: SHA-256 of its DER bytes, lower-case hex.</summary>
    public static string FingerprintOf(X509Certificate certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>A validation callback that accepts exactly the certificate with this fingerprint.</summary>
    public static RemoteCertificateValidationCallback Pinned(string fingerprint) =>
        (_, certificate, _, _) => certificate is not null && FingerprintOf(certificate) == fingerprint;

    /// <summary>Connects and completes the handshake; throws <see cref="System.Security.Authentication.AuthenticationException"/> when the pin does not match.</summary>
    public static async Task<TlsTestClient> ConnectAsync(IPEndPoint endpoint, string pinnedFingerprint)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        try
        {
            using var timeout = new CancellationTokenSource(DefaultTimeout);
            await tcp.ConnectAsync(IPAddress.Loopback, endpoint.Port, timeout.Token);
            var stream = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = Pinned(pinnedFingerprint),
            }, timeout.Token);
            return new TlsTestClient(tcp, stream);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Connects, says hello and waits for the welcome.</summary>
    public static async Task<TlsTestClient> ConnectAsync(IPEndPoint endpoint, string pinnedFingerprint, string name)
    {
        var client = await ConnectAsync(endpoint, pinnedFingerprint);
        await client.SendAsync(new HelloRequest(name));
        await client.ExpectAsync<WelcomeFrame>();
        return client;
    }

    public SslProtocols Protocol => _stream.SslProtocol;

    public async Task SendAsync(ClientFrame frame)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _stream.WriteAsync(FrameCodec.EncodeLine(frame), timeout.Token);
        await _stream.FlushAsync(timeout.Token);
    }

    /// <summary>Bytes as they are, in one TLS write (many frames at once, say).</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _stream.WriteAsync(bytes, timeout.Token);
        await _stream.FlushAsync(timeout.Token);
    }

    /// <summary>The next frame, or null at the end of the stream.</summary>
    public async Task<ServerFrame?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var line = await _reader.ReadLineAsync(cancel.Token);
        if (line is null) return null;
        var decoded = FrameCodec.DecodeServerFrame(Encoding.UTF8.GetBytes(line));
        Assert.True(decoded.IsSuccess, $"unreadable frame: {line}");
        return decoded.Frame;
    }

    /// <summary>Skips other frames until one of type <typeparamref name="T"/> (matching the predicate) arrives.</summary>
    public async Task<T> ExpectAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null) where T : ServerFrame
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no {typeof(T).Name} arrived in time");
            var frame = await ReceiveAsync(left);
            Assert.True(frame is not null, $"the connection closed before a {typeof(T).Name} arrived");
            if (frame is T wanted && (match is null || match(wanted))) return wanted;
        }
    }

    /// <summary>Every frame until the server closes the stream; fails if that takes longer than the timeout.</summary>
    public async Task<List<ServerFrame>> ReadUntilClosedAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var frames = new List<ServerFrame>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("the server did not close the connection in time");
            var frame = await ReceiveAsync(left);
            if (frame is null) return frames;
            frames.Add(frame);
        }
    }

    public async Task JoinAsync(string room)
    {
        await SendAsync(new JoinRequest(room));
        await ExpectAsync<JoinedFrame>(j => j.Room == room);
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _stream.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
