using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>The rooms answer counts, for a signed-in user, the messages after their read marker in each room.</summary>
public sealed class UnreadCountTests
{
    private const string Password = "long-enough-secret";

    private static async Task<TestClient> RegisterAsync(RunningChatServer server, string name)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, Password));
        await client.ExpectAsync<RegisteredFrame>();
        return client;
    }

    private static async Task<RoomListFrame> ListAsync(TestClient client, string reference)
    {
        await client.SendAsync(new RoomListRequest { Ref = reference });
        return await client.ExpectAsync<RoomListFrame>(r => r.Ref == reference);
    }

    private static RoomSummary Room(RoomListFrame list, string name) => Assert.Single(list.Rooms, r => r.Name == name);

    [Fact]
    public async Task The_rooms_answer_counts_the_messages_after_the_read_marker_and_leaves_the_count_out_without_one()
    {
        await using var server = await TestServer.StartAsync();
        await using var alice = await RegisterAsync(server, "alice");
        await using var bob = await RegisterAsync(server, "bob");
        await alice.SendAsync(new JoinRequest("lobby"));
        await alice.ExpectAsync<JoinedFrame>();
        await alice.SendAsync(new JoinRequest("quiet"));
        await alice.ExpectAsync<JoinedFrame>();
        await bob.SendAsync(new JoinRequest("lobby"));
        await bob.ExpectAsync<JoinedFrame>();

        var said = new List<MessageFrame>();
        for (var i = 1; i <= 5; i++)
        {
            await alice.SendAsync(new SayRequest("lobby", $"message {i}") { Ref = $"m{i}" });
            said.Add(await alice.ExpectAsync<MessageFrame>(m => m.Ref == $"m{i}"));
        }
        var seqs = said.Select(m => m.Seq).ToList();
        await alice.SendAsync(new DeleteRequest("lobby", said[4].Id) { Ref = "delete" }); // a deleted message still counts
        await alice.ExpectAsync<DeletedFrame>(d => d.Ref == "delete");

        Assert.Null(Room(await ListAsync(bob, "before"), "lobby").Unread); // no marker yet: no count

        await bob.SendAsync(new ReadRequest("lobby", seqs[1]) { Ref = "read" });
        await bob.ExpectAsync<DoneFrame>(d => d.Ref == "read");
        var list = await ListAsync(bob, "after");
        Assert.Equal(seqs[4] - seqs[1], Room(list, "lobby").Unread);
        Assert.Equal(3, Room(list, "lobby").Unread);
        Assert.Null(Room(list, "quiet").Unread); // bob never read there

        await alice.SendAsync(new SayRequest("lobby", "one more") { Ref = "m6" });
        await alice.ExpectAsync<MessageFrame>(m => m.Ref == "m6");
        await bob.ExpectAsync<MessageFrame>(m => m.Text == "one more");
        Assert.Equal(4, Room(await ListAsync(bob, "later"), "lobby").Unread);

        await alice.SendAsync(new ReadRequest("lobby", seqs[4] + 1) { Ref = "all" });
        await alice.ExpectAsync<DoneFrame>(d => d.Ref == "all");
        Assert.Equal(0, Room(await ListAsync(alice, "mine"), "lobby").Unread); // read to the end: present, 0

        await using var guest = await TestClient.ConnectAsync(server, "carol");
        Assert.Null(Room(await ListAsync(guest, "guest"), "lobby").Unread);
    }
}
