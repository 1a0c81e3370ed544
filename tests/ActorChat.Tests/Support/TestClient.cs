using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Server.Hosting;

namespace ActorChat.Tests.Support;

/// <summary>A protocol client for tests: sends frames and waits for the ones a test expects.</summary>
public sealed class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private TestClient(ChatConnection connection) => Connection = connection;

    public ChatConnection Connection { get; }

    public string? Name { get; private set; }

    public static async Task<TestClient> ConnectAsync(RunningChatServer server) =>
        new(await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port));

    /// <summary>Connects and identifies.</summary>
    public static async Task<TestClient> ConnectAsync(RunningChatServer server, string name)
    {
        var client = await ConnectAsync(server);
        await client.SendAsync(new HelloRequest(name));
        await client.ExpectAsync<WelcomeFrame>();
        client.Name = name;
        return client;
    }

    /// <summary>Connects to a server on a loopback port (a server process) and identifies.</summary>
    public static async Task<TestClient> ConnectAsync(int port, string name)
    {
        var client = new TestClient(await ChatConnection.ConnectAsync("127.0.0.1", port));
        await client.SendAsync(new HelloRequest(name));
        await client.ExpectAsync<WelcomeFrame>();
        client.Name = name;
        return client;
    }

    public Task SendAsync(ClientFrame frame) => Connection.SendAsync(frame);

    public Task SendRawAsync(string text) => Connection.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>The very next frame, which must be a <typeparamref name="T"/>.</summary>
    public async Task<T> NextAsync<T>(TimeSpan? timeout = null) where T : ServerFrame
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var frame = await Connection.ReceiveAsync(cts.Token);
        Assert.NotNull(frame);
        return Assert.IsType<T>(frame);
    }

    /// <summary>Skips frames until one is a <typeparamref name="T"/> that matches.</summary>
    public async Task<T> ExpectAsync<T>(Func<T, bool>? match = null, TimeSpan? timeout = null) where T : ServerFrame
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            ServerFrame? frame;
            try
            {
                frame = await Connection.ReceiveAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Name ?? "client"} waited in vain for a {typeof(T).Name}.");
            }
            if (frame is null) throw new InvalidOperationException($"{Name ?? "client"}: connection closed while waiting for a {typeof(T).Name}.");
            if (frame is T wanted && (match is null || match(wanted))) return wanted;
        }
    }

    /// <summary>Waits until the server has closed the connection; returns the frames that came before.</summary>
    public async Task<List<ServerFrame>> ReadUntilClosedAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var frames = new List<ServerFrame>();
        await foreach (var frame in Connection.Frames.ReadAllAsync(cts.Token)) frames.Add(frame);
        return frames;
    }

    public async Task JoinAsync(string room)
    {
        await SendAsync(new JoinRequest(room));
        await ExpectAsync<JoinedFrame>(j => string.Equals(j.Room, room, StringComparison.OrdinalIgnoreCase));
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
