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

    [Theory]
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
    public async Task The_server_started_from_another_working_directory_answers_on_its_port()
    {
        await using var server = await ServerProcess.StartReadyAsync();
        await using var client = await ChatConnection.ConnectAsync("127.0.0.1", server.Port);
        await client.SendAsync(PingRequest.Instance);
        Assert.IsType<PongFrame>(await client.ReceiveAsync());
    }
}
