using System.Net.Sockets;
using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>Clients over real loopback TCP against the real server host.</summary>
public sealed class ChatOverTcpTests : IAsyncLifetime
{
    private RunningChatServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Every_member_of_two_rooms_gets_every_message_once_in_seq_order()
    {
        const int perSender = 30;
        var clients = new List<TestClient>();
        for (var i = 0; i < 6; i++) clients.Add(await TestClient.ConnectAsync(_server, $"user{i}"));
        // users 0-2 in "red", 3-5 in "blue", user 2 in both.
        var rooms = new Dictionary<string, TestClient[]>
        {
            ["red"] = [clients[0], clients[1], clients[2]],
            ["blue"] = [clients[2], clients[3], clients[4], clients[5]],
        };
        foreach (var (room, members) in rooms)
            foreach (var member in members) await member.JoinAsync(room);

        var sends = rooms.SelectMany(r => r.Value.Select(member => Task.Run(async () =>
        {
            for (var n = 0; n < perSender; n++) await member.SendAsync(new SayRequest(r.Key, $"{member.Name}:{n}"));
        })));
        await Task.WhenAll(sends);

        foreach (var client in clients)
        {
            var myRooms = rooms.Where(r => r.Value.Contains(client)).Select(r => r.Key).ToArray();
            var expected = myRooms.Sum(r => rooms[r].Length * perSender);
            var received = new List<MessageFrame>();
            while (received.Count < expected) received.Add(await client.ExpectAsync<MessageFrame>());

            foreach (var room in myRooms)
            {
                var inRoom = received.Where(m => m.Room == room).ToList();
                Assert.Equal(Enumerable.Range(1, rooms[room].Length * perSender).Select(i => (long)i), inRoom.Select(m => m.Seq));
                Assert.Equal(inRoom.Count, inRoom.Select(m => m.Text).Distinct().Count());
                // Each sender's own messages keep the order they were sent in.
                foreach (var sender in rooms[room])
                {
                    var numbers = inRoom.Where(m => m.Sender == sender.Name).Select(m => int.Parse(m.Text.Split(':')[1]));
                    Assert.Equal(Enumerable.Range(0, perSender), numbers);
                }
            }
        }
        foreach (var client in clients) await client.DisposeAsync();
    }

    [Fact]
    public async Task Presence_is_announced_on_join_leave_and_disconnect()
    {
        await using var alice = await TestClient.ConnectAsync(_server, "alice");
        await alice.JoinAsync("lobby");
        var bob = await TestClient.ConnectAsync(_server, "bob");
        await bob.JoinAsync("lobby");
        Assert.Equal(new PresenceFrame("lobby", "bob", "join"), await alice.NextAsync<PresenceFrame>());

        await bob.SendAsync(new LeaveRequest("lobby"));
        Assert.Equal(new LeftFrame("lobby"), await bob.NextAsync<LeftFrame>());
        Assert.Equal(new PresenceFrame("lobby", "bob", "leave"), await alice.NextAsync<PresenceFrame>());

        await bob.JoinAsync("lobby");
        Assert.Equal("join", (await alice.NextAsync<PresenceFrame>()).Event);
        await bob.DisposeAsync();
        Assert.Equal(new PresenceFrame("lobby", "bob", "leave"), await alice.NextAsync<PresenceFrame>());
    }

    [Fact]
    public async Task A_name_is_free_again_once_its_holder_disconnects()
    {
        var first = await TestClient.ConnectAsync(_server, "carol");
        await using var second = await TestClient.ConnectAsync(_server);
        await second.SendAsync(new HelloRequest("CAROL"));
        Assert.Equal(ErrorCodes.NameTaken, (await second.NextAsync<ErrorFrame>()).Code);

        await first.DisposeAsync();
        await AsyncAssert.EventuallyAsync(async () =>
        {
            await second.SendAsync(new HelloRequest("carol"));
            var answer = await second.ExpectAsync<ServerFrame>(f => f is WelcomeFrame or ErrorFrame);
            return answer is WelcomeFrame;
        });
    }

    [Fact]
    public async Task Direct_messages_reach_the_recipient_and_echo_to_the_sender()
    {
        await using var alice = await TestClient.ConnectAsync(_server, "alice");
        await using var bob = await TestClient.ConnectAsync(_server, "bob");
        await alice.SendAsync(new DirectMessageRequest("BOB", "psst"));
        var toBob = await bob.NextAsync<DirectMessageFrame>();
        var echo = await alice.NextAsync<DirectMessageFrame>();
        Assert.Equal(("alice", "bob", "psst"), (toBob.From, toBob.To, toBob.Text));
        Assert.Equal(toBob, echo);

        await alice.SendAsync(new DirectMessageRequest("nobody", "hello?"));
        Assert.Equal(ErrorCodes.NoSuchUser, (await alice.NextAsync<ErrorFrame>()).Code);
    }

