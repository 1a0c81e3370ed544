using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Server.Search;
using ActorChat.Tests.Support;
using Akka.Actor;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorChat.Tests.Search;

/// <summary>
/// The index and the journal across restarts, on each store that keeps them: <c>--reindex</c> rebuilds rooms and
/// kept direct messages, a dropped room's messages leave the index, and what was stored but not indexed (a kill, an
/// indexer that fell behind) is indexed at the next start by itself.
/// </summary>
public abstract class SearchAcrossRestartsSpec
{
    protected const string Password = "correct horse battery";

    protected abstract string[] StoreArgs { get; }

    /// <summary>Empties the index of its messages but keeps its progress: it believes it is up to date (a damaged index).</summary>
    protected abstract Task LoseIndexedMessagesAsync();

    /// <summary>Takes the index away altogether: the next server starts with a fresh one.</summary>
    protected abstract Task LoseIndexAsync();

    /// <summary>Names of the test's own: the PostgreSQL store is shared by the class's tests.</summary>
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    protected string Name(string name) => $"{name}{_tag}";

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

    /// <summary>One search, answered at once (no waiting for the index: after a start it is up to date before anyone connects).</summary>
    protected static async Task<IReadOnlyList<MessageFrame>> SearchOnceAsync(TestClient client, string query)
    {
        var reference = Guid.NewGuid().ToString("N")[..8];
        await client.SendAsync(new SearchRequest(query) { Ref = reference });
        return (await client.ExpectAsync<SearchResultsFrame>(r => r.Ref == reference)).Results;
    }

    /// <summary>A room message and a kept direct message, both found by search before the server stops.</summary>
    private async Task<(string Room, string Alice, string Bob)> SayInARoomAndInADirectMessageAsync(string roomWord, string dmWord)
    {
        var (room, alice, bob) = (Name("archive"), Name("alice"), Name("bob"));
        await using var server = await TestServer.StartAsync(StoreArgs);
        await using (await RegisterAsync(server, bob)) { }
        await using var client = await RegisterAsync(server, alice);
        await client.JoinAsync(room);
        await client.SendAsync(new SayRequest(room, $"quarterly {roomWord} figures"));
        await client.ExpectAsync<MessageFrame>();
        await client.SendAsync(new DirectMessageRequest(bob, $"the {dmWord} parcel arrived") { Ref = "dm" });
        await client.ExpectAsync<DirectMessageFrame>(d => d.Ref == "dm");
        await SearchOverTcpTests.SearchUntilAsync(client, new SearchRequest(roomWord), r => r.Results.Count == 1);
        await SearchOverTcpTests.SearchUntilAsync(client, new SearchRequest(dmWord), r => r.Results.Count == 1);
        return (room, alice, bob);
    }

    [Fact]
    public async Task Reindex_rebuilds_rooms_and_kept_direct_messages_from_the_journal()
    {
        var (roomWord, dmWord) = ("ledger" + _tag, "courier" + _tag);
        var (room, alice, bob) = await SayInARoomAndInADirectMessageAsync(roomWord, dmWord);

        // An index that lost its messages but not its progress believes it is up to date: only --reindex mends it.
        await LoseIndexedMessagesAsync();
        await using (var server = await TestServer.StartAsync(StoreArgs))
        await using (var client = await SignInAsync(server, alice))
        {
            Assert.Empty(await SearchOnceAsync(client, roomWord));
            Assert.Empty(await SearchOnceAsync(client, dmWord));
        }
        await using (var server = await TestServer.StartAsync([.. StoreArgs, "--reindex"]))
        await using (var client = await SignInAsync(server, bob))
        {
            // Right after welcome, and nobody has joined the room since the start: search covers it all the same.
            var found = Assert.Single(await SearchOnceAsync(client, roomWord));
            Assert.Equal((room, alice), (found.Room, found.Sender));
            var direct = Assert.Single(await SearchOnceAsync(client, dmWord));
            Assert.Equal(("@" + alice, alice, $"the {dmWord} parcel arrived"), (direct.Room, direct.Sender, direct.Text));
        }

        // A fresh index, rebuilt: the direct message is found by its two readers, and by nobody else.
        await LoseIndexAsync();
        await using (var server = await TestServer.StartAsync([.. StoreArgs, "--reindex"]))
        {
            await using var client = await SignInAsync(server, bob);
            Assert.Equal("@" + alice, Assert.Single(await SearchOnceAsync(client, dmWord)).Room);
            await using var stranger = await TestClient.ConnectAsync(server, Name("carol"));
            Assert.Empty(await SearchOnceAsync(stranger, dmWord));
        }
    }
    [Fact]
    public async Task A_search_right_after_a_start_covers_a_room_nobody_has_joined_since()
    {
        var (room, word) = (Name("quiet"), "lighthouse" + _tag);
        await using (var server = await TestServer.StartAsync(StoreArgs))
        await using (var alice = await TestClient.ConnectAsync(server, Name("alice")))
        {
            await alice.JoinAsync(room);
            await alice.SendAsync(new SayRequest(room, $"the {word} keeper"));
            await alice.ExpectAsync<MessageFrame>();
            await SearchOverTcpTests.SearchUntilAsync(alice, new SearchRequest(word), r => r.Results.Count == 1);
        }
        await using (var server = await TestServer.StartAsync(StoreArgs))
        {
            // The first frame after welcome: the server may not have read its room list yet, and search waits for it.
            await using var bob = await TestClient.ConnectAsync(server, Name("bob"));
            var found = Assert.Single(await SearchOnceAsync(bob, word));
            Assert.Equal((room, $"the {word} keeper"), (found.Room, found.Text));
        }
    }

