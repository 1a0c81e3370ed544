using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Integration;

/// <summary>Connection limits per source address over real loopback TCP and WebSocket.</summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 60_000)]
    public async Task A_connection_over_the_cap_gets_too_many_connections_and_is_closed_and_a_freed_slot_is_taken_again()
    {
        await using var server = await TestServer.StartAsync("--exempt-addresses", "", "--max-connections-per-address", "3");
        var open = new List<TestClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = await TestClient.ConnectAsync(server);
                open.Add(client);
                Assert.True(await IsAdmittedAsync(client), $"connection {i + 1} of 3 was refused");
            }

            await using var fourth = await TestClient.ConnectAsync(server);
            var refusal = await fourth.NextAsync<ErrorFrame>(FrameTimeout);
            var afterRefusal = await ReceiveOrNullAsync(fourth);

            Assert.Equal(ErrorCodes.TooManyConnections, refusal.Code);
            Assert.Contains("at most 3", refusal.Message);
            Assert.Null(afterRefusal);

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            Assert.True(await ConnectsWithinAsync(server, attempts: 50), "the freed slot was never given to a new connection");
        }
        finally
        {
            foreach (var client in open) await client.DisposeAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task More_than_20_new_connections_in_a_second_from_one_address_are_refused()
    {
        await using var server = await TestServer.StartAsync("--exempt-addresses", "", "--max-connections-per-address", "0");
        const int attempts = 60;
        var clients = new List<TestClient>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < attempts; i++) clients.Add(await TestClient.ConnectAsync(server));
            var admitted = new List<bool>();
            foreach (var client in clients) admitted.Add(await IsAdmittedAsync(client));
            var elapsed = clock.Elapsed.TotalSeconds;

            // The bucket holds 20 and refills at 20 a second: the first 20 (in the order the server accepted them,
            // which need not be the order of the connects) get in, and nothing beyond the refill.
            Assert.InRange(admitted.Count(a => a), 20, 21 + (int)(20 * elapsed));
            Assert.Contains(false, admitted);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Tcp_and_websocket_connections_from_one_address_count_together()
    {
        await using var server = await TestServer.StartAsync("--exempt-addresses", "", "--max-connections-per-address", "3");
        await using var tcp1 = await TestClient.ConnectAsync(server);
        await using var tcp2 = await TestClient.ConnectAsync(server);
        Assert.True(await IsAdmittedAsync(tcp1));
        Assert.True(await IsAdmittedAsync(tcp2));
        await using var web = await WebSocketTestClient.ConnectAsync(server);
        await web.SendAsync(PingRequest.Instance);
        await web.ExpectAsync<PongFrame>();

        await using var refusedWeb = await WebSocketTestClient.ConnectAsync(server);
        var refusal = await refusedWeb.ReceiveAsync();
        var afterRefusal = await refusedWeb.ReceiveAsync();
        await using var refusedTcp = await TestClient.ConnectAsync(server);
        var tcpRefusal = await refusedTcp.NextAsync<ErrorFrame>(FrameTimeout);

        Assert.Equal(ErrorCodes.TooManyConnections, Assert.IsType<ErrorFrame>(refusal).Code);
        Assert.Null(afterRefusal);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, refusedWeb.CloseStatus);
        Assert.Equal(ErrorCodes.TooManyConnections, tcpRefusal.Code);
    }

    [Fact(Timeout = 60_000)]
    public async Task With_the_default_exemptions_loopback_is_not_limited()
    {
        await using var server = await TestServer.StartAsync("--max-connections-per-address", "2");
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < 5; i++) clients.Add(await TestClient.ConnectAsync(server));
            await using var web1 = await WebSocketTestClient.ConnectAsync(server);
            await using var web2 = await WebSocketTestClient.ConnectAsync(server);
            await using var web3 = await WebSocketTestClient.ConnectAsync(server);

            foreach (var client in clients) Assert.True(await IsAdmittedAsync(client));
            foreach (var web in new[] { web1, web2, web3 })
            {
                await web.SendAsync(PingRequest.Instance);
                await web.ExpectAsync<PongFrame>();
            }
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    /// <summary>Pings: a pong means the connection was admitted, a too_many_connections error that it was refused.</summary>
    private static async Task<bool> IsAdmittedAsync(TestClient client)
    {
        try
        {
            await client.SendAsync(PingRequest.Instance);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // A refused connection may already be closed for writing; its error line is still there to read.
        }
        var frame = await ReceiveOrNullAsync(client);
        if (frame is PongFrame) return true;
        Assert.Equal(ErrorCodes.TooManyConnections, Assert.IsType<ErrorFrame>(frame).Code);
        return false;
    }

    /// <summary>The server frees a slot once it has noticed a close, which takes a moment: retry, boundedly.</summary>
    private static async Task<bool> ConnectsWithinAsync(RunningChatServer server, int attempts)
    {
        for (var i = 0; i < attempts; i++)
        {
            await using var client = await TestClient.ConnectAsync(server);
            if (await IsAdmittedAsync(client)) return true;
            await Task.Delay(100);
        }
        return false;
    }

    private static async Task<ServerFrame?> ReceiveOrNullAsync(TestClient client)
    {
        using var timeout = new CancellationTokenSource(FrameTimeout);
        return await client.Connection.ReceiveAsync(timeout.Token);
    }
}
