using ActorChat.Client;
using ActorChat.Client.Security;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>
/// The built client process over TLS (trust on first use of the server's self-signed certificate), with accounts,
/// and moderating a room, against the real server. Pinned fingerprints go to a temporary directory.
/// </summary>
[Collection(nameof(ClientProcessTests))]
public sealed class ClientTlsAndAccountsSpec : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private const string Password = "correct-horse-battery";
    private readonly string _configDir = Path.Combine(Path.GetTempPath(), "actorchat-client-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_configDir)) Directory.Delete(_configDir, recursive: true);
    }

    private string PinFile => Path.Combine(_configDir, KnownServers.FileName);

    private ChildProcess Client(params string[] arguments) =>
        ChildProcess.Start("dotnet", [BuiltApps.ClientDll, "--host", "127.0.0.1", .. arguments],
            new Dictionary<string, string> { [KnownServers.ConfigDirVariable] = _configDir });

    private ChildProcess TlsClient(RunningChatServer server, params string[] arguments) =>
        Client(["--tls-port", server.TlsEndpoint!.Port.ToString(), .. arguments]);

    private ChildProcess TcpClient(RunningChatServer server, params string[] arguments) =>
        Client(["--port", server.TcpEndpoint.Port.ToString(), .. arguments]);

    private static async Task<ChatConnection> ObserverAsync(RunningChatServer server, string room = "general")
    {
        var connection = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await connection.SendAsync(new HelloRequest("observer"));
        await connection.SendAsync(new JoinRequest(room));
        await Next<JoinedFrame>(connection);
        return connection;
    }

    private static async Task RegisterAsync(RunningChatServer server, string name)
    {
        await using var connection = await ChatConnection.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await connection.SendAsync(new RegisterRequest(name, Password));
        await Next<RegisteredFrame>(connection);
        await connection.SendAsync(QuitRequest.Instance);
        await Next<ByeFrame>(connection);
    }

    private static async Task<T> Next<T>(ChatConnection connection) where T : ServerFrame
    {
        using var timeout = new CancellationTokenSource(Within);
        while (true)
        {
            var frame = await connection.ReceiveAsync(timeout.Token) ?? throw new InvalidOperationException($"closed before a {typeof(T).Name}");
            if (frame is T wanted) return wanted;
            if (frame is ErrorFrame error) throw new InvalidOperationException($"{error.Code}: {error.Message}");
        }
    }

    [Fact]
    public async Task The_first_TLS_connection_pins_the_certificate_says_so_and_chats()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto");
        await using var observer = await ObserverAsync(server);
        await using var client = TlsClient(server, "--name", "alice");

        await client.WriteAsync("hello over tls\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Equal("hello over tls", (await Next<MessageFrame>(observer)).Text);
        Assert.Contains($"First TLS connection to 127.0.0.1:{server.TlsEndpoint!.Port}: pinned its certificate, SHA-256 fingerprint {server.Certificate!.DisplayFingerprint}", client.Output);
        Assert.Equal($"127.0.0.1:{server.TlsEndpoint.Port} {server.Certificate.Fingerprint}", File.ReadAllText(PinFile).Trim());
    }

    [Fact]
    public async Task Another_certificate_on_a_pinned_server_is_refused_with_exit_code_1_and_says_how_to_accept_it()
    {
        int tlsPort;
        string first;
        await using (var server = await TestServer.StartAsync("--tls-port", "auto"))
        {
            tlsPort = server.TlsEndpoint!.Port;
            first = server.Certificate!.Fingerprint;
            await using var pinning = TlsClient(server, "--name", "alice");
            pinning.CloseInput();
            Assert.Equal(0, await pinning.WaitForExitAsync(Within));
        }
        // Another server (in memory: another self-signed certificate) on the same host and port.
        await using var impostor = await StartOnTlsPortAsync(tlsPort);
        Assert.NotEqual(first, impostor.Certificate!.Fingerprint);
        await using var observer = await ObserverAsync(impostor);
        await using var client = TlsClient(impostor, "--name", "alice");
        await client.WriteAsync("for the real server only\n");
        client.CloseInput();

        Assert.Equal(1, await client.WaitForExitAsync(Within));
        Assert.Contains($"THE CERTIFICATE OF 127.0.0.1:{tlsPort} HAS CHANGED!", client.Output);
        Assert.Contains(KnownServers.Display(first), client.Output);
        Assert.Contains(impostor.Certificate.DisplayFingerprint, client.Output);
        Assert.Contains("--accept-new-fingerprint", client.Output);
        Assert.Contains(first, File.ReadAllText(PinFile));
        await observer.SendAsync(new WhoRequest("general"));
        Assert.Equal(["observer"], (await Next<MembersFrame>(observer)).Members);
    }

    [Fact]
    public async Task Accept_new_fingerprint_takes_and_pins_the_certificate_that_changed()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto");
        var key = $"127.0.0.1:{server.TlsEndpoint!.Port}";
        Directory.CreateDirectory(_configDir);
        await File.WriteAllTextAsync(PinFile, $"{key} {new string('0', 64)}\n");
        await using var observer = await ObserverAsync(server);

        await using var client = TlsClient(server, "--name", "alice", "--accept-new-fingerprint");
        await client.WriteAsync("the new certificate is fine\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Equal("the new certificate is fine", (await Next<MessageFrame>(observer)).Text);
        Assert.Contains($"Accepted the new certificate of {key}", client.Output);
        Assert.Equal($"{key} {server.Certificate!.Fingerprint}", File.ReadAllText(PinFile).Trim());
    }

    [Fact]
    public async Task Password_signs_in_to_a_registered_account()
    {
        await using var server = await TestServer.StartAsync();
        await RegisterAsync(server, "alice");
        await using var observer = await ObserverAsync(server);

        await using var client = TcpClient(server, "--name", "alice", "--password", Password);
        await client.WriteAsync("signed in\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Equal("alice", (await Next<MessageFrame>(observer)).Sender);
        Assert.Contains("as alice.", client.Output);
        Assert.DoesNotContain(Password, client.Output);
    }

    [Fact]
    public async Task A_wrong_password_says_auth_failed_plainly_and_exits_1()
    {
        await using var server = await TestServer.StartAsync();
        await RegisterAsync(server, "alice");

        await using var client = TcpClient(server, "--name", "alice", "--password", "not-the-password");
        client.CloseInput();

        Assert.Equal(1, await client.WaitForExitAsync(Within));
        Assert.Contains("!!! Wrong name or password (a registered name needs its password). [auth_failed]", client.Output);
    }

    [Fact]
    public async Task Register_makes_the_name_an_account_to_sign_in_to_with_its_password()
    {
        await using var server = await TestServer.StartAsync();
        await using (var guest = TcpClient(server, "--name", "bob"))
        {
            await guest.WriteAsync($"/register {Password}\n");
            guest.CloseInput();
            Assert.Equal(0, await guest.WaitForExitAsync(Within));
            Assert.Contains("Registered: bob is your account now", guest.Output);
        }

        await using var withPassword = TcpClient(server, "--name", "bob", "--password", Password);
        withPassword.CloseInput();
        await using var withoutPassword = TcpClient(server, "--name", "bob");
        withoutPassword.CloseInput();

        Assert.Equal(0, await withPassword.WaitForExitAsync(Within));
        Assert.Contains("as bob.", withPassword.Output);
        Assert.Equal(1, await withoutPassword.WaitForExitAsync(Within));
        Assert.Contains("[auth_failed]", withoutPassword.Output);
    }

    [Fact]
    public async Task Topic_sets_the_topic_of_the_current_room_and_shows_it()
    {
        await using var server = await TestServer.StartAsync();
        await RegisterAsync(server, "alice");
        await using var owner = TcpClient(server, "--name", "alice", "--password", Password, "--room", "ops");
        await owner.WaitForAsync("You joined #ops", Within);
        await using var observer = await ObserverAsync(server, "ops");

        await owner.WriteAsync("/topic release on friday\n");
        owner.CloseInput();

        Assert.Equal(0, await owner.WaitForExitAsync(Within));
        Assert.Equal(("release on friday", "alice"), await Next<TopicFrame>(observer) is var topic ? (topic.Topic, topic.By) : default);
        Assert.Contains("*** alice set the topic of #ops: release on friday", owner.Output);
    }

    [Fact]
    public async Task Kick_puts_a_member_out_and_the_member_is_told_by_whom_and_why()
    {
        await using var server = await TestServer.StartAsync();
        await RegisterAsync(server, "alice");
        await using var owner = TcpClient(server, "--name", "alice", "--password", Password, "--room", "ops");
        await owner.WaitForAsync("You joined #ops", Within);
        await using var member = TcpClient(server, "--name", "bob", "--room", "ops");
        await member.WaitForAsync("You joined #ops", Within);
        await owner.WaitForAsync("bob joined #ops", Within);

        await owner.WriteAsync("/kick bob too loud\n");

        await member.WaitForAsync("!!! You were kicked from #ops by alice: too loud. /join ops to come back", Within);
        await owner.WaitForAsync("*** bob was kicked from #ops by alice: too loud", Within);
        owner.CloseInput();
        member.CloseInput();
        Assert.Equal(0, await owner.WaitForExitAsync(Within));
        Assert.Equal(0, await member.WaitForExitAsync(Within));
    }

    private ChildProcess DiscoveringClient(RunningChatServer server, params string[] arguments) =>
        ChildProcess.Start("dotnet", [BuiltApps.ClientDll, "--discovery-port", server.DiscoveryEndpoint!.Port.ToString(),
                "--discovery-target", "127.0.0.1", "--discovery-time", "1", .. arguments],
            new Dictionary<string, string> { [KnownServers.ConfigDirVariable] = _configDir });

    [Fact]
    public async Task A_server_found_by_discovery_that_offers_TLS_is_reached_over_TLS()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto", "--udp-port", Ports.FreeUdpPort().ToString());
        await using var client = DiscoveringClient(server, "--name", "alice");
        await client.WriteAsync("found and encrypted\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Contains($"First TLS connection to 127.0.0.1:{server.TlsEndpoint!.Port}", client.Output);
        Assert.Contains($"at 127.0.0.1:{server.TlsEndpoint.Port} as alice", client.Output);
        Assert.Contains("alice: found and encrypted", client.Output);
    }

    [Fact]
    public async Task No_tls_takes_plain_TCP_even_when_the_server_found_offers_TLS()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto", "--udp-port", Ports.FreeUdpPort().ToString());
        await using var client = DiscoveringClient(server, "--name", "alice", "--no-tls");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Contains($"at 127.0.0.1:{server.TcpEndpoint.Port} as alice", client.Output);
        Assert.DoesNotContain("TLS", client.Output);
        Assert.False(File.Exists(PinFile));
    }

    [Fact]
    public async Task A_certificate_that_changes_while_reconnecting_is_refused_and_the_client_stops_reconnecting()
    {
        var server = await TestServer.StartAsync("--tls-port", "auto");
        var tlsPort = server.TlsEndpoint!.Port;
        await using var client = TlsClient(server, "--name", "alice");
        await client.WaitForAsync("You joined #general", Within);
        await server.DisposeAsync();
        await client.WaitForAsync("reconnecting", Within);

        await using var impostor = await StartOnTlsPortAsync(tlsPort);
        await client.WaitForAsync("Not reconnecting; /quit to leave.", Within);

        Assert.Contains($"THE CERTIFICATE OF 127.0.0.1:{tlsPort} HAS CHANGED!", client.Output);
        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Within));
    }

    [Fact]
    public async Task Password_changes_the_password_to_sign_in_with()
    {
        await using var server = await TestServer.StartAsync();
        await RegisterAsync(server, "alice");
        await using (var changing = TcpClient(server, "--name", "alice", "--password", Password))
        {
            await changing.WriteAsync($"/password {Password} another-good-password\n");
            changing.CloseInput();
            Assert.Equal(0, await changing.WaitForExitAsync(Within));
            Assert.Contains("*** Password changed.", changing.Output);
        }

        await using var client = TcpClient(server, "--name", "alice", "--password", "another-good-password");
        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Contains("as alice.", client.Output);
    }

    [Fact]
    public async Task Delete_by_the_number_shown_deletes_the_message_for_everyone()
    {
        await using var server = await TestServer.StartAsync();
        await using var observer = await ObserverAsync(server, "ops");
        await using var client = TcpClient(server, "--name", "alice", "--room", "ops");

        await client.WriteAsync("oops, wrong room\n/delete 1\n/delete 99\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        var said = await Next<MessageFrame>(observer);
        var deleted = await Next<DeletedFrame>(observer);
        Assert.Equal((said.Id, 1L, "alice"), (deleted.Id, deleted.Seq, deleted.By));
        Assert.Contains("[1] alice: oops, wrong room", client.Output);
        Assert.Contains("*** [1] in #ops: message deleted (by alice)", client.Output);
        Assert.Contains("!!! No message [99] shown in #ops", client.Output);
    }

    [Fact]
    public async Task A_room_command_the_server_does_not_permit_is_an_error_line_with_its_reason()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = TcpClient(server, "--name", "guest", "--room", "lobby");
        await client.WriteAsync("/kick somebody\n/topic mine now\n");
        client.CloseInput();

        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.Contains("[not_permitted]", client.Output);
        Assert.DoesNotContain("set the topic", client.Output);
    }

    [Fact]
    public async Task After_a_restart_with_the_same_data_the_client_reconnects_over_TLS_and_signs_in_with_its_password_again()
    {
        var dataDir = Path.Combine(_configDir, "server-data");
        var server = await TestServer.StartAsync("--tls-port", "auto", "--data-dir", dataDir);
        var tlsPort = server.TlsEndpoint!.Port;
        await RegisterAsync(server, "alice");
        await using var client = TlsClient(server, "--name", "alice", "--password", Password);
        await client.WaitForAsync("You joined #general", Within);
        await server.DisposeAsync();
        await client.WaitForAsync("reconnecting", Within);

        await using var restarted = await StartOnTlsPortAsync(tlsPort, "--data-dir", dataDir);
        await client.WaitForAsync($"Reconnected to test-server at 127.0.0.1:{tlsPort} as alice", Within);
        await using var observer = await ObserverAsync(restarted);
        await client.WriteAsync("back with the same certificate\n");
        Assert.Equal("alice", (await Next<MessageFrame>(observer)).Sender);

        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Within));
        Assert.DoesNotContain("HAS CHANGED", client.Output);
    }

    [Fact]
    public async Task Mode_invite_ban_and_unban_go_to_the_current_room_and_are_told_in_plain_words()
    {
        await using var server = await TestServer.StartAsync();
        await RegisterAsync(server, "alice");
        await using var owner = TcpClient(server, "--name", "alice", "--password", Password, "--room", "ops");
        await owner.WaitForAsync("You joined #ops", Within);
        await using var observer = await ObserverAsync(server, "ops");

        await owner.WriteAsync("/mode private s3cret-word\n/invite carol\n/ban observer spamming\n/unban observer\n");
        owner.CloseInput();

        Assert.Equal(0, await owner.WaitForExitAsync(Within));
        var mode = await Next<ModeFrame>(observer);
        Assert.Equal((true, true), (mode.Private, mode.Password));
        Assert.Equal("spamming", (await Next<KickedFrame>(observer)).Reason);
        var output = owner.Output;
        Assert.Contains("*** alice made #ops private (joined by invitation or with its password)", output);
        Assert.Contains("*** carol may now join #ops (invited by alice)", output);
        Assert.Contains("*** observer is banned from #ops (by alice): spamming", output);
        Assert.Contains("*** observer is no longer banned from #ops (by alice)", output);
    }

    /// <summary>A new server on a TLS port that was just in use; the OS may need a moment to hand it out again.</summary>
    private static async Task<RunningChatServer> StartOnTlsPortAsync(int port, params string[] flags)
    {
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            try
            {
                return await TestServer.StartAsync(["--tls-port", port.ToString(), .. flags]);
            }
            catch (ServerStartException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
