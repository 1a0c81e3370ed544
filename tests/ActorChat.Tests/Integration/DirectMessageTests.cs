using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>Direct messages between accounts are kept: across a restart, paged like room history, counted until read.</summary>
public abstract class KeptDirectMessagesSpec : IDisposable
{
    protected const string Password = "long-enough-secret";
    protected readonly string DataDir = Path.Combine(Path.GetTempPath(), $"actorchat-dm-{Guid.NewGuid():N}");

    protected abstract string[] StoreArgs { get; }

    public void Dispose()
    {
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    protected static async Task<TestClient> RegisterAsync(RunningChatServer server, string name)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, Password));
        await client.ExpectAsync<RegisteredFrame>();
        return client;
    }

    protected static async Task<TestClient> SignInAsync(RunningChatServer server, string name)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new HelloRequest(name, Password));
        await client.ExpectAsync<WelcomeFrame>(timeout: TimeSpan.FromSeconds(20));
        return client;
    }

    [Fact]
    public async Task A_dm_to_an_offline_account_is_kept_across_a_restart_and_announced_with_its_unread_count_at_sign_in()
    {
        await using (var server = await TestServer.StartAsync(StoreArgs))
        {
            await using (var bob = await RegisterAsync(server, "bob")) { }
            await using var alice = await RegisterAsync(server, "alice");
            await alice.SendAsync(new DirectMessageRequest("bob", "are you there?") { Ref = "d1" });
            var own = await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "d1");
            Assert.Equal(1, own.Seq);
            await alice.SendAsync(new DirectMessageRequest("bob", "call me") { Ref = "d2" });
            Assert.Equal(2, (await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "d2")).Seq);
        }

        await using (var server = await TestServer.StartAsync(StoreArgs))
        {
            await using var bob = await TestClient.ConnectAsync(server);
            await bob.SendAsync(new HelloRequest("bob", Password));
            await bob.NextAsync<WelcomeFrame>(TimeSpan.FromSeconds(20));
            var notice = await bob.NextAsync<DmsFrame>();
            Assert.Null(notice.Ref);
            var summary = Assert.Single(notice.Conversations);
            Assert.Equal("alice", summary.With);
            Assert.Equal(2, summary.Unread);
            Assert.Equal(2, summary.LastSeq);
            Assert.Equal("call me", summary.Last!.Text);
            Assert.Equal("alice", summary.Last.From);

            await bob.SendAsync(new HistoryRequest("@alice") { Ref = "h" });
            var history = await bob.ExpectAsync<HistoryFrame>(h => h.Ref == "h");
            Assert.Equal("@alice", history.Room);
            Assert.Equal(["are you there?", "call me"], history.Messages.Select(m => m.Text));
            Assert.Equal([1L, 2L], history.Messages.Select(m => m.Seq));
        }
    }

    [Fact]
    public async Task History_of_a_conversation_pages_back_with_before_and_limit_past_what_memory_keeps()
    {
        await using var server = await TestServer.StartAsync(StoreArgs);
        await using var bob = await RegisterAsync(server, "ben"); // names of its own: the PostgreSQL store is shared by the class
        await using var alice = await RegisterAsync(server, "ann");
        const int count = 130; // more than a conversation keeps in memory
        for (var i = 1; i <= count; i++) await alice.SendAsync(new DirectMessageRequest("ben", $"m{i}") { Ref = $"r{i}" });
        await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == $"r{count}", TimeSpan.FromSeconds(60));

        await bob.SendAsync(new HistoryRequest("@ann", Limit: 10) { Ref = "latest" });
        var latest = await bob.ExpectAsync<HistoryFrame>(h => h.Ref == "latest");
        Assert.Equal(Enumerable.Range(count - 9, 10).Select(i => $"m{i}"), latest.Messages.Select(m => m.Text));

        await alice.SendAsync(new HistoryRequest("@ben", Before: 11, Limit: 5) { Ref = "old" });
        var old = await alice.ExpectAsync<HistoryFrame>(h => h.Ref == "old");
        Assert.Equal("@ben", old.Room);
        Assert.Equal([6L, 7L, 8L, 9L, 10L], old.Messages.Select(m => m.Seq));
        Assert.All(old.Messages, m => Assert.Equal("ann", m.Sender));

        await alice.SendAsync(new HistoryRequest("@ben", Before: 1) { Ref = "none" });
        Assert.Empty((await alice.ExpectAsync<HistoryFrame>(h => h.Ref == "none")).Messages);
    }

    [Fact]
    public async Task Dms_to_an_account_stop_at_its_unread_bound_across_a_restart_until_it_reads_or_answers()
    {
        var tag = Guid.NewGuid().ToString("N")[..6]; // names of its own: the PostgreSQL store is shared by the class
        var (sender, target) = ($"flo{tag}", $"tar{tag}");
        var settings = TestServer.Settings(StoreArgs);
        settings = settings with { Accounts = settings.Accounts with { MaxUnreadDirect = 5 } };
        var sent = 0;
        async Task<ServerFrame> SendAsync(TestClient client)
        {
            var reference = $"m{++sent}";
            await client.SendAsync(new DirectMessageRequest(target, $"message {sent}") { Ref = reference });
            return await client.ExpectAsync<ServerFrame>(f => f.Ref == reference && f is DirectMessageFrame or ErrorFrame);
        }

        await using (var server = await TestServer.StartAsync(settings))
        {
            await using (await RegisterAsync(server, target)) { }
            await using var alice = await RegisterAsync(server, sender);
            for (var i = 0; i < 5; i++) Assert.IsType<DirectMessageFrame>(await SendAsync(alice));
            var refused = Assert.IsType<ErrorFrame>(await SendAsync(alice));
            Assert.Equal(ErrorCodes.TooManyUnread, refused.Code);
            await alice.SendAsync(PingRequest.Instance); // the connection goes on
            await alice.ExpectAsync<PongFrame>();
        }

        await using (var server = await TestServer.StartAsync(settings))
        {
            await using var alice = await SignInAsync(server, sender);
            Assert.Equal(ErrorCodes.TooManyUnread, Assert.IsType<ErrorFrame>(await SendAsync(alice)).Code); // still 5 unread
            await using var bob = await SignInAsync(server, target);
            await bob.SendAsync(new ReadRequest("@" + sender, 3) { Ref = "r" });
            await bob.ExpectAsync<DoneFrame>(d => d.Ref == "r");
            for (var i = 0; i < 3; i++) Assert.IsType<DirectMessageFrame>(await SendAsync(alice)); // 2 unread, then 5
            Assert.Equal(ErrorCodes.TooManyUnread, Assert.IsType<ErrorFrame>(await SendAsync(alice)).Code);
            await bob.SendAsync(new DirectMessageRequest(sender, "got them") { Ref = "answer" }); // answering reads them all
            await bob.ExpectAsync<DirectMessageFrame>(d => d.Ref == "answer");
            Assert.IsType<DirectMessageFrame>(await SendAsync(alice));

            await bob.SendAsync(new HistoryRequest("@" + sender, null, 50) { Ref = "h" });
            var history = await bob.ExpectAsync<HistoryFrame>(h => h.Ref == "h");
            Assert.Equal(10, history.Messages.Count); // 5 + 3 + bob's answer + 1: nothing refused was kept
        }
    }
}

