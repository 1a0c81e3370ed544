using System.Diagnostics;
using System.Text;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Integration;

/// <summary>Accounts, the three modes, operators and bans, over real loopback connections.</summary>
public sealed class AccountsTests
{
    private const string AlicePassword = "alice-secret-1";

    private static async Task<TestClient> RegisterAsync(RunningChatServer server, string name, string password)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, password) { Ref = "r" });
        var registered = await client.NextAsync<RegisteredFrame>();
        Assert.Equal(name, registered.Name);
        Assert.Equal("r", registered.Ref);
        return client;
    }

    private static async Task<ServerFrame> HelloAsync(TestClient client, string name, string? password)
    {
        await client.SendAsync(new HelloRequest(name, password));
        using var cts = new CancellationTokenSource(TestClient.DefaultTimeout);
        return (await client.Connection.ReceiveAsync(cts.Token))!;
    }

    /// <summary>Signs in, trying again while the name's previous holder is still on its way out.</summary>
    private static async Task<ServerFrame> SignInWhenFreeAsync(Func<Task<ServerFrame>> attempt)
    {
        ServerFrame answer = null!;
        for (var i = 0; i < 10; i++)
        {
            answer = await attempt();
            if (answer is not ErrorFrame { Code: ErrorCodes.NameTaken }) return answer;
        }
        return answer;
    }

    [Fact]
    public async Task A_registered_name_cannot_be_taken_without_its_password_over_tcp_or_websocket()
    {
        await using var server = await TestServer.StartAsync();
        await using (var alice = await RegisterAsync(server, "alice", AlicePassword))
        {
            await using var mallory = await TestClient.ConnectAsync(server);
            var guest = Assert.IsType<ErrorFrame>(await HelloAsync(mallory, "alice", null));
            Assert.Equal(ErrorCodes.AuthFailed, guest.Code);
            var guess = Assert.IsType<ErrorFrame>(await HelloAsync(mallory, "ALICE", "wrong-password"));
            Assert.Equal(ErrorCodes.AuthFailed, guess.Code);
            var unknown = Assert.IsType<ErrorFrame>(await HelloAsync(mallory, "nobody", "wrong-password"));
            Assert.Equal(guess, unknown); // the same answer whether the name has an account or not

            await using var web = await WebSocketTestClient.ConnectAsync(server);
            await web.SendAsync(new HelloRequest("alice"));
            Assert.Equal(ErrorCodes.AuthFailed, (await web.ExpectAsync<ErrorFrame>()).Code);
            await web.SendAsync(new HelloRequest("alice", "wrong-password"));
            Assert.Equal(ErrorCodes.AuthFailed, (await web.ExpectAsync<ErrorFrame>(timeout: TimeSpan.FromSeconds(20))).Code);
            await alice.SendAsync(QuitRequest.Instance);
            await alice.ReadUntilClosedAsync();
        }

        await using var again = await WebSocketTestClient.ConnectAsync(server);
        var welcome = await SignInWhenFreeAsync(async () =>
        {
            await again.SendAsync(new HelloRequest("alice", AlicePassword));
            return (await again.ReceiveAsync(TimeSpan.FromSeconds(20)))!;
        });
        Assert.Equal("alice", Assert.IsType<WelcomeFrame>(welcome).Name);
    }

    [Fact]
    public async Task Over_tls_too_a_registered_name_needs_its_password_and_its_owner_signs_in_with_it()
    {
        await using var server = await TestServer.StartAsync("--tls-port", "auto");
        var fingerprint = server.Certificate!.Fingerprint;
        await using (var alice = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, fingerprint))
        {
            await alice.SendAsync(new RegisterRequest("alice", AlicePassword) { Ref = "r" });
            var registered = Assert.IsType<RegisteredFrame>(await alice.ReceiveAsync());
            Assert.Equal(("alice", "r"), (registered.Name, registered.Ref));

            await using var mallory = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, fingerprint);
            await mallory.SendAsync(new HelloRequest("alice"));
            Assert.Equal(ErrorCodes.AuthFailed, Assert.IsType<ErrorFrame>(await mallory.ReceiveAsync()).Code);
            await mallory.SendAsync(new HelloRequest("alice", "wrong-password"));
            Assert.Equal(ErrorCodes.AuthFailed, Assert.IsType<ErrorFrame>(await mallory.ReceiveAsync(TimeSpan.FromSeconds(20))).Code);
            await alice.SendAsync(QuitRequest.Instance);
            Assert.IsType<ByeFrame>(await alice.ReceiveAsync());
        }

        await using var again = await TlsTestClient.ConnectAsync(server.TlsEndpoint!, fingerprint);
        var welcome = await SignInWhenFreeAsync(async () =>
        {
            await again.SendAsync(new HelloRequest("alice", AlicePassword));
            return (await again.ReceiveAsync(TimeSpan.FromSeconds(20)))!;
        });
        Assert.Equal("alice", Assert.IsType<WelcomeFrame>(welcome).Name);
    }

    [Fact]
    public async Task Wrong_passwords_are_answered_later_and_later()
    {
        var settings = TestServer.Settings();
        // Cheap hashes, so that what is measured is the delay rule and not a busy machine's hashing.
        settings = settings with { Accounts = settings.Accounts with { FailedSignInDelay = TimeSpan.FromMilliseconds(300), HashIterations = 1000 } };
        await using var server = await TestServer.StartAsync(settings);
        await using var alice = await RegisterAsync(server, "alice", AlicePassword);
        await using var mallory = await TestClient.ConnectAsync(server);

        var delays = new List<TimeSpan>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var clock = Stopwatch.StartNew();
            var answer = Assert.IsType<ErrorFrame>(await HelloAsync(mallory, "alice", $"guess-number-{attempt}"));
            delays.Add(clock.Elapsed);
            Assert.Equal(ErrorCodes.AuthFailed, answer.Code);
        }
        // 0.3, 0.6, 1.2, 2.4, 4.8 s. A busy machine can only make an answer later than its delay, never earlier, so
        // each is held to its own floor (a timer may fire a few milliseconds early by its clock): without the doubling
        // the last three would come too soon.
        for (var attempt = 0; attempt < delays.Count; attempt++)
        {
            var floor = TimeSpan.FromMilliseconds(300 * (1 << attempt) - 20);
            Assert.True(delays[attempt] >= floor, $"failure {attempt + 1} was answered after {delays[attempt]}, before its delay of {floor}: {string.Join(", ", delays)}");
        }
        Assert.True(delays[^1] - delays[1] >= TimeSpan.FromSeconds(3), $"delays grew too little: {string.Join(", ", delays)}");
    }

    [Fact]
    public async Task Guests_are_refused_when_accounts_are_required()
    {
        await using var server = await TestServer.StartAsync("--accounts", "required");
        await using var guest = await TestClient.ConnectAsync(server);
        var refused = Assert.IsType<ErrorFrame>(await HelloAsync(guest, "bob", null));
        Assert.Equal(ErrorCodes.AuthRequired, refused.Code);
        await guest.SendAsync(new JoinRequest("general"));
        Assert.Equal(ErrorCodes.NotIdentified, (await guest.NextAsync<ErrorFrame>()).Code);

        await guest.SendAsync(new RegisterRequest("bob", "short"));
        Assert.Equal(ErrorCodes.WeakPassword, (await guest.NextAsync<ErrorFrame>()).Code);
        await guest.SendAsync(new RegisterRequest("bob", "long-enough"));
        await guest.NextAsync<RegisteredFrame>();
        await guest.JoinAsync("general");
    }

    [Fact]
    public async Task An_open_server_has_no_accounts_and_ignores_passwords()
    {
        await using var server = await TestServer.StartAsync("--accounts", "open");
        await using var first = await TestClient.ConnectAsync(server);
        await first.SendAsync(new RegisterRequest("alice", AlicePassword));
        Assert.Equal(ErrorCodes.NotPermitted, (await first.NextAsync<ErrorFrame>()).Code);
        Assert.IsType<WelcomeFrame>(await HelloAsync(first, "alice", "anything-at-all"));
        await first.SendAsync(new PasswordRequest("anything-at-all", "something-else"));
        Assert.Equal(ErrorCodes.NotPermitted, (await first.NextAsync<ErrorFrame>()).Code);
        await first.SendAsync(QuitRequest.Instance);
        await first.ReadUntilClosedAsync();

        await using var second = await TestClient.ConnectAsync(server);
        Assert.IsType<WelcomeFrame>(await SignInWhenFreeAsync(() => HelloAsync(second, "alice", null)));
    }

    [Fact]
    public async Task A_changed_password_works_and_the_old_one_stops_working()
    {
        await using var server = await TestServer.StartAsync();
        await using (var alice = await RegisterAsync(server, "alice", AlicePassword))
        {
            await alice.SendAsync(new PasswordRequest(AlicePassword, "tiny") { Ref = "p0" });
            Assert.Equal(ErrorCodes.WeakPassword, (await alice.NextAsync<ErrorFrame>()).Code);
            await alice.SendAsync(new PasswordRequest("not-the-password", "brand-new-secret") { Ref = "p1" });
            Assert.Equal(ErrorCodes.AuthFailed, (await alice.NextAsync<ErrorFrame>()).Code);
            await alice.SendAsync(new PasswordRequest(AlicePassword, "brand-new-secret") { Ref = "p2" });
            var done = await alice.NextAsync<DoneFrame>();
            Assert.Equal(("password", "p2"), (done.Request, done.Ref));
            await alice.SendAsync(QuitRequest.Instance);
            await alice.ReadUntilClosedAsync();
        }
        await using var again = await TestClient.ConnectAsync(server);
        var old = await SignInWhenFreeAsync(() => HelloAsync(again, "alice", AlicePassword));
        Assert.Equal(ErrorCodes.AuthFailed, Assert.IsType<ErrorFrame>(old).Code);
        Assert.IsType<WelcomeFrame>(await HelloAsync(again, "alice", "brand-new-secret"));
    }

    [Fact]
    public async Task A_guest_may_register_the_name_it_has()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await TestClient.ConnectAsync(server, "bob");
        await bob.SendAsync(new RegisterRequest("bob", "bobs-password"));
        await bob.NextAsync<RegisteredFrame>();
        await bob.SendAsync(new RegisterRequest("robert", "bobs-password"));
        Assert.Equal(ErrorCodes.AlreadyIdentified, (await bob.NextAsync<ErrorFrame>()).Code);
    }

    [Fact]
    public async Task A_name_in_use_by_a_guest_cannot_be_registered()
    {
        await using var server = await TestServer.StartAsync();
        await using var guest = await TestClient.ConnectAsync(server, "carol");
        await using var other = await TestClient.ConnectAsync(server);
        await other.SendAsync(new RegisterRequest("carol", "carols-password"));
        Assert.Equal(ErrorCodes.NameTaken, (await other.NextAsync<ErrorFrame>()).Code);
        await other.SendAsync(new RegisterRequest("carol2", "carols-password"));
        await other.NextAsync<RegisteredFrame>();
    }

    [Fact]
    public async Task An_operators_answer_to_register_and_hello_says_operator_and_nobody_elses_does()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using (var root = await TestClient.ConnectAsync(server))
        {
            await root.SendAsync(new RegisterRequest("root", "roots-password"));
            Assert.True((await root.NextAsync<RegisteredFrame>()).Operator);
        }
        await using var alice = await RegisterAsync(server, "alice", AlicePassword);
        await using var rootAgain = await TestClient.ConnectAsync(server);

        var welcome = await SignInWhenFreeAsync(() => HelloAsync(rootAgain, "root", "roots-password"));

        Assert.True(Assert.IsType<WelcomeFrame>(welcome).Operator);
        await using var guest = await TestClient.ConnectAsync(server);
        await guest.SendAsync(new HelloRequest("bob"));
        Assert.Null((await guest.NextAsync<WelcomeFrame>()).Operator);
    }

    [Fact]
    public async Task Joined_members_and_a_join_presence_name_the_roles_that_count_now()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await RegisterAsync(server, "alice", AlicePassword);
        await alice.SendAsync(new JoinRequest("den"));
        Assert.Equal("owner", (await alice.ExpectAsync<JoinedFrame>()).Roles!["alice"]);
        await alice.SendAsync(new RoleRequest("den", "carol", RoleRequest.Moderator));
        await alice.ExpectAsync<RoleFrame>();
        await using var carol = await RegisterAsync(server, "carol", "carols-password");
        await using var guest = await TestClient.ConnectAsync(server, "dave");

        await carol.SendAsync(new JoinRequest("den"));
        var joined = await carol.ExpectAsync<JoinedFrame>();
        await guest.JoinAsync("den");

        Assert.Equal(new Dictionary<string, string> { ["alice"] = "owner", ["carol"] = "moderator" }, joined.Roles);
        Assert.Equal("moderator", (await alice.ExpectAsync<PresenceFrame>(p => p.User == "carol")).Role);
        Assert.Null((await alice.ExpectAsync<PresenceFrame>(p => p.User == "dave")).Role);
        await guest.SendAsync(new WhoRequest("den"));
        var members = await guest.ExpectAsync<MembersFrame>();
        Assert.Equal(2, members.Roles!.Count);
        Assert.False(members.Roles.ContainsKey("dave"));
    }

    [Fact]
    public async Task Only_operators_may_kill_and_ban()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var mallory = await RegisterAsync(server, "mallory", "mallorys-password");
        await using var guestRoot = await TestClient.ConnectAsync(server, "rooty");
        foreach (var client in new[] { mallory, guestRoot })
        {
            await client.SendAsync(new KillRequest("mallory") { Ref = "k" });
            var refused = await client.NextAsync<ErrorFrame>();
            Assert.Equal((ErrorCodes.NotPermitted, "k"), (refused.Code, refused.Ref));
            await client.SendAsync(new BanRequest(User: "mallory"));
            Assert.Equal(ErrorCodes.NotPermitted, (await client.NextAsync<ErrorFrame>()).Code);
            await client.SendAsync(new UnbanRequest(User: "mallory"));
            Assert.Equal(ErrorCodes.NotPermitted, (await client.NextAsync<ErrorFrame>()).Code);
        }
    }

    [Fact]
    public async Task An_operator_kills_a_user_who_gets_bye_with_the_reason()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var root = await RegisterAsync(server, "root", "roots-password");
        await using var mallory = await TestClient.ConnectAsync(server, "mallory");
        await root.SendAsync(new KillRequest("mallory", "calm down") { Ref = "k1" });
        var done = await root.NextAsync<DoneFrame>();
        Assert.Equal(("kill", "k1"), (done.Request, done.Ref));
        var bye = Assert.IsType<ByeFrame>(Assert.Single(await mallory.ReadUntilClosedAsync()));
        Assert.Equal((ByeFrame.Killed, "calm down"), (bye.Reason, bye.Message));

        await root.SendAsync(new KillRequest("nobody-here"));
        Assert.Equal(ErrorCodes.NoSuchUser, (await root.NextAsync<ErrorFrame>()).Code);
    }

    [Fact]
    public async Task A_banned_account_is_sent_away_and_refused_until_the_ban_ends()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var root = await RegisterAsync(server, "root", "roots-password");
        await using (var mallory = await RegisterAsync(server, "mallory", "mallorys-password"))
        {
            await root.SendAsync(new BanRequest(User: "mallory", Minutes: 0.05, Reason: "flooding") { Ref = "b1" });
            var done = await root.NextAsync<DoneFrame>();
            Assert.Equal(("ban", "b1"), (done.Request, done.Ref));
            var frames = await mallory.ReadUntilClosedAsync();
            Assert.Equal(ErrorCodes.Banned, Assert.IsType<ErrorFrame>(frames[0]).Code);
            Assert.Equal(ByeFrame.Banned, Assert.IsType<ByeFrame>(frames[^1]).Reason);
        }

        await using var back = await TestClient.ConnectAsync(server);
        var refused = Assert.IsType<ErrorFrame>(await SignInWhenFreeAsync(() => HelloAsync(back, "mallory", "mallorys-password")));
        Assert.Equal(ErrorCodes.Banned, refused.Code);
        Assert.Contains("flooding", refused.Message);
        Assert.Contains("more", refused.Message);

        // The ban was for 3 s: within a bounded number of tries, each a real sign-in, it has ended.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        ServerFrame answer;
        while (true)
        {
            answer = await HelloAsync(back, "mallory", "mallorys-password");
            if (answer is not ErrorFrame { Code: ErrorCodes.Banned } || DateTime.UtcNow > deadline) break;
            await Task.Delay(200); // nothing signals the end of a ban; a try every 0.2 s stays within flood control
        }
        Assert.IsType<WelcomeFrame>(answer);
    }

    [Fact]
    public async Task An_unbanned_account_may_come_back_at_once()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var root = await RegisterAsync(server, "root", "roots-password");
        await (await RegisterAsync(server, "mallory", "mallorys-password")).DisposeAsync();
        await root.SendAsync(new BanRequest(User: "mallory", Reason: "for good"));
        await root.NextAsync<DoneFrame>();
        await using var mallory = await TestClient.ConnectAsync(server);
        Assert.Equal(ErrorCodes.Banned, Assert.IsType<ErrorFrame>(await HelloAsync(mallory, "mallory", "mallorys-password")).Code);
        await root.SendAsync(new UnbanRequest(User: "mallory") { Ref = "u" });
        Assert.Equal("unban", (await root.NextAsync<DoneFrame>()).Request);
        Assert.IsType<WelcomeFrame>(await SignInWhenFreeAsync(() => HelloAsync(mallory, "mallory", "mallorys-password")));
    }

    [Fact]
    public async Task A_banned_address_is_refused_at_hello_and_its_clients_are_sent_away()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var root = await RegisterAsync(server, "root", "roots-password");
        await using var guest = await TestClient.ConnectAsync(server, "guest");
        await root.SendAsync(new BanRequest(Address: "not an address"));
        Assert.Equal(ErrorCodes.BadRequest, (await root.NextAsync<ErrorFrame>()).Code);
        await root.SendAsync(new BanRequest(User: "x", Address: "127.0.0.1"));
        Assert.Equal(ErrorCodes.BadRequest, (await root.NextAsync<ErrorFrame>()).Code);
        await root.SendAsync(new BanRequest(Address: "127.0.0.0/8", Minutes: 5, Reason: "loopback trouble"));
        await root.NextAsync<DoneFrame>();
        var frames = await guest.ReadUntilClosedAsync();
        Assert.Equal(ByeFrame.Banned, Assert.IsType<ByeFrame>(frames[^1]).Reason);
        await using var newcomer = await TestClient.ConnectAsync(server);
        var refused = Assert.IsType<ErrorFrame>(await HelloAsync(newcomer, "newcomer", null));
        Assert.Equal(ErrorCodes.Banned, refused.Code);
        Assert.Contains("address", refused.Message);
    }
}

