using ActorChat.Messages;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Integration;

/// <summary>Frames that once threw inside the decoder: over a real connection they get an error and the connection lives on.</summary>
public sealed class HostileInputTests
{
    private static readonly string[] Hostile =
    [
        """{"type":"\ud800"}""",
        """{"\ud800":1,"type":"ping"}""",
        """{"type":"say","room":"a","text":"\ud800"}""",
        """{"type":"hello","name":"\udfff"}""",
        """{"type":"ping","type":"ping"}""",
    ];

    [Fact(Timeout = 30_000)]
    public async Task Over_tcp_each_gets_an_error_frame_and_the_connection_keeps_working()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await TestClient.ConnectAsync(server);

        foreach (var line in Hostile)
        {
            await client.SendRawAsync(line + "\n");
            var error = await client.NextAsync<ErrorFrame>();
            Assert.Contains(error.Code, new[] { ErrorCodes.BadJson, ErrorCodes.BadRequest });
        }
        await client.SendAsync(PingRequest.Instance);
        await client.NextAsync<PongFrame>();
    }

    [Fact(Timeout = 30_000)]
    public async Task Over_a_websocket_each_gets_an_error_frame_and_the_connection_keeps_working()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await WebSocketTestClient.ConnectAsync(server);

        foreach (var text in Hostile)
        {
            await client.SendTextAsync(text);
            var error = await client.ExpectAsync<ErrorFrame>();
            Assert.Contains(error.Code, new[] { ErrorCodes.BadJson, ErrorCodes.BadRequest });
        }
        await client.SendAsync(PingRequest.Instance);
        await client.ExpectAsync<PongFrame>();
    }

    private const string HelloAlice = """{"type":"hello","name":"alice"}""";
    private const string BadType = """{"type":"\ud800"}""";
    private const string BadFieldName = """{"\ud800":1,"type":"ping"}""";
    private const string Ping = """{"type":"ping"}""";

    [Fact(Timeout = 30_000)]
    public async Task Over_tcp_a_lone_surrogate_behind_a_hello_leaves_the_user_identified_and_later_frames_answered_in_order()
    {
        await using var server = await TestServer.StartAsync();
        await using (var alice = await TestClient.ConnectAsync(server))
        {
            await alice.SendRawAsync(string.Join("\n", HelloAlice, BadType, BadFieldName, HelloAlice, Ping) + "\n");

            Assert.Equal("alice", (await alice.NextAsync<WelcomeFrame>()).Name);
            Assert.Contains((await alice.NextAsync<ErrorFrame>()).Code, new[] { ErrorCodes.BadJson, ErrorCodes.BadRequest });
            Assert.Contains((await alice.NextAsync<ErrorFrame>()).Code, new[] { ErrorCodes.BadJson, ErrorCodes.BadRequest });
            Assert.Equal(ErrorCodes.AlreadyIdentified, (await alice.NextAsync<ErrorFrame>()).Code);
            await alice.NextAsync<PongFrame>();
        }
        await AssertNameIsFreeAgainAsync(server, "alice");
    }

    [Fact(Timeout = 30_000)]
    public async Task Over_a_websocket_a_lone_surrogate_behind_a_hello_leaves_the_user_identified_and_later_frames_answered_in_order()
    {
        await using var server = await TestServer.StartAsync();
        await using (var alice = await WebSocketTestClient.ConnectAsync(server))
        {
            // Sent back to back, none waiting for an answer.
            foreach (var text in new[] { HelloAlice, BadType, BadFieldName, HelloAlice, Ping }) await alice.SendTextAsync(text);

            Assert.Equal("alice", Assert.IsType<WelcomeFrame>(await alice.ReceiveAsync()).Name);
            Assert.Contains(Assert.IsType<ErrorFrame>(await alice.ReceiveAsync()).Code, new[] { ErrorCodes.BadJson, ErrorCodes.BadRequest });
            Assert.Contains(Assert.IsType<ErrorFrame>(await alice.ReceiveAsync()).Code, new[] { ErrorCodes.BadJson, ErrorCodes.BadRequest });
            Assert.Equal(ErrorCodes.AlreadyIdentified, Assert.IsType<ErrorFrame>(await alice.ReceiveAsync()).Code);
            Assert.IsType<PongFrame>(await alice.ReceiveAsync());
        }
        await AssertNameIsFreeAgainAsync(server, "alice");
    }

    /// <summary>Once its holder has gone, a new connection can take the name (the registry hears of the close a moment later).</summary>
    private static async Task AssertNameIsFreeAgainAsync(ActorChat.Server.Hosting.RunningChatServer server, string name)
    {
        await using var next = await TestClient.ConnectAsync(server);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await next.SendAsync(new HelloRequest(name));
            var frame = await next.ExpectAsync<ServerFrame>(f => f is WelcomeFrame or ErrorFrame);
            if (frame is WelcomeFrame welcome)
            {
                Assert.Equal(name, welcome.Name);
                return;
            }
            Assert.Equal(ErrorCodes.NameTaken, ((ErrorFrame)frame).Code);
            await Task.Delay(50);
        }
        Assert.Fail($"{name} was still taken 5 s after its holder left");
    }
}