    [Fact]
    public async Task Rooms_who_and_stats_describe_the_rooms()
    {
        await using var alice = await TestClient.ConnectAsync(_server, "alice");
        await using var bob = await TestClient.ConnectAsync(_server, "bob");
        await alice.JoinAsync("general");
        await bob.JoinAsync("general");
        await alice.SendAsync(new SayRequest("general", "one"));
        await alice.SendAsync(new SayRequest("general", "two"));
        await bob.SendAsync(new SayRequest("general", "three"));
        for (var i = 0; i < 3; i++) await alice.ExpectAsync<MessageFrame>();

        await alice.SendAsync(new WhoRequest("general"));
        Assert.Equal(["alice", "bob"], (await alice.ExpectAsync<MembersFrame>()).Members);
        await alice.SendAsync(new StatsRequest("general"));
        var stats = await alice.ExpectAsync<StatsFrame>();
        Assert.Equal(new Dictionary<string, long> { ["alice"] = 2, ["bob"] = 1 }, stats.MessagesPerUser);
        await alice.SendAsync(RoomListRequest.Instance);
        Assert.Contains(new RoomSummary("general", 2), (await alice.ExpectAsync<RoomListFrame>()).Rooms);
    }

    [Fact]
    public async Task A_join_refused_by_the_room_limit_leaves_the_client_outside_that_room()
    {
        await using var server = await TestServer.StartAsync("--max-rooms", "1");
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("general");
        await alice.SendAsync(new JoinRequest("random"));
        var error = await alice.NextAsync<ErrorFrame>();
        Assert.Equal(ErrorCodes.TooManyRooms, error.Code);
        Assert.Contains("the most it may have", error.Message);

        // The session forgot the refused room: it is not one of the client's rooms.
        await alice.SendAsync(new LeaveRequest("random"));
        Assert.Equal(ErrorCodes.NotInRoom, (await alice.NextAsync<ErrorFrame>()).Code);
        await alice.SendAsync(new SayRequest("random", "hello?"));
        Assert.Equal(ErrorCodes.NotInRoom, (await alice.NextAsync<ErrorFrame>()).Code);
    }

    [Fact]
    public async Task The_rooms_list_is_paged_with_a_cursor_and_a_bad_cursor_is_a_bad_request()
    {
        var settings = TestServer.Settings("--flood-rate", "0"); // 410 frames: at the default 10 a second this spec would take 40 s
        await using var server = await TestServer.StartAsync(settings with { Rooms = settings.Rooms with { CreationsPerMinute = 1000 } });
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        for (var i = 0; i < Protocol.RoomsPerPage + 5; i++)
        {
            await alice.JoinAsync($"room{i:D3}");
            await alice.SendAsync(new LeaveRequest($"room{i:D3}"));
            await alice.ExpectAsync<LeftFrame>();
        }

        await alice.SendAsync(RoomListRequest.Instance);
        var first = await alice.ExpectAsync<RoomListFrame>();
        Assert.Equal(Protocol.RoomsPerPage, first.Rooms.Count);
        Assert.Equal("room000", first.Rooms[0].Name);
        await alice.SendAsync(new RoomListRequest(first.Next));
        var second = await alice.ExpectAsync<RoomListFrame>();
        Assert.Equal(["room200", "room201", "room202", "room203", "room204"], second.Rooms.Select(r => r.Name));
        Assert.Null(second.Next);

        await alice.SendRawAsync("{\"type\":\"rooms\",\"after\":\"no such/cursor\"}\n");
        Assert.Equal(ErrorCodes.BadRequest, (await alice.NextAsync<ErrorFrame>()).Code);
    }

