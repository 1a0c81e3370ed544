using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;

namespace ActorChat.Tests.Integration;

/// <summary>
/// Mentions and read markers of registered users, over TCP and WebSocket, and their errors. That they are kept across
/// a restart (SQLite and PostgreSQL) is in <see cref="StoredConversationSpec"/>.
/// </summary>
public sealed class InboxTests
{
    private const string Password = "long-enough-secret";

    private static async Task<TestClient> RegisterOverTcpAsync(RunningChatServer server, string name)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, Password));
        await client.ExpectAsync<RegisteredFrame>();
        return client;
    }

    private static async Task<WebSocketTestClient> RegisterOverWebSocketAsync(RunningChatServer server, string name)
    {
        var client = await WebSocketTestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, Password));
        await client.ExpectAsync<RegisteredFrame>();
        return client;
    }

    [Fact]
    public async Task A_registered_user_finds_their_mentions_and_read_marker_and_a_guest_gets_not_permitted()
    {
        string mentionId;
        await using (var server = await TestServer.StartAsync())
        {
            await using var alice = await RegisterOverTcpAsync(server, "alice");
            await using var bob = await RegisterOverWebSocketAsync(server, "bob");
            await alice.SendAsync(new JoinRequest("lobby"));
            Assert.Equal(0, (await alice.ExpectAsync<JoinedFrame>()).LastRead);
            await bob.SendAsync(new JoinRequest("lobby"));
            await bob.ExpectAsync<JoinedFrame>();

            await alice.SendAsync(new SayRequest("lobby", "hello @bob and @nobody-registered") { Ref = "m" });
            mentionId = (await alice.ExpectAsync<MessageFrame>(m => m.Ref == "m")).Id;
            await alice.SendAsync(new SayRequest("lobby", "second") { Ref = "s" });
            var second = await alice.ExpectAsync<MessageFrame>(m => m.Ref == "s");

            await bob.SendAsync(new ReadRequest("lobby", second.Seq) { Ref = "r" });
            Assert.Equal(new DoneFrame("read") { Ref = "r" }, await bob.ExpectAsync<DoneFrame>());
            await bob.SendAsync(new ReadRequest("lobby", 1) { Ref = "back" }); // only forward: answered, changes nothing
            await bob.ExpectAsync<DoneFrame>(d => d.Ref == "back");
            await bob.SendAsync(new ReadRequest("lobby", 0) { Ref = "zero" });
            Assert.Equal(ErrorCodes.BadRequest, (await bob.ExpectAsync<ErrorFrame>(e => e.Ref == "zero")).Code);
            await bob.SendAsync(new ReadRequest("elsewhere", 1) { Ref = "out" });
            Assert.Equal(ErrorCodes.NotInRoom, (await bob.ExpectAsync<ErrorFrame>(e => e.Ref == "out")).Code);
            await bob.SendAsync(new MentionsRequest(0) { Ref = "none" });
            Assert.Equal(ErrorCodes.BadRequest, (await bob.ExpectAsync<ErrorFrame>(e => e.Ref == "none")).Code);

            await using var guest = await TestClient.ConnectAsync(server, "carol");
            await guest.SendAsync(new MentionsRequest { Ref = "g" });
            Assert.Equal(ErrorCodes.NotPermitted, (await guest.ExpectAsync<ErrorFrame>(e => e.Ref == "g")).Code);
            await guest.JoinAsync("lobby");
            await guest.SendAsync(new ReadRequest("lobby", 1) { Ref = "g2" });
            Assert.Equal(ErrorCodes.NotPermitted, (await guest.ExpectAsync<ErrorFrame>(e => e.Ref == "g2")).Code);
            await guest.SendAsync(new JoinRequest("lobby"));
            Assert.Null((await guest.ExpectAsync<JoinedFrame>()).LastRead);

            // The mention reaches the inbox after the message is stored: ask until it is there (bounded).
            MentionsFrame mentions = null!;
            for (var attempt = 0; attempt < 50; attempt++)
            {
                await bob.SendAsync(new MentionsRequest { Ref = $"q{attempt}" });
                mentions = await bob.ExpectAsync<MentionsFrame>(f => f.Ref == $"q{attempt}");
                if (mentions.Mentions.Count > 0) break;
                await Task.Delay(100);
            }
            var mention = Assert.Single(mentions.Mentions);
            Assert.Equal((mentionId, "lobby", "alice", 1L), (mention.Id, mention.Room, mention.Sender, mention.Seq));
            await bob.SendAsync(new JoinRequest("lobby"));
            Assert.Equal(2, (await bob.ExpectAsync<JoinedFrame>()).LastRead); // the backward read changed nothing
        }
    }
}
