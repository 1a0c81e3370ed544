using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;
using Microsoft.Data.Sqlite;

namespace ActorChat.Tests.Integration;

/// <summary>An operator drops a whole room, over real loopback connections: members are put out, the name is free again.</summary>
public sealed class RoomDropTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-drop-{Guid.NewGuid():N}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    private static async Task<TestClient> SignInAsync(RunningChatServer server, string name)
    {
        var client = await TestClient.ConnectAsync(server);
        await client.SendAsync(new RegisterRequest(name, name + "-password"));
        var answer = await client.ExpectAsync<ServerFrame>(f => f is RegisteredFrame or ErrorFrame);
        if (answer is ErrorFrame { Code: ErrorCodes.NameTaken })
        {
            await client.SendAsync(new HelloRequest(name, name + "-password"));
            answer = await client.ExpectAsync<ServerFrame>(f => f is WelcomeFrame or ErrorFrame);
        }
        Assert.IsNotType<ErrorFrame>(answer);
        return client;
    }

    private static async Task<ServerFrame> NextFrameAsync(TestClient client)
    {
        using var cts = new CancellationTokenSource(TestClient.DefaultTimeout);
        return Assert.IsAssignableFrom<ServerFrame>(await client.Connection.ReceiveAsync(cts.Token));
    }

    private static async Task<string[]> RoomNamesAsync(TestClient client)
    {
        await client.SendAsync(new RoomListRequest());
        return (await client.ExpectAsync<RoomListFrame>()).Rooms.Select(r => r.Name).ToArray();
    }

    private static async Task<string> StatusAsync(RunningChatServer server)
    {
        using var http = new HttpClient { BaseAddress = server.WebUri() };
        return await http.GetStringAsync("/api/status");
    }

    private static async Task<HttpStatusCode> HealthAsync(RunningChatServer server)
    {
        using var http = new HttpClient { BaseAddress = server.WebUri() };
        return (await http.GetAsync("/healthz")).StatusCode;
    }

    [Fact(Timeout = 60_000)]
    public async Task An_operator_drops_a_room_whose_members_are_told_and_put_out_and_the_name_makes_a_fresh_room()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var root = await SignInAsync(server, "root");
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await using var bob = await TestClient.ConnectAsync(server, "bob");
        await alice.JoinAsync("Doomed");
        await bob.JoinAsync("doomed");
        await alice.SendAsync(new SayRequest("doomed", "remember me"));
        await bob.ExpectAsync<MessageFrame>(m => m.Text == "remember me");
        Assert.Contains("Doomed", await RoomNamesAsync(root));
        Assert.Contains("\"Doomed\"", await StatusAsync(server));

        await root.SendAsync(new DropRequest("DOOMED", "spam") { Ref = "d1" });
        var done = await root.ExpectAsync<DoneFrame>();
        Assert.Equal(("drop", "d1"), (done.Request, done.Ref));
        foreach (var member in new[] { alice, bob })
        {
            var dropped = await member.ExpectAsync<DroppedFrame>();
            Assert.Equal(("Doomed", "root", "spam"), (dropped.Room, dropped.By, dropped.Reason));
            await member.SendAsync(new SayRequest("doomed", "still here?"));
            Assert.Equal(ErrorCodes.NotInRoom, (await member.ExpectAsync<ErrorFrame>()).Code);
        }
        Assert.DoesNotContain("Doomed", await RoomNamesAsync(root));
        Assert.DoesNotContain("Doomed", await StatusAsync(server));

        // The name is free: joining it makes a new, empty room that the joiner named.
        await bob.SendAsync(new JoinRequest("doomed"));
        var joined = await bob.ExpectAsync<JoinedFrame>();
        Assert.Equal(("doomed", 0), (joined.Room, joined.History.Count));
        Assert.Equal(["bob"], joined.Members);

        await root.SendAsync(new DropRequest("never-was") { Ref = "d2" });
        var missing = await root.ExpectAsync<ErrorFrame>();
        Assert.Equal((ErrorCodes.NoSuchRoom, "d2"), (missing.Code, missing.Ref));
    }

    [Fact(Timeout = 60_000)]
    public async Task Only_a_signed_in_operator_may_drop_a_room()
    {
        await using var server = await TestServer.StartAsync("--operator", "root");
        await using var guestRoot = await TestClient.ConnectAsync(server, "root");
        await using var owner = await SignInAsync(server, "owner");
        await owner.JoinAsync("mine");
        foreach (var client in new[] { guestRoot, owner })
        {
            await client.SendAsync(new DropRequest("mine") { Ref = "x" });
            var refused = await client.ExpectAsync<ErrorFrame>();
            Assert.Equal((ErrorCodes.NotPermitted, "x"), (refused.Code, refused.Ref));
        }
        await owner.SendAsync(new WhoRequest("mine"));
        Assert.Equal(["owner"], (await owner.ExpectAsync<MembersFrame>()).Members);
        await guestRoot.SendAsync(new DropRequest("bad room name!"));
        Assert.Equal(ErrorCodes.InvalidRoom, (await guestRoot.ExpectAsync<ErrorFrame>()).Code);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_dropped_room_stays_dropped_after_a_restart_and_its_history_does_not_come_back()
    {
        await using (var server = await TestServer.StartAsync("--data-dir", _dataDir, "--operator", "root"))
        {
            await using var root = await SignInAsync(server, "root");
            await root.JoinAsync("secrets");
            await root.SendAsync(new SayRequest("secrets", "the old plan"));
            await root.ExpectAsync<MessageFrame>(m => m.Text == "the old plan");
            await root.JoinAsync("keeper");
            await root.SendAsync(new DropRequest("secrets"));
            // The dropper is a member too: its done and its dropped frame (without a reason: none was given) come in either order.
            ServerFrame[] frames = [await NextFrameAsync(root), await NextFrameAsync(root)];
            Assert.Contains(frames, f => f is DoneFrame { Request: "drop" });
            var dropped = Assert.Single(frames.OfType<DroppedFrame>());
            Assert.Equal(("secrets", "root", (string?)null), (dropped.Room, dropped.By, dropped.Reason));
        }

        await using (var server = await TestServer.StartAsync("--data-dir", _dataDir, "--operator", "root"))
        {
            await using var root = await SignInAsync(server, "root");
            var rooms = await RoomNamesAsync(root);
            Assert.Contains("keeper", rooms);
            Assert.DoesNotContain("secrets", rooms);
            await root.SendAsync(new JoinRequest("secrets"));
            Assert.Empty((await root.ExpectAsync<JoinedFrame>()).History);
            await root.SendAsync(new SayRequest("secrets", "the new plan"));
            await root.ExpectAsync<MessageFrame>(m => m.Text == "the new plan");
        }

        // The room made again after the drop is an ordinary durable room: it keeps its own history.
        await using (var server = await TestServer.StartAsync("--data-dir", _dataDir, "--operator", "root"))
        {
            await using var root = await SignInAsync(server, "root");
            Assert.Contains("secrets", await RoomNamesAsync(root));
            await root.SendAsync(new JoinRequest("secrets"));
            Assert.Equal(["the new plan"], (await root.ExpectAsync<JoinedFrame>()).History.Select(m => m.Text));
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Dropping_a_room_whose_journal_is_damaged_makes_the_health_check_pass_again()
    {
        await using (var server = await TestServer.StartAsync("--data-dir", _dataDir))
        {
            await using var alice = await TestClient.ConnectAsync(server, "alice");
            await alice.JoinAsync("cellar");
            await alice.SendAsync(new SayRequest("cellar", "one"));
            await alice.SendAsync(new SayRequest("cellar", "two"));
            await alice.ExpectAsync<MessageFrame>(m => m.Text == "two");
        }
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder
               { DataSource = Path.Combine(_dataDir, "actorchat.db"), Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE journal SET message = X'7B6E6F74' WHERE persistence_id = 'room-cellar' AND sequence_number = 2";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        await using (var server = await TestServer.StartAsync("--data-dir", _dataDir, "--operator", "root"))
        {
            await using var root = await SignInAsync(server, "root");
            await root.SendAsync(new JoinRequest("cellar"));
            Assert.Equal(ErrorCodes.Unavailable, (await root.ExpectAsync<ErrorFrame>()).Code);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await HealthAsync(server));

            await root.SendAsync(new DropRequest("cellar", "beyond repair") { Ref = "d" });
            Assert.Equal("d", (await root.ExpectAsync<DoneFrame>()).Ref);
            Assert.Equal(HttpStatusCode.OK, await HealthAsync(server));
            Assert.DoesNotContain("cellar", await RoomNamesAsync(root));
            await root.SendAsync(new JoinRequest("cellar"));
            Assert.Empty((await root.ExpectAsync<JoinedFrame>()).History);
        }

        await using (var server = await TestServer.StartAsync("--data-dir", _dataDir, "--operator", "root"))
        {
            Assert.Equal(HttpStatusCode.OK, await HealthAsync(server));
            await using var root = await SignInAsync(server, "root");
            await root.SendAsync(new JoinRequest("cellar"));
            Assert.Empty((await root.ExpectAsync<JoinedFrame>()).History);
            Assert.Equal(HttpStatusCode.OK, await HealthAsync(server));
        }
    }
}
