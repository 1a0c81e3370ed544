using System.Net;
using System.Net.Sockets;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>The built client process (dotnet ActorChat.Client.dll) against the real server, through stdin and stdout.</summary>
[Collection(nameof(ClientProcessTests))]
public sealed class ClientProcessSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static ChildProcess Client(int port, params string[] arguments) =>
        ChildProcess.StartDotnet(BuiltApps.ClientDll, ["--host", "127.0.0.1", "--port", port.ToString(), .. arguments]);

    private static async Task<ChatConnection> ObserverAsync(int port, string name = "observer", string room = "general")
    {
        var connection = await ChatConnection.ConnectAsync("127.0.0.1", port);
        await connection.SendAsync(new HelloRequest(name));
        await connection.SendAsync(new JoinRequest(room));
        await Next<JoinedFrame>(connection);
        return connection;
    }

    private static async Task<T> Next<T>(ChatConnection connection, ChildProcess? client = null) where T : ServerFrame
    {
        using var timeout = new CancellationTokenSource(Within);
        try
        {
            while (true)
            {
                var frame = await connection.ReceiveAsync(timeout.Token) ?? throw new InvalidOperationException("connection closed");
                if (frame is T wanted) return wanted;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {typeof(T).Name} within {Within.TotalSeconds} s; the client printed:\n{client?.Output}");
        }
    }

    [Fact]
    public async Task Piped_lines_are_sent_and_the_client_exits_once_the_server_answered_them()
    {
        await using var server = await TestServer.StartAsync();
        await using var observer = await ObserverAsync(server.TcpEndpoint.Port);
        await using var client = Client(server.TcpEndpoint.Port, "--name", "alice");

        await client.WriteAsync("hello from a pipe\n/who\n/stats\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Equal("hello from a pipe", (await Next<MessageFrame>(observer)).Text);
        var output = client.Output;
        Assert.Contains("*** You joined #general", output);
        Assert.Contains("alice: hello from a pipe", output);
        Assert.Contains("In #general (2): observer, alice", output);
        Assert.Contains("Messages per user in #general:", output);
        Assert.DoesNotContain('\u001b', output); // not a terminal: no control codes
    }

    [Fact]
    public async Task The_room_history_is_shown_on_joining()
    {
        await using var server = await TestServer.StartAsync();
        await using var observer = await ObserverAsync(server.TcpEndpoint.Port, room: "dev");
        await observer.SendAsync(new SayRequest("dev", "said before you came"));
        await Next<MessageFrame>(observer);

        await using var client = Client(server.TcpEndpoint.Port, "--name", "alice", "--room", "dev");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Contains("observer: said before you came", client.Output);
    }

    [Fact]
    public async Task Join_then_say_goes_to_the_new_room_and_an_unknown_command_sends_nothing()
    {
        await using var server = await TestServer.StartAsync();
        await using var observer = await ObserverAsync(server.TcpEndpoint.Port, room: "dev");
        await using var client = Client(server.TcpEndpoint.Port, "--name", "alice");

        await client.WriteAsync("/frobnicate\n/join dev\nnow in dev\n/msg observer psst\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Equal("dev", (await Next<MessageFrame>(observer)).Room);
        Assert.Equal("psst", (await Next<DirectMessageFrame>(observer)).Text);
        Assert.Contains("Unknown command '/frobnicate'", client.Output);
        Assert.DoesNotContain("[unknown_type]", client.Output);
    }

    [Fact]
    public async Task History_shows_the_messages_before_the_join_history_oldest_first()
    {
        await using var server = await TestServer.StartAsync("--history", "10");
        await using var observer = await ObserverAsync(server.TcpEndpoint.Port);
        for (var i = 1; i <= 30; i++) await observer.SendAsync(new SayRequest("general", $"message {i:D2}"));
        for (var i = 1; i <= 30; i++) await Next<MessageFrame>(observer);

        await using var client = Client(server.TcpEndpoint.Port, "--name", "alice");
        await client.WriteAsync("/history 15\n/history 15\n/history\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        var lines = client.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int IndexOf(string text) => lines.FindIndex(l => l.EndsWith(text, StringComparison.Ordinal));
        int[] Positions(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => IndexOf($"observer: message {i:D2}")).ToArray();

        // Joining shows the last 10; the first /history the 15 before them, the second the 5 left, the third none.
        var joined = Positions(21, 30);
        var firstPage = Positions(6, 20);
        var secondPage = Positions(1, 5);
        Assert.All(joined.Concat(firstPage).Concat(secondPage), p => Assert.True(p >= 0, client.Output));
        Assert.Equal(joined.Order(), joined);
        Assert.Equal(firstPage.Order(), firstPage);
        Assert.Equal(secondPage.Order(), secondPage);
        var firstHeader = IndexOf("— 15 earlier messages in #general —");
        var secondHeader = IndexOf("— 5 earlier messages in #general —");
        Assert.True(joined[^1] < firstHeader && firstHeader < firstPage[0] && firstPage[^1] < secondHeader && secondHeader < secondPage[0],
            client.Output);
        Assert.True(IndexOf("No earlier messages in #general.") > secondPage[^1], client.Output);
        for (var i = 1; i <= 30; i++) Assert.Single(lines, l => l.EndsWith($"observer: message {i:D2}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_line_the_server_could_not_save_is_reported_as_not_sent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource(Within);
        var serving = ServeWithTheDatabaseAwayAsync(listener, stop.Token);
        await using var client = Client(((IPEndPoint)listener.LocalEndpoint).Port, "--name", "alice");

        await client.WriteAsync("deploy at 5\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        await serving;
        Assert.Contains("!!! Not sent to #general: \"deploy at 5\" — the server could not save it just now; try again. [unavailable]", client.Output);
    }

    /// <summary>A stand-in for a server whose database is away: it refuses every say with <c>unavailable</c>, as the real server does then.</summary>
    private static Task ServeWithTheDatabaseAwayAsync(TcpListener listener, CancellationToken cancellationToken) =>
        StandIn.ServeAsync(listener, cancellationToken, frame => frame is SayRequest
            ? [new ErrorFrame(ErrorCodes.Unavailable, "Message not saved; try again.") { Ref = frame.Ref }]
            : StandIn.Answer(frame));

    [Fact]
    public async Task A_room_that_failed_on_the_server_is_left_and_the_user_is_told_how_to_go_back()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource(Within);
        // The stand-in's general fails right after the first line said in it.
        var serving = StandIn.ServeAsync(listener, stop.Token, frame => frame is SayRequest say
            ? [new ErrorFrame(ErrorCodes.RoomFailed, $"Room '{say.Room}' failed and you are no longer in it; join it again.") { Room = say.Room },
               new ErrorFrame(ErrorCodes.Unavailable, $"Room '{say.Room}' failed before it answered; join it again.") { Ref = say.Ref }]
            : StandIn.Answer(frame));
        await using var client = Client(((IPEndPoint)listener.LocalEndpoint).Port, "--name", "alice");

        await client.WriteAsync("anyone here?\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        await serving;
        Assert.Contains("Room 'general' failed and you are no longer in it; join it again.", client.Output);
        Assert.Contains("You are in no room now; /join one.", client.Output);
    }

    [Fact]
    public async Task With_no_server_to_find_the_client_says_what_to_try()
    {
        await using var client = ChildProcess.StartDotnet(BuiltApps.ClientDll, "--name", "alice",
            "--discovery-port", Ports.FreeUdpPort().ToString(), "--discovery-target", "127.0.0.1", "--discovery-time", "0.5");

        Assert.Equal(1, await client.WaitForExitAsync(Within));
        Assert.Contains("No chat server answered", client.Output);
        Assert.Contains("--host", client.Output);
        Assert.Contains("firewall", client.Output);
    }

    [Fact]
    public async Task Without_a_host_the_client_finds_the_server_by_discovery_on_loopback()
    {
        var udpPort = Ports.FreeUdpPort();
        await using var server = await TestServer.StartAsync("--udp-port", udpPort.ToString(), "--name", "found-me");
        await using var client = ChildProcess.StartDotnet(BuiltApps.ClientDll, "--name", "alice",
            "--discovery-port", udpPort.ToString(), "--discovery-target", "127.0.0.1");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Contains($"Found found-me at 127.0.0.1:{server.TcpEndpoint.Port}", client.Output);
        Assert.Contains("Connected to found-me", client.Output);
    }

    [Fact]
    public async Task After_a_server_restart_the_client_reconnects_rejoins_and_chats_on()
    {
        RunningChatServer? server = await TestServer.StartAsync();
        var port = server.TcpEndpoint.Port;
        await using var client = Client(port, "--name", "alice");
        try
        {
            await client.WriteLineAsync("/join dev");
            await client.WaitForAsync("*** You joined #dev", Within);

            await server.DisposeAsync();
            server = null;
            await client.WaitForAsync("Lost the connection", Within);
            server = await TestServer.RestartOnAsync(port, Within);

            await client.WaitForAsync("Reconnected to test-server at 127.0.0.1:" + port, Within);
            await using var observer = await ObserverAsync(port, room: "dev");
            await client.WriteLineAsync("back again");
            Assert.Equal("back again", (await Next<MessageFrame>(observer, client)).Text);
            Assert.Contains("rejoining #general, #dev", client.Output);

            client.CloseInput();
            Assert.Equal(0, await client.WaitForExitAsync(Within));
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_name_taken_while_reconnecting_is_borrowed_with_a_suffix_and_taken_back_once_free()
    {
        RunningChatServer? server = await TestServer.StartAsync();
        var port = server.TcpEndpoint.Port;
        await using var client = Client(port, "--name", "alice");
        try
        {
            await client.WaitForAsync("*** You joined #general", Within);
            await server.DisposeAsync();
            server = null;
            await client.WaitForAsync("Lost the connection", Within);
            await Task.Delay(TimeSpan.FromSeconds(1)); // let the client's backoff grow past the restart below
            server = await TestServer.RestartOnAsync(port, Within);
            var impostor = await ObserverAsync(port, name: "alice");
            await client.WaitForAsync("you are alice_2 for now", Within);
            await client.WaitForAsync("Reconnected to test-server at 127.0.0.1:" + port + " as alice_2", Within);

            await impostor.DisposeAsync(); // the session that had the name leaves

            await client.WaitForAsync("Your name alice is free again: reconnected as alice (was alice_2)", Within);
            await using var observer = await ObserverAsync(port);
            await client.WriteLineAsync("it is me again");
            var message = await Next<MessageFrame>(observer, client);
            Assert.Equal(("alice", "it is me again"), (message.Sender, message.Text));
            client.CloseInput();
            Assert.Equal(0, await client.WaitForExitAsync(Within));
            Assert.DoesNotContain("alice_2 left", client.Output); // the handover is not news
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Lines_typed_while_reconnecting_are_sent_after_the_rejoin_once_each_and_in_order()
    {
        RunningChatServer? server = await TestServer.StartAsync();
        var port = server.TcpEndpoint.Port;
        await using var client = Client(port, "--name", "alice");
        try
        {
            await client.WaitForAsync("*** You joined #general", Within);
            await server.DisposeAsync();
            server = null;
            await client.WaitForAsync("Lost the connection", Within);

            await client.WriteAsync("queued 1\nqueued 2\nqueued 3\n");
            await client.WaitForAsync("(3 waiting)", Within);
            server = await TestServer.RestartOnAsync(port, Within);

            await client.WaitForAsync("*** Sending 3 lines typed while reconnecting.", Within);
            await client.WaitForAsync("alice: queued 3", Within);
            await using var observer = await ChatConnection.ConnectAsync("127.0.0.1", port);
            await observer.SendAsync(new HelloRequest("observer"));
            await observer.SendAsync(new JoinRequest("general"));
            var joined = await Next<JoinedFrame>(observer, client);
            Assert.Equal(["queued 1", "queued 2", "queued 3"], joined.History.Select(m => m.Text));
            foreach (var text in new[] { "alice: queued 1", "alice: queued 2", "alice: queued 3" })
                Assert.Single(client.Output.Split('\n'), l => l.TrimEnd('\r').EndsWith(text, StringComparison.Ordinal));

            client.CloseInput();
            Assert.Equal(0, await client.WaitForExitAsync(Within));
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Input_that_ends_while_reconnecting_ends_the_client_with_exit_code_0_and_says_what_was_not_sent()
    {
        RunningChatServer? server = await TestServer.StartAsync();
        await using var client = Client(server.TcpEndpoint.Port, "--name", "alice");
        try
        {
            await client.WaitForAsync("*** You joined #general", Within);
            await server.DisposeAsync();
            server = null;
            await client.WaitForAsync("Lost the connection", Within);

            await client.WriteAsync("never sent\n");
            client.CloseInput();

            Assert.Equal(0, await client.WaitForExitAsync(Within));
            Assert.Contains("!!! 1 line typed while reconnecting was not sent.", client.Output);
            Assert.DoesNotContain("Unhandled exception", client.Output);
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_line_over_the_protocol_limits_is_refused_before_sending_and_the_next_line_still_arrives()
    {
        await using var server = await TestServer.StartAsync();
        await using var observer = await ObserverAsync(server.TcpEndpoint.Port);
        await using var client = Client(server.TcpEndpoint.Port, "--name", "alice");

        await client.WriteAsync(new string('x', Protocol.MaxTextLength + 1) + "\n");
        await client.WriteAsync("/join " + new string('r', 70_000) + "\n");
        await client.WriteAsync("still here\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Equal("still here", (await Next<MessageFrame>(observer, client)).Text);
        Assert.Contains("!!! Not sent: the line is 4001 characters long; a message may have at most 4000.", client.Output);
        Assert.Contains("the server takes at most 64 KiB (65536 bytes) in one line.", client.Output);
        Assert.DoesNotContain("Lost the connection", client.Output);
    }

    [Fact]
    public async Task Without_a_room_the_client_joins_the_room_the_server_welcomes_it_to()
    {
        await using var server = await TestServer.StartAsync("--default-room", "lobby");
        await using var client = Client(server.TcpEndpoint.Port, "--name", "alice");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Contains("*** You joined #lobby", client.Output);
    }
}

/// <summary>Client process tests run one after another: each starts the .NET runtime twice on a small machine.</summary>
[CollectionDefinition(nameof(ClientProcessTests), DisableParallelization = true)]
public sealed class ClientProcessTests;