    [Fact]
    public async Task Bad_bytes_from_one_client_leave_the_others_untouched()
    {
        await using var alice = await TestClient.ConnectAsync(_server, "alice");
        await using var bob = await TestClient.ConnectAsync(_server, "bob");
        await alice.JoinAsync("general");
        await bob.JoinAsync("general");
        await alice.ExpectAsync<PresenceFrame>();

        await using var vandal = await TestClient.ConnectAsync(_server, "vandal");
        await vandal.JoinAsync("general");
        await vandal.Connection.SendRawAsync(new byte[] { 0xC0, 0xFF, 0x00, (byte)'\n' });
        Assert.Equal(ErrorCodes.BadJson, (await vandal.NextAsync<ErrorFrame>()).Code);
        await vandal.SendRawAsync("{\"type\":\"say\",\"room\":\"general\",\"text\":12}\n[]\n{\"type\":\"x\"}\n\n");
        Assert.Equal(ErrorCodes.BadRequest, (await vandal.NextAsync<ErrorFrame>()).Code);
        Assert.Equal(ErrorCodes.BadJson, (await vandal.NextAsync<ErrorFrame>()).Code);
        Assert.Equal(ErrorCodes.UnknownType, (await vandal.NextAsync<ErrorFrame>()).Code);
        await vandal.SendRawAsync(new string('z', 70 * 1024));
        Assert.Equal(ErrorCodes.FrameTooLarge, (await vandal.ExpectAsync<ErrorFrame>()).Code);
        Assert.Empty(await vandal.ReadUntilClosedAsync());

        await bob.SendAsync(new SayRequest("general", "still fine?"));
        var message = await alice.ExpectAsync<MessageFrame>();
        Assert.Equal("still fine?", message.Text);
        Assert.Equal(1, message.Seq);
    }

    [Fact]
    public async Task A_burst_of_large_frames_in_one_write_is_handled_completely()
    {
        // Flood control off, as in the benchmarks: every read must be resumed however the frames fall into reads.
        await using var server = await TestServer.StartAsync("--flood-rate", "0");
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("burst");
        var text = new string('b', 3000);
        var burst = string.Concat(Enumerable.Range(0, 300).Select(i => $"{{\"type\":\"say\",\"room\":\"burst\",\"text\":\"{i}{text}\"}}\n"));
        await alice.SendRawAsync(burst);
        for (var i = 0; i < 300; i++)
        {
            var message = await alice.ExpectAsync<MessageFrame>(timeout: TimeSpan.FromSeconds(10));
            Assert.Equal(i + 1, message.Seq);
        }
    }

    [Fact]
    public async Task A_burst_past_the_flood_budget_is_slowed_down_and_nothing_is_lost()
    {
        await using var alice = await TestClient.ConnectAsync(_server, "alice");
        await alice.JoinAsync("paced");
        // The default budget: a burst of 20 frames, then 10 a second. 35 frames in one write take about 1.5 s.
        var burst = string.Concat(Enumerable.Range(1, 35).Select(i => $"{{\"type\":\"say\",\"room\":\"paced\",\"text\":\"{i}\"}}\n"));
        var started = DateTime.UtcNow;
        await alice.SendRawAsync(burst);
        for (var i = 1; i <= 35; i++)
        {
            var message = await alice.ExpectAsync<MessageFrame>(timeout: TimeSpan.FromSeconds(10));
            Assert.Equal(i.ToString(), message.Text);
        }
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1), "15 frames past the burst need 1.5 s at 10 a second");
    }

    [Fact]
    public async Task A_paced_client_gets_its_whole_flood_budget_however_coarsely_akkas_scheduler_ticks()
    {
        // 50 frames a second, no burst: 20 pauses of 20 ms. Were they Akka timers on a 1 s tick, each would take a
        // whole second or more, and the 21 frames at least 20 s.
        await using var server = await TestServer.StartWithConfigAsync("akka.scheduler.tick-duration = 1s", "--flood-rate", "50", "--flood-burst", "1");
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("paced");
        var burst = string.Concat(Enumerable.Range(1, 21).Select(i => $"{{\"type\":\"say\",\"room\":\"paced\",\"text\":\"{i}\"}}\n"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await alice.SendRawAsync(burst);
        for (var i = 1; i <= 21; i++)
            Assert.Equal(i.ToString(), (await alice.ExpectAsync<MessageFrame>(timeout: TimeSpan.FromSeconds(30))).Text);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"21 frames at 50 a second took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Quit_gets_bye_then_the_server_closes()
    {
        await using var alice = await TestClient.ConnectAsync(_server, "alice");
        await alice.SendAsync(QuitRequest.Instance);
        Assert.Equal([new ByeFrame("quit")], await alice.ReadUntilClosedAsync());
    }

    [Fact]
    public async Task A_typed_session_with_crlf_lines_works()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", _server.TcpEndpoint.Port);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"hello\",\"name\":\"telnet\"}\r\n{\"type\":\"ping\"}\r\n"));
        var text = await ReadAtLeastLinesAsync(socket, 2);
        Assert.StartsWith("{\"type\":\"welcome\",\"name\":\"telnet\"", text);
        Assert.EndsWith("{\"type\":\"pong\"}\n", text);
    }

    private static async Task<string> ReadAtLeastLinesAsync(Socket socket, int lines)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (text.ToString().Count(c => c == '\n') < lines)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (read == 0) break;
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return text.ToString();
    }
}