    /// <summary>The indexer stops: what is stored from then on reaches the journal but not the index, as when the process is killed.</summary>
    protected static async Task StopIndexerAsync(RunningChatServer server)
    {
        var indexer = await server.System.ActorSelection("/user/search-indexer").ResolveOne(TimeSpan.FromSeconds(5));
        Assert.True(await indexer.GracefulStop(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task What_was_stored_but_not_indexed_is_indexed_at_the_next_start_without_reindex()
    {
        var (room, alice, bob) = (Name("log"), Name("alice"), Name("bob"));
        var w = _tag;
        await using (var server = await TestServer.StartAsync(StoreArgs))
        {
            await using (await RegisterAsync(server, bob)) { }
            await using var client = await RegisterAsync(server, alice);
            await client.JoinAsync(room);
            await client.SendAsync(new SayRequest(room, $"before the crash{w}"));
            var early = await client.ExpectAsync<MessageFrame>();
            await SearchOverTcpTests.SearchUntilAsync(client, new SearchRequest($"crash{w}"), r => r.Results.Count == 1);

            await StopIndexerAsync(server);
            await client.SendAsync(new SayRequest(room, $"stored orbit{w}"));
            await client.ExpectAsync<MessageFrame>(m => m.Text == $"stored orbit{w}");
            await client.SendAsync(new SayRequest(room, $"typo verse{w}"));
            var typo = await client.ExpectAsync<MessageFrame>(m => m.Text == $"typo verse{w}");
            await client.SendAsync(new EditRequest(room, typo.Id, $"fixed stanza{w}"));
            await client.ExpectAsync<EditedFrame>();
            await client.SendAsync(new SayRequest(room, $"secret zebra{w}"));
            var secret = await client.ExpectAsync<MessageFrame>(m => m.Text == $"secret zebra{w}");
            await client.SendAsync(new DeleteRequest(room, secret.Id));
            await client.ExpectAsync<DeletedFrame>();
            await client.SendAsync(new EditRequest(room, early.Id, $"before the meltdown{w}"));
            await client.ExpectAsync<EditedFrame>();
            await client.SendAsync(new DirectMessageRequest(bob, $"direct comet{w}") { Ref = "dm" });
            await client.ExpectAsync<DirectMessageFrame>(d => d.Ref == "dm");
            Assert.Empty(await SearchOnceAsync(client, $"orbit{w}")); // the index is behind
        }

        await using (var server = await TestServer.StartAsync(StoreArgs))
        {
            await using var client = await SignInAsync(server, alice);
            Assert.Equal(room, Assert.Single(await SearchOnceAsync(client, $"orbit{w}")).Room);
            Assert.Equal($"fixed stanza{w}", Assert.Single(await SearchOnceAsync(client, $"stanza{w}")).Text);
            Assert.Empty(await SearchOnceAsync(client, $"verse{w}"));
            Assert.Empty(await SearchOnceAsync(client, $"zebra{w}"));
            Assert.Equal($"before the meltdown{w}", Assert.Single(await SearchOnceAsync(client, $"meltdown{w}")).Text);
            Assert.Empty(await SearchOnceAsync(client, $"crash{w}"));
            Assert.Equal("@" + bob, Assert.Single(await SearchOnceAsync(client, $"comet{w}")).Room);
        }
    }

    [Fact]
    public async Task A_room_dropped_while_the_index_was_behind_leaves_it_at_the_next_start()
    {
        var (room, root, word) = (Name("doomed"), Name("root"), "archive" + _tag);
        await using (var server = await TestServer.StartAsync([.. StoreArgs, "--operator", root]))
        {
            await using var op = await RegisterAsync(server, root);
            await using var alice = await TestClient.ConnectAsync(server, Name("alice"));
            await alice.JoinAsync(room);
            await alice.SendAsync(new SayRequest(room, $"old {word} notes"));
            await alice.ExpectAsync<MessageFrame>();
            await SearchOverTcpTests.SearchUntilAsync(alice, new SearchRequest(word), r => r.Results.Count == 1);

            await StopIndexerAsync(server);
            await op.SendAsync(new DropRequest(room) { Ref = "drop" });
            await op.ExpectAsync<DoneFrame>(d => d.Ref == "drop");
            await alice.ExpectAsync<DroppedFrame>();
            await alice.JoinAsync(room);
            await alice.SendAsync(new SayRequest(room, $"new {word} notes"));
            await alice.ExpectAsync<MessageFrame>(m => m.Text == $"new {word} notes");
        }
        await using (var server = await TestServer.StartAsync([.. StoreArgs, "--operator", root]))
        {
            await using var bob = await TestClient.ConnectAsync(server, Name("bob"));
            var found = Assert.Single(await SearchOnceAsync(bob, word));
            Assert.Equal((room, $"new {word} notes"), (found.Room, found.Text));
        }
    }

    [Fact]
    public async Task Messages_stored_before_a_kill_are_found_after_the_restart()
    {
        // An index queue of one change: nearly every change is dropped (as when the index falls far behind), and the
        // process is then killed, so whatever the index had not written is lost with it.
        var config = Path.Combine(Path.GetTempPath(), $"actorchat-search-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, "actorchat.search.queue-limit = 1\n");
        const int count = 120;
        var (room, word) = (Name("burst"), "tick" + _tag);
        try
        {
            var server = await ServerProcess.StartReadyAsync([.. StoreArgs, "--config", config, "--flood-rate", "0"]);
            try
            {
                await using var alice = await TestClient.ConnectAsync(server.Port, Name("alice"));
                await alice.JoinAsync(room);
                for (var i = 0; i < count; i++) await alice.SendAsync(new SayRequest(room, $"{word} number{i}"));
                await alice.ExpectAsync<MessageFrame>(m => m.Text == $"{word} number{count - 1}", TimeSpan.FromSeconds(60));
                server.Kill();
                await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                await server.DisposeAsync();
            }
            Assert.Contains("dropped so far", server.StandardOutput + server.StandardError);

            await using var restarted = await ServerProcess.StartReadyAsync(StoreArgs);
            await using var bob = await TestClient.ConnectAsync(restarted.Port, Name("bob"));
            var texts = new List<string>();
            long? before = null;
            do
            {
                var reference = $"p{texts.Count}";
                await bob.SendAsync(new SearchRequest(word, Before: before, Limit: 50) { Ref = reference });
                var page = await bob.ExpectAsync<SearchResultsFrame>(r => r.Ref == reference);
                texts.AddRange(page.Results.Select(m => m.Text));
                before = page.Next;
            } while (before is not null);
            Assert.Equal(Enumerable.Range(0, count).Select(i => $"{word} number{i}").Order(), texts.Order());
        }
        finally
        {
            File.Delete(config);
        }
    }

}

public sealed class SearchAcrossRestartsOnSqliteTests : SearchAcrossRestartsSpec, IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-search-{Guid.NewGuid():N}");

    protected override string[] StoreArgs => ["--data-dir", _dataDir];

    private string IndexFile => Path.Combine(_dataDir, SqliteSearchIndex.FileName);

    /// <summary>
    /// Once the stopped server has let go of the index: SQLite removes the write-ahead log when its last connection
    /// closes, and changing the file while it is still open would leave that log to the next server.
    /// </summary>
    private async Task IndexClosedAsync() =>
        await AsyncAssert.EventuallyAsync(() => Task.FromResult(!File.Exists(IndexFile + "-wal")), TimeSpan.FromSeconds(30));

    protected override async Task LoseIndexedMessagesAsync()
    {
        await IndexClosedAsync();
        await using var connection = new SqliteConnection($"Data Source={IndexFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM messages; DELETE FROM message_words;";
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task LoseIndexAsync()
    {
        await IndexClosedAsync();
        File.Delete(IndexFile);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

public sealed class SearchAcrossRestartsOnPostgresTests(PostgresServer postgres) : SearchAcrossRestartsSpec, IClassFixture<PostgresServer>
{
    protected override string[] StoreArgs => ["--postgres", postgres.ConnectionString];

    private async Task ExecuteAsync(string sql)
    {
        await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var command = database.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    protected override Task LoseIndexedMessagesAsync() => ExecuteAsync("DELETE FROM search_messages");

    protected override Task LoseIndexAsync() =>
        ExecuteAsync("DROP TABLE IF EXISTS search_messages, search_progress, search_changes, search_dropped");
}
