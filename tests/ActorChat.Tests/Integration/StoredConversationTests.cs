using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorChat.Tests.Integration;

/// <summary>
/// What issue 14 stores, across one restart, on each durable store: replies, actions and mentions on the messages
/// (the room's journal); reactions, edits and deletions (the room's <c>notes-&lt;key&gt;</c> journal); a registered
/// user's mentions and read markers (their inbox), seen in <c>mentions</c>, <c>joined</c>'s <c>lastRead</c> and the
/// <c>rooms</c> answer's <c>unread</c>. One member is on plain TCP, the other on a WebSocket.
/// </summary>
public abstract class StoredConversationSpec
{
    private const string Password = "long-enough-secret";

    protected abstract string[] StoreArgs { get; }

    /// <summary>The persistence ids that have a snapshot in the store.</summary>
    protected abstract Task<IReadOnlyList<string>> SnapshotOwnersAsync();

    /// <summary>200 changes are 200 journal writes one after the other: on PostgreSQL on a busy machine, seconds.</summary>
    private static readonly TimeSpan StoredChangesTimeout = TimeSpan.FromSeconds(60);

    private string[] ServerArgs => [.. StoreArgs, "--flood-rate", "0"];

    private static async Task<TestClient> RegisterOverTcpAsync(RunningChatServer server, string name)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, Password));
        await client.ExpectAsync<RegisteredFrame>();
        return client;
    }

    private static async Task<WebSocketTestClient> OverWebSocketAsync(RunningChatServer server, ClientFrame signIn)
    {
        var client = await WebSocketTestClient.ConnectAsync(server);
        await client.SendAsync(signIn);
        if (signIn is RegisterRequest) await client.ExpectAsync<RegisteredFrame>();
        else await client.ExpectAsync<WelcomeFrame>(timeout: TimeSpan.FromSeconds(20));
        return client;
    }

    private static async Task<MessageFrame> SayAsync(TestClient client, SayRequest say)
    {
        await client.SendAsync(say with { Ref = "say" });
        return await client.ExpectAsync<MessageFrame>(m => m.Ref == "say");
    }

    private static async Task<MessageFrame> SayAsync(WebSocketTestClient client, SayRequest say)
    {
        await client.SendAsync(say with { Ref = "say" });
        return await client.ExpectAsync<MessageFrame>(m => m.Ref == "say");
    }

    [Fact(Timeout = 240_000)]
    public async Task Reactions_edits_deletions_mentions_and_read_markers_survive_a_restart()
    {
        MessageFrame question, reply, oops, last;
        await using (var server = await TestServer.StartAsync(ServerArgs))
        {
            await using var alice = await RegisterOverTcpAsync(server, "alice");
            await using var bob = await OverWebSocketAsync(server, new RegisterRequest("bob", Password));
            await alice.SendAsync(new JoinRequest("lobby"));
            await alice.ExpectAsync<JoinedFrame>();
            await bob.SendAsync(new JoinRequest("lobby"));
            Assert.Equal(0, (await bob.ExpectAsync<JoinedFrame>()).LastRead);

            // Enough changes that the room's notes and bob's inbox each save a snapshot (every 200 changes), and
            // recover from it below. Flood control is off in this spec so that this takes a second, not twenty.
            var warmUp = await SayAsync(alice, new SayRequest("lobby", "react to me"));
            for (var i = 0; i < 201; i++) await bob.SendAsync(new ReactRequest("lobby", warmUp.Id, "🔁") { Ref = $"t{i}" });
            await bob.ExpectAsync<ReactionFrame>(r => r.Ref == "t200", timeout: StoredChangesTimeout);
            await bob.SendAsync(new JoinRequest("quiet"));
            await bob.ExpectAsync<JoinedFrame>(j => j.Room == "quiet");
            for (var seq = 1; seq <= 200; seq++) await bob.SendAsync(new ReadRequest("quiet", seq) { Ref = $"q{seq}" });
            await bob.ExpectAsync<DoneFrame>(d => d.Ref == "q200", timeout: StoredChangesTimeout);

            question = await SayAsync(alice, new SayRequest("lobby", "who is in @bob?"));
            reply = await SayAsync(bob, new SayRequest("lobby", "raises a hand", ReplyTo: question.Id, Action: true));
            await bob.SendAsync(new ReactRequest("lobby", question.Id, "🎉") { Ref = "r1" });
            await bob.ExpectAsync<ReactionFrame>(r => r.Ref == "r1");
            await alice.SendAsync(new ReactRequest("lobby", reply.Id, "👍") { Ref = "r2" });
            await alice.ExpectAsync<ReactionFrame>(r => r.Ref == "r2");
            await alice.SendAsync(new ReactRequest("lobby", reply.Id, "👀") { Ref = "r3" });
            await alice.ExpectAsync<ReactionFrame>(r => r.Ref == "r3");
            await alice.SendAsync(new ReactRequest("lobby", reply.Id, "👀") { Ref = "r4" }); // toggled off again
            Assert.False((await alice.ExpectAsync<ReactionFrame>(r => r.Ref == "r4")).On);
            await alice.SendAsync(new EditRequest("lobby", question.Id, "who is in, @bob?") { Ref = "e" });
            await alice.ExpectAsync<EditedFrame>(e => e.Ref == "e");
            oops = await SayAsync(alice, new SayRequest("lobby", "wrong room, sorry"));
            await alice.SendAsync(new DeleteRequest("lobby", oops.Id) { Ref = "d" });
            await alice.ExpectAsync<DeletedFrame>(d => d.Ref == "d");
            last = await SayAsync(alice, new SayRequest("lobby", "see you"));

            await bob.SendAsync(new ReadRequest("lobby", reply.Seq) { Ref = "read" });
            await bob.ExpectAsync<DoneFrame>(d => d.Ref == "read");
            await AsyncAssert.EventuallyAsync(async () => // the mention reaches the inbox after the message is stored
            {
                await bob.SendAsync(new MentionsRequest { Ref = "m" });
                return (await bob.ExpectAsync<MentionsFrame>(f => f.Ref == "m")).Mentions.Count == 1;
            }, TimeSpan.FromSeconds(10));
        }

        var snapshots = await SnapshotOwnersAsync(); // so that the recovery below starts from them
        Assert.Contains(snapshots, id => id.StartsWith("notes-", StringComparison.Ordinal));
        Assert.Contains("inbox-bob", snapshots);

        await using (var server = await TestServer.StartAsync(ServerArgs))
        {
            await using var bob = await OverWebSocketAsync(server, new HelloRequest("bob", Password));
            await bob.SendAsync(new JoinRequest("lobby"));
            var joined = await bob.ExpectAsync<JoinedFrame>(j => j.Room == "lobby");
            Assert.Equal(reply.Seq, joined.LastRead);
            Assert.Equal([question.Seq - 1, question.Seq, reply.Seq, oops.Seq, last.Seq], joined.History.Select(m => m.Seq));
            Assert.Equal(["bob"], Assert.Single(joined.History[0].Reactions!, r => r.Key == "🔁").Value); // 201 toggles: on
            var (first, second, tombstone) = (joined.History[1], joined.History[2], joined.History[3]);
            Assert.Equal("who is in, @bob?", first.Text);
            Assert.NotNull(first.EditedAt);
            Assert.Equal(["bob"], first.Mentions!);
            Assert.Equal(["bob"], Assert.Single(first.Reactions!, r => r.Key == "🎉").Value);
            Assert.Single(first.Reactions!);
            Assert.Equal((question.Id, new ReplyPreview("alice", "who is in @bob?"), (bool?)true), (second.ReplyTo, second.ReplyPreview, second.Action));
            Assert.Equal(["alice"], Assert.Single(second.Reactions!).Value); // 👀 went off before the restart
            Assert.Equal((oops.Id, (bool?)true), (tombstone.Id, tombstone.Deleted));
            Assert.True(string.IsNullOrEmpty(tombstone.Text));

            await bob.SendAsync(new HistoryRequest("lobby") { Ref = "h" });
            var history = (await bob.ExpectAsync<HistoryFrame>(h => h.Ref == "h")).Messages;
            Assert.Equal(joined.History.Select(m => (m.Id, m.Text, m.EditedAt, m.Deleted)), history.Select(m => (m.Id, m.Text, m.EditedAt, m.Deleted)));

            await bob.SendAsync(new RoomListRequest { Ref = "rooms" });
            var lobby = Assert.Single((await bob.ExpectAsync<RoomListFrame>(r => r.Ref == "rooms")).Rooms, r => r.Name == "lobby");
            Assert.Equal(last.Seq - reply.Seq, lobby.Unread); // the deleted message counts

            await bob.SendAsync(new JoinRequest("quiet"));
            Assert.Equal(200, (await bob.ExpectAsync<JoinedFrame>(j => j.Room == "quiet")).LastRead);
            await bob.SendAsync(new MentionsRequest(5) { Ref = "m" });
            var mention = Assert.Single((await bob.ExpectAsync<MentionsFrame>(f => f.Ref == "m")).Mentions);
            Assert.Equal((question.Id, "lobby", "alice", question.Seq), (mention.Id, mention.Room, mention.Sender, mention.Seq));

            // What was recovered is what the room goes on from: a reaction toggles off, the deleted message stays
            // deleted, the read marker still only goes forward, and seq goes on.
            await bob.SendAsync(new ReactRequest("lobby", question.Id, "🎉") { Ref = "off" });
            Assert.False((await bob.ExpectAsync<ReactionFrame>(r => r.Ref == "off")).On);
            await bob.SendAsync(new EditRequest("lobby", oops.Id, "back") { Ref = "gone" });
            Assert.Equal(ErrorCodes.NoSuchMessage, (await bob.ExpectAsync<ErrorFrame>(e => e.Ref == "gone")).Code);
            await bob.SendAsync(new ReadRequest("lobby", question.Seq) { Ref = "back" });
            await bob.ExpectAsync<DoneFrame>(d => d.Ref == "back");
            Assert.Equal(last.Seq + 1, (await SayAsync(bob, new SayRequest("lobby", "after the restart"))).Seq);
            await bob.SendAsync(new RoomListRequest { Ref = "again" });
            lobby = Assert.Single((await bob.ExpectAsync<RoomListFrame>(r => r.Ref == "again")).Rooms, r => r.Name == "lobby");
            Assert.Equal(last.Seq + 1 - reply.Seq, lobby.Unread);
        }
    }
}

public sealed class StoredConversationOnSqliteTests : StoredConversationSpec, IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-stored-{Guid.NewGuid():N}");

    protected override string[] StoreArgs => ["--data-dir", _dataDir];

    protected override async Task<IReadOnlyList<string>> SnapshotOwnersAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir, "actorchat.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT persistence_id FROM snapshot";
        var owners = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) owners.Add(reader.GetString(0));
        return owners;
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed class StoredConversationOnPostgresTests(PostgresServer postgres) : StoredConversationSpec, IClassFixture<PostgresServer>
{
    protected override string[] StoreArgs => ["--postgres", postgres.ConnectionString];

    protected override async Task<IReadOnlyList<string>> SnapshotOwnersAsync()
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT persistence_id FROM snapshot", connection);
        var owners = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) owners.Add(reader.GetString(0));
        return owners;
    }
}