public sealed class KeptDirectMessagesOnSqliteTests : KeptDirectMessagesSpec
{
    protected override string[] StoreArgs => ["--data-dir", DataDir];
}

public sealed class KeptDirectMessagesOnPostgresTests(PostgresServer postgres) : KeptDirectMessagesSpec, IClassFixture<PostgresServer>
{
    protected override string[] StoreArgs => ["--postgres", postgres.ConnectionString];
}

/// <summary>What the dms list shows, what read does to it, and who may read which conversation.</summary>
public sealed class DirectMessageTests
{
    private const string Password = "long-enough-secret";

    private static async Task<TestClient> RegisterAsync(RunningChatServer server, string name)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, Password));
        await client.ExpectAsync<RegisteredFrame>();
        return client;
    }

    [Fact]
    public async Task Dms_counts_unread_messages_per_conversation_and_read_clears_them_up_to_its_seq()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await RegisterAsync(server, "bob");
        await using var alice = await RegisterAsync(server, "alice");
        await using var carol = await RegisterAsync(server, "carol");
        await alice.SendAsync(new DirectMessageRequest("bob", "one"));
        await alice.SendAsync(new DirectMessageRequest("bob", "two") { Ref = "a2" });
        await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "a2");
        await carol.SendAsync(new DirectMessageRequest("bob", "hi from carol") { Ref = "c1" });
        await carol.ExpectAsync<DirectMessageFrame>(d => d.Ref == "c1");
        var delivered = await bob.ExpectAsync<DirectMessageFrame>(d => d.From == "carol");
        Assert.Equal(1, delivered.Seq);
        Assert.Null(delivered.Ref);

        await bob.SendAsync(new DmsRequest { Ref = "l" });
        var list = await bob.ExpectAsync<DmsFrame>(d => d.Ref == "l");
        Assert.Equal(["carol", "alice"], list.Conversations.Select(c => c.With)); // the most recently active first
        Assert.Equal([1L, 2L], list.Conversations.Select(c => c.Unread));

        await bob.SendAsync(new ReadRequest("@alice", 1) { Ref = "r" });
        Assert.Equal(new DoneFrame("read") { Ref = "r" }, await bob.ExpectAsync<DoneFrame>(d => d.Ref == "r"));
        await bob.SendAsync(new DmsRequest { Ref = "l2" });
        var after = await bob.ExpectAsync<DmsFrame>(d => d.Ref == "l2");
        Assert.Equal(1, after.Conversations.Single(c => c.With == "alice").Unread);

        await bob.SendAsync(new DirectMessageRequest("carol", "hello back") { Ref = "b" }); // answering marks it read
        await bob.ExpectAsync<DirectMessageFrame>(d => d.Ref == "b");
        await bob.SendAsync(new DmsRequest { Ref = "l3" });
        var answered = await bob.ExpectAsync<DmsFrame>(d => d.Ref == "l3");
        Assert.Equal("carol", answered.Conversations[0].With);
        Assert.Equal(0, answered.Conversations[0].Unread);
        Assert.Equal("hello back", answered.Conversations[0].Last!.Text);

        await alice.SendAsync(new DmsRequest { Ref = "al" });
        var alices = await alice.ExpectAsync<DmsFrame>(d => d.Ref == "al");
        Assert.Equal(0, Assert.Single(alices.Conversations).Unread);
    }

    [Fact]
    public async Task History_of_at_name_only_ever_reads_the_callers_own_conversation()
    {
        await using var server = await TestServer.StartAsync();
        await using var bob = await RegisterAsync(server, "bob");
        await using var alice = await RegisterAsync(server, "alice");
        await using var carol = await RegisterAsync(server, "carol");
        await alice.SendAsync(new DirectMessageRequest("bob", "secret") { Ref = "s" });
        await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "s");

        await carol.SendAsync(new HistoryRequest("@bob") { Ref = "peek" });
        var peek = await carol.ExpectAsync<HistoryFrame>(h => h.Ref == "peek");
        Assert.Empty(peek.Messages);
        await carol.SendAsync(new HistoryRequest("@alice") { Ref = "peek2" });
        Assert.Empty((await carol.ExpectAsync<HistoryFrame>(h => h.Ref == "peek2")).Messages);
        await carol.SendAsync(new HistoryRequest("@alice~bob") { Ref = "bad" });
        Assert.Equal(ErrorCodes.InvalidRoom, (await carol.ExpectAsync<ErrorFrame>(e => e.Ref == "bad")).Code);

        await bob.SendAsync(new HistoryRequest("@alice") { Ref = "own" });
        Assert.Equal("secret", Assert.Single((await bob.ExpectAsync<HistoryFrame>(h => h.Ref == "own")).Messages).Text);
    }

    [Fact]
    public async Task A_dm_to_an_offline_guest_is_refused_with_no_such_user_and_guests_keep_no_conversations()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await RegisterAsync(server, "alice");
        await alice.SendAsync(new DirectMessageRequest("dave", "gone?") { Ref = "g" });
        Assert.Equal(ErrorCodes.NoSuchUser, (await alice.ExpectAsync<ErrorFrame>(e => e.Ref == "g")).Code);

        await using var erin = await TestClient.ConnectAsync(server, "erin");
        await alice.SendAsync(new DirectMessageRequest("erin", "online guest") { Ref = "o" });
        var own = await alice.ExpectAsync<DirectMessageFrame>(d => d.Ref == "o");
        Assert.Null(own.Seq); // delivered, not kept
        await erin.ExpectAsync<DirectMessageFrame>(d => d.Text == "online guest");
        await erin.SendAsync(new DmsRequest { Ref = "e" });
        Assert.Empty((await erin.ExpectAsync<DmsFrame>(d => d.Ref == "e")).Conversations);
        await erin.SendAsync(new HistoryRequest("@alice") { Ref = "eh" });
        Assert.Equal(ErrorCodes.NotPermitted, (await erin.ExpectAsync<ErrorFrame>(e => e.Ref == "eh")).Code);
        await erin.SendAsync(new ReadRequest("@alice", 1) { Ref = "er" });
        Assert.Equal(ErrorCodes.NotPermitted, (await erin.ExpectAsync<ErrorFrame>(e => e.Ref == "er")).Code);
    }
}
