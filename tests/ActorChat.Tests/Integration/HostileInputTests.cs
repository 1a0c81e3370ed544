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
}
