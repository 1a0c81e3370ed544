using System.Net;
using System.Net.Sockets;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>The server as a process: start-up errors, flags, and a graceful Ctrl+C.</summary>
public sealed class ServerProcessTests
{
    [Fact]
    public async Task A_port_in_use_is_a_one_line_error_naming_the_port_and_a_non_zero_exit()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        await using var server = ServerProcess.Start("--bind", "127.0.0.1", "--port", port.ToString());
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var errorLines = server.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(errorLines);
        Assert.Contains(port.ToString(), line);
        Assert.DoesNotContain("   at ", server.StandardOutput + server.StandardError);
    }

    [Fact]
    public async Task A_web_port_equal_to_the_tcp_port_is_a_one_line_error_and_exit_code_1()
    {
        var port = FreeTcpPort();

        await using var server = ServerProcess.Start("--bind", "127.0.0.1", "--web-port", port.ToString(), "--port", port.ToString());
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(server.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"actorchat: cannot listen on HTTP 127.0.0.1:{port}: the TCP listener for chat clients uses the same port; choose another --web-port or --port", line.TrimEnd());
        Assert.DoesNotContain("   at ", server.StandardOutput + server.StandardError);
    }

    [Fact]
    public async Task A_web_port_in_use_is_a_one_line_error_naming_the_port_and_exit_code_1()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        await using var server = ServerProcess.Start("--bind", "127.0.0.1", "--port", "auto", "--web-port", port.ToString());
        var exitCode = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(server.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"HTTP 127.0.0.1:{port}", line);
        Assert.DoesNotContain("   at ", server.StandardOutput + server.StandardError);
    }

    [Theory]
    [InlineData("--max-frame", "12parsecs")]
    [InlineData("--port", "banana")]
    [InlineData("--no-such-flag", "1")]
    [InlineData("--history", "-5")]
    public async Task A_bad_flag_is_explained_and_exits_with_2(string flag, string value)
    {
        await using var server = ServerProcess.Start(flag, value);
        Assert.Equal(2, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(flag, server.StandardError);
        Assert.Contains("--help", server.StandardError);
    }

    [Fact]
    public async Task Help_lists_the_flags_and_their_environment_variables()
    {
        await using var server = ServerProcess.Start("--help");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        foreach (var expected in new[] { "--port", "ACTORCHAT_PORT", "--bind", "--name", "--history", "--max-frame", "--outbound-limit" })
            Assert.Contains(expected, server.StandardOutput);
    }

    [Fact]
    public async Task Ctrl_c_lets_clients_go_with_a_bye_and_a_clean_close()
    {
        await using var server = await ServerProcess.StartReadyAsync("--name", "Graceful");
        await using var alice = await ChatConnection.ConnectAsync("127.0.0.1", server.Port);
        await alice.SendAsync(new HelloRequest("alice"));
        var welcome = Assert.IsType<WelcomeFrame>(await alice.ReceiveAsync());
        Assert.Equal("Graceful", welcome.Server);
        await alice.SendAsync(new JoinRequest("general"));
        Assert.IsType<JoinedFrame>(await alice.ReceiveAsync());

        server.Interrupt();

        var frames = new List<ServerFrame>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var frame in alice.Frames.ReadAllAsync(cts.Token)) frames.Add(frame);
        Assert.Equal(new ByeFrame(ByeFrame.ServerShutdown), Assert.Single(frames));

        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("Exception", server.StandardOutput + server.StandardError);
    }

    [Fact]
    public async Task Clients_that_connect_while_the_server_starts_do_not_leave_it_deaf_to_later_ones()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        await using var server = ServerProcess.Start("--bind", "127.0.0.1", "--port", port.ToString());
        // Reconnecting clients hammer the port while the server starts: bounded in count and time.
        var early = new List<Socket>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (early.Count < 32 && DateTime.UtcNow < deadline)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Connect(IPAddress.Loopback, port); // synchronous: as fast as the kernel answers
                early.Add(socket);
            }
            catch (SocketException)
            {
                socket.Dispose();
            }
        }
        await server.WaitReadyAsync();

        for (var i = 0; i < 5; i++)
        {
            await using var later = await ChatConnection.ConnectAsync("127.0.0.1", port);
            await later.SendAsync(PingRequest.Instance);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.IsType<PongFrame>(await later.ReceiveAsync(cts.Token));
        }
        foreach (var socket in early) socket.Dispose();
    }

    private static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public async Task The_server_started_from_another_working_directory_answers_on_its_port()
    {
        await using var server = await ServerProcess.StartReadyAsync();
        await using var client = await ChatConnection.ConnectAsync("127.0.0.1", server.Port);
        await client.SendAsync(PingRequest.Instance);
        Assert.IsType<PongFrame>(await client.ReceiveAsync());
    }
}
