using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Server.Search;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Search;

/// <summary>The search frame end to end: rooms feed the index as they store, and what a caller may read is decided when it asks.</summary>
public class SearchOverTcpTests
{
    protected virtual string[] StoreArgs => [];

    private const string Password = "correct horse battery";

    /// <summary>
    /// Searches until <paramref name="until"/> holds of the results (the index is written a moment after the message
    /// is stored, and nothing tells a client when); bounded in count and time.
    /// </summary>
    internal static async Task<SearchResultsFrame> SearchUntilAsync(TestClient client, SearchRequest search, Func<SearchResultsFrame, bool> until)
    {
        SearchResultsFrame results = null!;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await client.SendAsync(search with { Ref = $"s{attempt}" });
            results = await client.ExpectAsync<SearchResultsFrame>(r => r.Ref == $"s{attempt}");
            if (until(results)) return results;
            await Task.Delay(50);
        }
        return results;
    }

    private static async Task<TestClient> RegisteredAsync(RunningChatServer server, string name)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, Password));
        await client.ExpectAsync<RegisteredFrame>();
        return client;
    }

    private static async Task<MessageFrame> SayAsync(TestClient client, string room, string text)
    {
        await client.SendAsync(new SayRequest(room, text));
        return await client.ExpectAsync<MessageFrame>(m => m.Text == text);
    }

    [Fact]
    public async Task A_stored_message_is_found_with_its_room_newest_first()
    {
        await using var server = await TestServer.StartAsync(StoreArgs);
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("General");
        var first = await SayAsync(alice, "General", "deploying the Café build");
        var second = await SayAsync(alice, "General", "deployment finished");

        var results = await SearchUntilAsync(alice, new SearchRequest("deploy*"), r => r.Results.Count == 2);

        Assert.Equal([second.Id, first.Id], results.Results.Select(m => m.Id));
        Assert.All(results.Results, m => Assert.Equal("General", m.Room));
        Assert.Equal(("alice", first.Seq, first.Timestamp), (results.Results[1].Sender, results.Results[1].Seq, results.Results[1].Timestamp));
        Assert.Equal("deploy*", results.Query);
        Assert.Null(results.Next);
        Assert.Equal(first.Id, Assert.Single((await SearchUntilAsync(alice, new SearchRequest("CAFE"), r => r.Results.Count == 1)).Results).Id);
    }

    [Fact]
    public async Task An_edited_message_is_found_by_its_new_text_and_a_deleted_one_not_at_all()
    {
        await using var server = await TestServer.StartAsync(StoreArgs);
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("general");
        var edited = await SayAsync(alice, "general", "lunch at noon");
        var deleted = await SayAsync(alice, "general", "lunch secret");
        await SearchUntilAsync(alice, new SearchRequest("lunch"), r => r.Results.Count == 2);

        await alice.SendAsync(new EditRequest("general", edited.Id, "dinner at eight"));
        await alice.ExpectAsync<EditedFrame>();
        await alice.SendAsync(new DeleteRequest("general", deleted.Id));
        await alice.ExpectAsync<DeletedFrame>();

        var found = await SearchUntilAsync(alice, new SearchRequest("dinner"), r => r.Results.Count == 1);
        Assert.Equal(edited.Id, Assert.Single(found.Results).Id);
        Assert.Equal("dinner at eight", found.Results[0].Text);
        var lunch = await SearchUntilAsync(alice, new SearchRequest("lunch"), r => r.Results.Count == 0);
        Assert.Empty(lunch.Results);
    }

    [Fact]
    public async Task A_private_room_is_searched_only_by_those_in_it()
    {
        await using var server = await TestServer.StartAsync(StoreArgs);
        await using var alice = await RegisteredAsync(server, "alice");
        await alice.JoinAsync("vault");
        await alice.SendAsync(new ModeRequest("vault", true));
        await alice.ExpectAsync<ModeFrame>();
        await SayAsync(alice, "vault", "treasure map");
        await alice.JoinAsync("plaza");
        await SayAsync(alice, "plaza", "treasure hunt tonight");
        var hers = await SearchUntilAsync(alice, new SearchRequest("treasure"), r => r.Results.Count == 2);
        Assert.Equal(["plaza", "vault"], hers.Results.Select(m => m.Room).Order());

        await using var bob = await TestClient.ConnectAsync(server, "bob");
        await bob.SendAsync(new SearchRequest("treasure") { Ref = "b" });
        var his = await bob.ExpectAsync<SearchResultsFrame>();
        Assert.Equal(["treasure hunt tonight"], his.Results.Select(m => m.Text));
        await bob.SendAsync(new SearchRequest("treasure", Room: "vault") { Ref = "b2" });
        Assert.Empty((await bob.ExpectAsync<SearchResultsFrame>()).Results);
    }

    [Fact]
    public async Task Direct_messages_are_found_only_by_their_two_participants_and_named_after_the_other()
    {
        await using var server = await TestServer.StartAsync(StoreArgs);
        server.System.EventStream.Publish(new MessageIndexed(SearchConversations.Direct("alice", "bob"), 1, "dm-1", "bob",
            "the parcel arrived", DateTimeOffset.UtcNow, ["alice", "bob"]));
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await using var bob = await TestClient.ConnectAsync(server, "Bob");
        await using var carol = await TestClient.ConnectAsync(server, "carol");

        var forAlice = await SearchUntilAsync(alice, new SearchRequest("parcel"), r => r.Results.Count == 1);
        Assert.Equal(("@bob", "bob", "the parcel arrived"), (forAlice.Results[0].Room, forAlice.Results[0].Sender, forAlice.Results[0].Text));
        var forBob = await SearchUntilAsync(bob, new SearchRequest("parcel", Room: "@alice"), r => r.Results.Count == 1);
        Assert.Equal("@alice", Assert.Single(forBob.Results).Room);
        await carol.SendAsync(new SearchRequest("parcel"));
        Assert.Empty((await carol.ExpectAsync<SearchResultsFrame>()).Results);
    }

    [Fact]
    public async Task Pages_follow_next_until_it_is_null()
    {
        await using var server = await TestServer.StartAsync(StoreArgs);
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("general");
        for (var i = 1; i <= 5; i++) await SayAsync(alice, "general", $"standup note {i}");
        await SearchUntilAsync(alice, new SearchRequest("standup", Limit: 50), r => r.Results.Count == 5);

        var texts = new List<string>();
        long? before = null;
        for (var page = 0; page < 5; page++)
        {
            await alice.SendAsync(new SearchRequest("standup", Before: before, Limit: 2) { Ref = $"p{page}" });
            var results = await alice.ExpectAsync<SearchResultsFrame>(r => r.Ref == $"p{page}");
            texts.AddRange(results.Results.Select(m => m.Text));
            before = results.Next;
            if (before is null) break;
        }
        Assert.Equal(Enumerable.Range(1, 5).Reverse().Select(i => $"standup note {i}"), texts);
    }

    [Fact]
    public async Task A_dropped_room_s_messages_are_not_found_in_the_room_made_again_under_its_name()
    {
        // Names of its own: the PostgreSQL store is shared by the class's tests.
        var tag = Guid.NewGuid().ToString("N")[..6];
        var (room, word, op) = ($"doomed{tag}", $"plan{tag}", $"root{tag}");
        await using var server = await TestServer.StartAsync([.. StoreArgs, "--operator", op]);
        await using var root = await RegisteredAsync(server, op);
        await using var alice = await TestClient.ConnectAsync(server, $"alice{tag}");
        await alice.JoinAsync(room);
        await SayAsync(alice, room, $"the old {word}");
        await SearchUntilAsync(alice, new SearchRequest(word), r => r.Results.Count == 1);

        await root.SendAsync(new DropRequest(room) { Ref = "drop" });
        await root.ExpectAsync<DoneFrame>(d => d.Ref == "drop");
        await alice.ExpectAsync<DroppedFrame>();
        await alice.JoinAsync(room);
        await SayAsync(alice, room, $"the new {word}");

        // The index takes changes in order: once the new message is found, the drop before it is applied too.
        var results = await SearchUntilAsync(alice, new SearchRequest(word), r => r.Results.Any(m => m.Text == $"the new {word}"));
        Assert.Equal([$"the new {word}"], results.Results.Select(m => m.Text));
        await alice.SendAsync(new SearchRequest("old", Room: room) { Ref = "old" });
        Assert.Empty((await alice.ExpectAsync<SearchResultsFrame>(r => r.Ref == "old")).Results);
    }

    [Theory]
    [InlineData("", ErrorCodes.BadQuery)]
    [InlineData("\"open", ErrorCodes.BadQuery)]
    [InlineData("NEAR(a b)", ErrorCodes.BadQuery)]
    [InlineData("text:x", ErrorCodes.BadQuery)]
    public async Task A_bad_query_is_answered_with_an_error_and_the_connection_goes_on(string query, string code)
    {
        await using var server = await TestServer.StartAsync(StoreArgs);
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.SendAsync(new SearchRequest(query) { Ref = "q" });
        var error = await alice.NextAsync<ErrorFrame>();
        Assert.Equal((code, "q"), (error.Code, error.Ref));
        await alice.SendAsync(new SearchRequest(new string('x', SearchQuery.MaxLength + 1)) { Ref = "long" });
        Assert.Equal(ErrorCodes.BadQuery, (await alice.NextAsync<ErrorFrame>()).Code);
        await alice.SendAsync(new SearchRequest("fine", Limit: 51) { Ref = "limit" });
        Assert.Equal(ErrorCodes.BadRequest, (await alice.NextAsync<ErrorFrame>()).Code);
        await alice.SendAsync(PingRequest.Instance);
        await alice.NextAsync<PongFrame>();
    }
}

public sealed class SearchOverTcpOnSqliteTests : SearchOverTcpTests, IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-search-{Guid.NewGuid():N}");

    protected override string[] StoreArgs => ["--data-dir", _dataDir];

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

public sealed class SearchOverTcpOnPostgresTests(PostgresServer postgres) : SearchOverTcpTests, IClassFixture<PostgresServer>
{
    protected override string[] StoreArgs => ["--postgres", postgres.ConnectionString];
}
