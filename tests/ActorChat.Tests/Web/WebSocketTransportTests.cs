using System.Net.WebSockets;
using System.Text;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Web;

public sealed class WebSocketTransportTests
{
    [Fact(Timeout = 30_000)]
    public async Task Frames_round_trip_over_a_websocket_one_json_frame_per_text_message()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await WebSocketTestClient.ConnectAsync(server);

        await client.SendAsync(new HelloRequest("alice"));
        var welcome = await client.ExpectAsync<WelcomeFrame>();
        await client.SendAsync(new JoinRequest("lobby"));
        var joined = await client.ExpectAsync<JoinedFrame>();
        await client.SendAsync(new SayRequest("lobby", "hello over a websocket ✓"));
        var message = await client.ExpectAsync<MessageFrame>();
        await client.SendAsync(PingRequest.Instance);
        await client.ExpectAsync<PongFrame>();

        Assert.Equal(("alice", Protocol.Version), (welcome.Name, welcome.Protocol));
        Assert.Equal(["alice"], joined.Members);
        Assert.Equal(("alice", "hello over a websocket ✓", 1L), (message.Sender, message.Text, message.Seq));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_bad_frame_gets_the_same_error_frame_as_over_tcp_and_the_socket_stays_open()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await WebSocketTestClient.ConnectAsync(server);

        await client.SendTextAsync("this is not json");
        var badJson = await client.ExpectAsync<ErrorFrame>();
        await client.SendTextAsync("{\"type\":\"dance\"}");
        var unknown = await client.ExpectAsync<ErrorFrame>();
        await client.SendTextAsync("{\"type\":\"join\"}");
        var missing = await client.ExpectAsync<ErrorFrame>();
        await client.SendAsync(PingRequest.Instance);
        await client.ExpectAsync<PongFrame>();

        Assert.Equal(ErrorCodes.BadJson, badJson.Code);
        Assert.Equal(ErrorCodes.UnknownType, unknown.Code);
        Assert.Equal(ErrorCodes.BadRequest, missing.Code);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_binary_message_gets_an_error_frame()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await WebSocketTestClient.ConnectAsync(server);

        await client.SendRawAsync(Encoding.UTF8.GetBytes("{\"type\":\"ping\"}"), WebSocketMessageType.Binary);
        var error = await client.ExpectAsync<ErrorFrame>();
        await client.SendAsync(PingRequest.Instance);
        await client.ExpectAsync<PongFrame>();

        Assert.Equal(ErrorCodes.BadRequest, error.Code);
        Assert.Contains("text", error.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_oversized_message_gets_frame_too_large_and_the_socket_is_closed()
    {
        await using var server = await TestServer.StartAsync("--max-frame", "1024");
        await using var client = await WebSocketTestClient.ConnectAsync(server);

        await client.SendTextAsync("{\"type\":\"hello\",\"name\":\"" + new string('x', 2000) + "\"}");
        var error = await client.ExpectAsync<ErrorFrame>();
        var afterError = await client.ReceiveAsync();

        Assert.Equal(ErrorCodes.FrameTooLarge, error.Code);
        Assert.Null(afterError);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_tcp_client_and_a_websocket_client_in_one_room_see_each_others_messages()
    {
        await using var server = await TestServer.StartAsync();
        await using var web = await WebSocketTestClient.ConnectAsUserAsync(server, "webby", "mixed");
        await using var tcp = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await tcp.SendAsync(new HelloRequest("tcpy"));
        await tcp.SendAsync(new JoinRequest("mixed"));
        await ExpectTcpAsync<JoinedFrame>(tcp);

        await web.ExpectAsync<PresenceFrame>(p => p.User == "tcpy" && p.Event == PresenceFrame.Join);
        await tcp.SendAsync(new SayRequest("mixed", "from tcp"));
        var atWeb = await web.ExpectAsync<MessageFrame>();
        await web.SendAsync(new SayRequest("mixed", "from the web"));
        var atTcp = await ExpectTcpAsync<MessageFrame>(tcp, m => m.Sender == "webby");

        Assert.Equal(("tcpy", "from tcp"), (atWeb.Sender, atWeb.Text));
        Assert.Equal("from the web", atTcp.Text);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_websocket_client_that_does_not_read_is_cut_off_as_slow_consumer()
    {
        // Flood control off: the point is the slow-consumer rule, and the fast client must outrun the slow one.
        await using var server = await TestServer.StartAsync("--outbound-limit", "16KiB", "--flood-rate", "0");
        // The slow client joins, then never reads again; its kernel buffer is tiny so the server's send stalls.
        await using var slow = await WebSocketTestClient.ConnectAsync(server, receiveBufferBytes: 4096);
        await slow.SendAsync(new HelloRequest("slow"));
        await slow.ExpectAsync<WelcomeFrame>();
        await slow.SendAsync(new JoinRequest("flood"));
        await slow.ExpectAsync<JoinedFrame>();

        // The fast client reads everything (it is under the same outbound limit) and keeps at most a few of its
        // messages in flight, so only the slow one falls behind; it watches for the slow one to leave the room.
        await using var fast = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await fast.SendAsync(new HelloRequest("fast"));
        await fast.SendAsync(new JoinRequest("flood"));
        var slowLeft = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var credits = new SemaphoreSlim(3);
        var reader = Task.Run(async () =>
        {
            await foreach (var frame in fast.Frames.ReadAllAsync())
            {
                if (frame is MessageFrame { Sender: "fast" }) credits.Release();
                if (frame is PresenceFrame { User: "slow", Event: PresenceFrame.Leave }) slowLeft.TrySetResult();
            }
        });

        var text = new string('z', 3900);
        var sent = 0;
        var flooding = DateTime.UtcNow;
        while (!slowLeft.Task.IsCompleted && sent < 5000 && DateTime.UtcNow - flooding < TimeSpan.FromSeconds(30))
        {
            if (!await credits.WaitAsync(TimeSpan.FromSeconds(5))) break;
            await fast.SendAsync(new SayRequest("flood", text));
            sent++;
        }
        await slowLeft.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // What the slow client still finds in its buffers ends with the cut-off (an error frame, or the socket closed).
        var received = 0;
        ServerFrame? last = null;
        while (await slow.ReceiveAsync(TimeSpan.FromSeconds(10)) is { } frame)
        {
            last = frame;
            if (frame is MessageFrame) received++;
        }
        Assert.True(received < sent, $"the slow client got all {sent} messages");
        if (last is ErrorFrame error) Assert.Equal(ErrorCodes.SlowConsumer, error.Code);
        Assert.NotEqual(WebSocketState.Open, slow.Socket.State);
    }

    private static async Task<T> ExpectTcpAsync<T>(ChatConnection connection, Func<T, bool>? predicate = null) where T : ServerFrame
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            var frame = await connection.ReceiveAsync(timeout.Token);
            Assert.NotNull(frame);
            if (frame is T match && (predicate is null || predicate(match))) return match;
        }
    }
}