/// <summary>Accounts and bans in the SQLite database across a restart of the server process; no password in the file, the log or a frame.</summary>
public class AccountsOnSqliteTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-accounts-{Guid.NewGuid():N}");

    /// <summary>Where the server keeps its data; the password is looked for in the data directory only on SQLite.</summary>
    protected virtual string[] StoreArgs => ["--data-dir", _dataDir];

    protected virtual bool DataInDirectory => true;

    public void Dispose()
    {
        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
    }

    private sealed class Recorder(ChatConnection connection, List<ServerFrame> seen) : IAsyncDisposable
    {
        public async Task<ServerFrame> AskAsync(ClientFrame frame)
        {
            await connection.SendAsync(frame);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var answer = (await connection.ReceiveAsync(cts.Token))!;
            seen.Add(answer);
            return answer;
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }

    [Fact]
    public async Task Accounts_and_bans_survive_a_restart_and_the_password_is_nowhere_in_plain_text()
    {
        var password = $"pw-{Guid.NewGuid():N}";
        string[] args = [.. StoreArgs, "--operator", "root"];
        var frames = new List<ServerFrame>();
        var logs = new StringBuilder();

        await using (var server = await ServerProcess.StartReadyAsync(args))
        {
            await using var alice = new Recorder(await ChatConnection.ConnectAsync("127.0.0.1", server.Port), frames);
            Assert.IsType<RegisteredFrame>(await alice.AskAsync(new RegisterRequest("alice", password)));
            await using var root = new Recorder(await ChatConnection.ConnectAsync("127.0.0.1", server.Port), frames);
            Assert.IsType<RegisteredFrame>(await root.AskAsync(new RegisterRequest("root", password + "-root")));
            Assert.IsType<DoneFrame>(await root.AskAsync(new BanRequest(User: "mallory", Reason: "known troublemaker")));
            await using var guesser = new Recorder(await ChatConnection.ConnectAsync("127.0.0.1", server.Port), frames);
            Assert.IsType<ErrorFrame>(await guesser.AskAsync(new HelloRequest("alice", password + "x")));
            server.Interrupt();
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            logs.Append(server.StandardOutput).Append(server.StandardError);
        }
        Assert.Contains("Failed sign-in as alice", logs.ToString());

        await using (var server = await ServerProcess.StartReadyAsync(args))
        {
            await using var alice = new Recorder(await ChatConnection.ConnectAsync("127.0.0.1", server.Port), frames);
            Assert.IsType<WelcomeFrame>(await alice.AskAsync(new HelloRequest("alice", password)));
            await using var mallory = new Recorder(await ChatConnection.ConnectAsync("127.0.0.1", server.Port), frames);
            var banned = Assert.IsType<ErrorFrame>(await mallory.AskAsync(new HelloRequest("mallory")));
            Assert.Equal(ErrorCodes.Banned, banned.Code);
            server.Interrupt();
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            logs.Append(server.StandardOutput).Append(server.StandardError);
        }

        if (DataInDirectory)
        {
            var needle = Encoding.UTF8.GetBytes(password);
            var files = Directory.GetFiles(_dataDir, "*", SearchOption.AllDirectories);
            Assert.Contains(files, f => f.EndsWith("actorchat.db", StringComparison.Ordinal));
            foreach (var file in files) Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(needle) < 0, $"the password is in {file}");
        }
        Assert.DoesNotContain(password, logs.ToString());
        Assert.All(frames, frame => Assert.DoesNotContain(password, Encoding.UTF8.GetString(FrameCodec.EncodeLine(frame))));
    }
}

/// <summary>The same accounts and bans across a restart, kept in PostgreSQL.</summary>
public sealed class AccountsOnPostgresTests(PostgresServer postgres) : AccountsOnSqliteTests, IClassFixture<PostgresServer>
{
    protected override string[] StoreArgs => ["--postgres", postgres.ConnectionString];

    protected override bool DataInDirectory => false;
}
