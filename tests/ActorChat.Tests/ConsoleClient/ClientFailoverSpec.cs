using ActorChat.Client;
using ActorChat.Client.Cli;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>--host with several servers: which one is tried first, and what happens when one goes away.</summary>
public sealed class ServerListSpec
{
    [Fact]
    public void Several_hosts_are_read_in_order_each_with_its_own_port_or_the_common_one()
    {
        var (options, error, _) = ClientOptions.Parse(["--host", "a,b:4000,[::1]:5000,::1,10.0.0.2", "--port", "7000"]);
        Assert.Null(error);
        Assert.Equal(
            [new("a", 7000), new("b", 4000), new("::1", 5000), new("::1", 7000), new("10.0.0.2", 7000)],
            options!.Endpoints(tls: false));
        Assert.Equal("a", options.Host);
    }

    [Fact]
    public void With_TLS_a_host_without_its_own_port_takes_the_TLS_port()
    {
        var (options, _, _) = ClientOptions.Parse(["--host", "a,b:4443", "--tls"]);
        Assert.Equal([new("a", ClientOptions.DefaultTlsPort), new("b", 4443)], options!.Endpoints(tls: true));
    }

    [Theory]
    [InlineData("a,,b")]
    [InlineData("a:0")]
    [InlineData("a:70000")]
    [InlineData("a:x")]
    [InlineData(":4000")]
    [InlineData("[::1")]
    [InlineData("[::1]4000")]
    public void A_host_list_with_an_empty_or_bad_part_is_refused_naming_the_option(string hosts)
    {
        var (options, error, _) = ClientOptions.Parse(["--host", hosts]);
        Assert.Null(options);
        Assert.StartsWith("--host:", error);
    }

    [Fact]
    public void The_rotation_goes_round_robin_and_says_when_a_round_is_complete()
    {
        var rotation = new ServerRotation([new("a", 1), new("b", 2), new("a", 1), new("c", 3)]);
        Assert.Equal(3, rotation.Count); // the same server twice is tried once per round
        Assert.Equal(("a", true), (rotation.Current.Host, rotation.AtFirst));
        Assert.Equal("b", rotation.Next().Host);
        Assert.Equal("c", rotation.Next().Host);
        Assert.False(rotation.AtFirst);
        Assert.Equal(("a", true), (rotation.Next().Host, rotation.AtFirst));
    }
}

/// <summary>The built client process against two real server processes: the first is killed, the client goes on with the second.</summary>
[Collection(nameof(ClientProcessTests))]
public sealed class ClientFailoverSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task When_its_server_is_killed_the_client_fails_over_to_the_next_host_signs_in_again_rejoins_and_chats_on()
    {
        await using var first = await ServerProcess.StartReadyAsync();
        await using var second = await ServerProcess.StartReadyAsync();
        await using var client = ChildProcess.StartDotnet(BuiltApps.ClientDll,
            "--host", $"127.0.0.1:{first.Port},127.0.0.1:{second.Port}", "--name", "alice");
        await client.WriteLineAsync("/join dev");
        await client.WaitForAsync("*** You joined #dev", Within);
        Assert.Contains($" at 127.0.0.1:{first.Port} as alice. Type /help", client.Output);

        first.Kill();
        await client.WaitForAsync($" at 127.0.0.1:{second.Port} as alice; rejoining #general, #dev.", Within);
        Assert.Contains("Reconnected to ", client.Output);
        Assert.Contains($"reconnecting to 127.0.0.1:{second.Port}...", client.Output);

        await using var observer = await ObserverAsync(second.Port, "dev");
        await client.WriteLineAsync("on the second server");
        Assert.Equal(("alice", "on the second server"), await NextMessageAsync(observer, client));
        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

    [Fact]
    public async Task A_first_host_that_cannot_be_reached_is_passed_over_for_the_next()
    {
        await using var server = await ServerProcess.StartReadyAsync();
        var nobody = Cluster.ThreeNodeCluster.FreePort();
        await using var client = ChildProcess.StartDotnet(BuiltApps.ClientDll,
            "--host", $"127.0.0.1:{nobody},127.0.0.1:{server.Port}", "--name", "bob");
        await client.WaitForAsync($" at 127.0.0.1:{server.Port} as bob. Type /help", Within);
        Assert.Contains($"Cannot connect to 127.0.0.1:{nobody}", client.Output);
        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

    private static async Task<ChatConnection> ObserverAsync(int port, string room)
    {
        var connection = await ChatConnection.ConnectAsync("127.0.0.1", port);
        await connection.SendAsync(new HelloRequest("observer"));
        await connection.SendAsync(new JoinRequest(room));
        await NextAsync<JoinedFrame>(connection, null);
        return connection;
    }

    private static async Task<(string From, string Text)> NextMessageAsync(ChatConnection connection, ChildProcess client)
    {
        var message = await NextAsync<MessageFrame>(connection, client);
        return (message.Sender, message.Text);
    }

    private static async Task<T> NextAsync<T>(ChatConnection connection, ChildProcess? client) where T : ServerFrame
    {
        using var timeout = new CancellationTokenSource(Within);
        try
        {
            while (true) // bounded by the timeout
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
}
