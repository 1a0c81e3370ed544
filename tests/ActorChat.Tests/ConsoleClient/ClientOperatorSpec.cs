using ActorChat.Client;
using ActorChat.Client.Security;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>The built client process with input from a pipe: an operator's server-wide commands, and a private room's password.</summary>
[Collection(nameof(ClientProcessTests))]
public sealed class ClientOperatorSpec : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const string Password = "correct-horse-battery";
    private readonly string _configDir = Path.Combine(Path.GetTempPath(), "actorchat-client-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_configDir)) Directory.Delete(_configDir, recursive: true);
    }

    private ChildProcess Client(RunningChatServer server, params string[] arguments) =>
        ChildProcess.Start("dotnet", [BuiltApps.ClientDll, "--host", "127.0.0.1", "--port", server.TcpEndpoint.Port.ToString(), .. arguments],
            new Dictionary<string, string> { [KnownServers.ConfigDirVariable] = _configDir });

    private static async Task<ChatConnection> ConnectAsync(RunningChatServer server, ClientFrame identify)
    {
        var connection = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await connection.SendAsync(identify);
        await Next<ServerFrame>(connection, f => f is WelcomeFrame or RegisteredFrame);
        return connection;
    }

    private static async Task<T> Next<T>(ChatConnection connection, Func<T, bool>? match = null) where T : ServerFrame
    {
        using var timeout = new CancellationTokenSource(Within);
        while (true)
        {
            var frame = await connection.ReceiveAsync(timeout.Token) ?? throw new InvalidOperationException($"closed before a {typeof(T).Name}");
            if (frame is T wanted && (match is null || match(wanted))) return wanted;
        }
    }

    [Fact]
    public async Task An_operator_kills_a_user_bans_an_account_and_an_address_and_lifts_a_ban_each_told_in_plain_words()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await (await ConnectAsync(server, new RegisterRequest("root", Password))).DisposeAsync();
        await using var mallory = await ConnectAsync(server, new HelloRequest("mallory"));
        await using var eve = await ConnectAsync(server, new RegisterRequest("eve", Password));
        await using var client = Client(server, "--name", "root", "--password", Password);

        await client.WriteAsync("/kill mallory calm down\n/gban eve 30 flooding\n/gban 192.0.2.0/24\n/gunban eve\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        var bye = await Next<ByeFrame>(mallory);
        Assert.Equal((ByeFrame.Killed, "calm down"), (bye.Reason, bye.Message));
        Assert.Equal(ByeFrame.Banned, (await Next<ByeFrame>(eve)).Reason);
        Assert.Contains("*** mallory was disconnected from the server.", client.Output);
        Assert.Contains("*** eve is banned from the server for 30 min.", client.Output);
        Assert.Contains("*** 192.0.2.0/24 is banned from the server for good.", client.Output);
        Assert.Contains("*** eve is no longer banned from the server.", client.Output);
        await using var eveAgain = await ConnectAsync(server, new HelloRequest("eve", Password)); // the ban is lifted
    }

    [Fact]
    public async Task A_client_an_operator_kills_says_why_and_does_not_reconnect()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var root = await ConnectAsync(server, new RegisterRequest("root", Password));
        await using var client = Client(server, "--name", "mallory");
        await client.WaitForAsync("Connected to", Within);

        await root.SendAsync(new KillRequest("mallory", "calm down"));
        await Next<DoneFrame>(root);

        await client.WaitForAsync("Not reconnecting after an operator's kill; /quit to leave.", Within);
        Assert.Contains("!!! An operator disconnected you: calm down", client.Output);
        Assert.DoesNotContain("reconnecting...", client.Output);
        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

    [Fact]
    public async Task Operator_commands_from_someone_who_is_not_an_operator_are_error_lines_with_the_servers_reason()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var mallory = await ConnectAsync(server, new HelloRequest("mallory"));
        await using var client = Client(server, "--name", "bob");

        await client.WriteAsync("/kill mallory\n/gban mallory\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Equal(2, client.Output.Split('\n').Count(line => line.StartsWith("!!! ") && line.Contains("[not_permitted]")));
        await mallory.SendAsync(PingRequest.Instance);
        await Next<PongFrame>(mallory); // still online
    }

    [Fact]
    public async Task Join_with_the_password_enters_a_private_room_after_a_wrong_one_is_refused_plainly()
    {
        await using var server = await TestServer.StartAsync();
        await using var owner = await ConnectAsync(server, new RegisterRequest("alice", Password));
        await owner.SendAsync(new JoinRequest("den"));
        await Next<JoinedFrame>(owner);
        await owner.SendAsync(new ModeRequest("den", true, "sesame"));
        await Next<ModeFrame>(owner);
        await using var client = Client(server, "--name", "bob");

        await client.WriteAsync("/join den wrong\n/join den sesame\nhello den\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        var said = await Next<MessageFrame>(owner);
        Assert.Equal(("bob", "den", "hello den"), (said.Sender, said.Room, said.Text));
        Assert.Contains("[bad_password]", client.Output);
        Assert.DoesNotContain("sesame", client.Output);
    }
}
