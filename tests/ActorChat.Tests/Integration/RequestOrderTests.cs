using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Integration;

/// <summary>
/// A client's frames take effect in the order sent and are answered in that order, and every answer carries the
/// ref of its frame: over TCP and over the WebSocket alike.
/// </summary>
public sealed class RequestOrderTests : IAsyncLifetime
{
    private RunningChatServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>One client, whichever transport it uses.</summary>
    private sealed class Client(Func<ClientFrame, Task> send, Func<TimeSpan, Task<ServerFrame?>> receive, Func<ValueTask> dispose) : IAsyncDisposable
    {
        public Task SendAsync(ClientFrame frame) => send(frame);

        /// <summary>The next frame that is not presence, or null once the server closed the connection.</summary>
        public async Task<ServerFrame?> NextAsync(bool skipPresence = true)
        {
            while (true)
            {
                var frame = await receive(TimeSpan.FromSeconds(20));
                if (!skipPresence || frame is not PresenceFrame) return frame;
            }
        }

        public ValueTask DisposeAsync() => dispose();
    }

    private async Task<Client> ConnectAsync(string transport, string name, string room)
    {
        Client client;
        if (transport == "tcp")
        {
            var tcp = await TestClient.ConnectAsync(_server);
            client = new Client(tcp.SendAsync, async timeout =>
            {
                using var cts = new CancellationTokenSource(timeout);
                return await tcp.Connection.ReceiveAsync(cts.Token);
            }, tcp.DisposeAsync);
        }
        else
        {
            var ws = await WebSocketTestClient.ConnectAsync(_server);
            client = new Client(ws.SendAsync, timeout => ws.ReceiveAsync(timeout), ws.DisposeAsync);
        }
        await client.SendAsync(new HelloRequest(name) { Ref = "h" });
        Assert.Equal("h", Assert.IsType<WelcomeFrame>(await client.NextAsync()).Ref);
        await client.SendAsync(new JoinRequest(room) { Ref = "j" });
        Assert.Equal("j", Assert.IsType<JoinedFrame>(await client.NextAsync()).Ref);
        return client;
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("websocket")]
    public async Task Stats_right_after_a_say_come_after_the_senders_message_and_count_it(string transport)
    {
        await using var alice = await ConnectAsync(transport, "alice", "counted");

        await alice.SendAsync(new SayRequest("counted", "one") { Ref = "s1" });
        await alice.SendAsync(new StatsRequest("counted") { Ref = "st" });

        var message = Assert.IsType<MessageFrame>(await alice.NextAsync());
        Assert.Equal(("one", "s1"), (message.Text, message.Ref));
        var stats = Assert.IsType<StatsFrame>(await alice.NextAsync());
        Assert.Equal((1L, "st"), (stats.Total, stats.Ref));
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("websocket")]
    public async Task After_say_then_quit_the_sender_gets_its_message_then_bye_and_the_others_see_the_message_before_the_leave(string transport)
    {
        await using var bob = await ConnectAsync("tcp", "bob", "farewell");
        await using var alice = await ConnectAsync(transport, "alice", "farewell");
        Assert.Equal(new PresenceFrame("farewell", "alice", PresenceFrame.Join), await bob.NextAsync(skipPresence: false));

        await alice.SendAsync(new SayRequest("farewell", "last words") { Ref = "last" });
        await alice.SendAsync(new QuitRequest { Ref = "q" });

        var own = Assert.IsType<MessageFrame>(await alice.NextAsync());
        Assert.Equal(("last words", "last"), (own.Text, own.Ref));
        Assert.Equal(new ByeFrame(ByeFrame.ClientQuit) { Ref = "q" }, await alice.NextAsync());
        Assert.Null(await alice.NextAsync());

        var seen = Assert.IsType<MessageFrame>(await bob.NextAsync(skipPresence: false));
        Assert.Equal(("last words", null), (seen.Text, seen.Ref)); // the ref is the sender's alone
        Assert.Equal(new PresenceFrame("farewell", "alice", PresenceFrame.Leave), await bob.NextAsync(skipPresence: false));
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("websocket")]
    public async Task Frames_sent_together_are_answered_one_after_the_other_each_with_its_ref(string transport)
    {
        await using var alice = await ConnectAsync(transport, "alice", "busy");

        ClientFrame[] burst =
        [
            new SayRequest("busy", "first") { Ref = "1" },
            new JoinRequest("busy-too") { Ref = "2" },
            new SayRequest("busy-too", "second") { Ref = "3" },
            new SayRequest("busy", "   ") { Ref = "4" },
            new WhoRequest("busy-too") { Ref = "5" },
            new DirectMessageRequest("nobody-here", "hello?") { Ref = "6" },
            new LeaveRequest("busy-too") { Ref = "7" },
            new SayRequest("busy-too", "too late") { Ref = "8" },
            PingRequest.Instance with { Ref = "9" },
        ];
        foreach (var frame in burst) await alice.SendAsync(frame);

        var answers = new List<ServerFrame>();
        for (var i = 0; i < burst.Length; i++) answers.Add((await alice.NextAsync())!);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", "9"], answers.Select(a => a.Ref));
        Assert.Collection(answers,
            a => Assert.Equal("first", Assert.IsType<MessageFrame>(a).Text),
            a => Assert.Equal("busy-too", Assert.IsType<JoinedFrame>(a).Room),
            a => Assert.Equal("second", Assert.IsType<MessageFrame>(a).Text),
            a => Assert.Equal(ErrorCodes.EmptyMessage, Assert.IsType<ErrorFrame>(a).Code),
            a => Assert.Equal(["alice"], Assert.IsType<MembersFrame>(a).Members),
            a => Assert.Equal(ErrorCodes.NoSuchUser, Assert.IsType<ErrorFrame>(a).Code),
            a => Assert.IsType<LeftFrame>(a),
            a => Assert.Equal(ErrorCodes.NotInRoom, Assert.IsType<ErrorFrame>(a).Code),
            a => Assert.IsType<PongFrame>(a));
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("websocket")]
    public async Task The_senders_copy_of_a_direct_message_carries_its_ref_and_the_recipients_does_not(string transport)
    {
        await using var bob = await ConnectAsync("tcp", "bob", "dms");
        await using var alice = await ConnectAsync(transport, "alice", "dms");

        await alice.SendAsync(new DirectMessageRequest("bob", "psst") { Ref = "d1" });

        var echo = Assert.IsType<DirectMessageFrame>(await alice.NextAsync());
        Assert.Equal(("psst", "d1"), (echo.Text, echo.Ref));
        var received = Assert.IsType<DirectMessageFrame>(await bob.NextAsync());
        Assert.Equal(("psst", null), (received.Text, received.Ref));
    }
}
