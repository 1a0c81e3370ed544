using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Hosting;

namespace ActorChat.Tests.Web;

/// <summary>A protocol v1 client over a WebSocket (one JSON frame per text message), for tests.</summary>
internal sealed class WebSocketTestClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    private readonly byte[] _buffer = new byte[64 * 1024];

    private WebSocketTestClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>The close status the server gave, once it closed.</summary>
    public WebSocketCloseStatus? CloseStatus => Socket.CloseStatus;

    /// <param name="receiveBufferBytes">A small kernel receive buffer makes a client that does not read fill up fast.</param>
    /// <param name="configure">Sets request headers (an Origin, say) before connecting.</param>
    public static async Task<WebSocketTestClient> ConnectAsync(
        RunningChatServer server, int? receiveBufferBytes = null, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        if (receiveBufferBytes is { } size)
        {
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = size, NoDelay = true };
                    await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(tcp, ownsSocket: true);
                },
            };
            await socket.ConnectAsync(server.WebSocketUri(), new HttpMessageInvoker(handler), timeout.Token);
        }
        else
        {
            await socket.ConnectAsync(server.WebSocketUri(), timeout.Token);
        }
        return new WebSocketTestClient(socket);
    }

    /// <summary>To a server this process did not start (a node of a cluster, say), by its WebSocket address.</summary>
    public static async Task<WebSocketTestClient> ConnectAsync(Uri webSocketUri)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(webSocketUri, timeout.Token);
        return new WebSocketTestClient(socket);
    }

    public static async Task<WebSocketTestClient> ConnectAsUserAsync(RunningChatServer server, string name, params string[] rooms)
    {
        var client = await ConnectAsync(server);
        await client.SendAsync(new HelloRequest(name));
        await client.ExpectAsync<WelcomeFrame>();
        foreach (var room in rooms)
        {
            await client.SendAsync(new JoinRequest(room));
            await client.ExpectAsync<JoinedFrame>(j => j.Room == room);
        }
        return client;
    }

    public Task SendAsync(ClientFrame frame)
    {
        var line = FrameCodec.EncodeLine(frame);
        return SendRawAsync(line.AsMemory(0, line.Length - 1), WebSocketMessageType.Text);
    }

    public Task SendTextAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await Socket.SendAsync(bytes, type, endOfMessage: true, timeout.Token);
    }

    /// <summary>The next frame, or null once the server closed the socket (or the connection broke).</summary>
    public async Task<ServerFrame?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var length = 0;
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(_buffer.AsMemory(length), cancel.Token);
                if (result.MessageType == WebSocketMessageType.Close) return null;
                Assert.Equal(WebSocketMessageType.Text, result.MessageType);
                length += result.Count;
                if (result.EndOfMessage) break;
            }
        }
        catch (WebSocketException)
        {
            return null;
        }
        var decoded = FrameCodec.DecodeServerFrame(_buffer.AsSpan(0, length));
        Assert.True(decoded.IsSuccess, $"unreadable frame: {Encoding.UTF8.GetString(_buffer, 0, length)}");
        return decoded.Frame;
    }

    /// <summary>Skips other frames until one of type <typeparamref name="T"/> (matching the predicate) arrives.</summary>
    public async Task<T> ExpectAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) where T : ServerFrame
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no {typeof(T).Name} arrived in time");
            var frame = await ReceiveAsync(left);
            Assert.True(frame is not null, $"the socket closed before a {typeof(T).Name} arrived");
            if (frame is T match && (predicate is null || predicate(match))) return match;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try { await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token); }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        }
        Socket.Dispose();
    }
}
