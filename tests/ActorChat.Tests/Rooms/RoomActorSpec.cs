using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using ActorChat.Server.Status;
using ActorChat.Tests.Support;
using Akka.Actor;
using Akka.TestKit;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Tests.Rooms;

public class RoomActorSpec() : Akka.TestKit.Xunit2.TestKit(PersistenceSpecConfig.Hocon)
{
    private IActorRef NewRoom(int historySize = 100) => NewRoom(new RoomSettings(historySize));

    private IActorRef NewRoom(RoomSettings settings) => Sys.ActorOf(RoomActor.Props("general", settings, new ChatStatistics()));

    private List<MessageFrame> Say(IActorRef room, TestProbe member, string user, int count)
    {
        for (var i = 0; i < count; i++) room.Tell(new Post("general", user, $"m{i}", member));
        return Enumerable.Range(0, count).Select(_ => Expect<MessageFrame>(member)).ToList();
    }

    private void Stop(IActorRef room)
    {
        Watch(room);
        Sys.Stop(room);
        ExpectTerminated(room);
    }

    private readonly DeliveredFrames _delivered = new();

    /// <summary>A member probe; the room's own actor, which a room hands each joiner, is not what these specs look at.</summary>
    private TestProbe CreateMember(string? name = null)
    {
        var probe = name is null ? CreateTestProbe() : CreateTestProbe(name);
        probe.IgnoreMessages<RoomAttached>();
        return probe;
    }

    private T Expect<T>(TestProbe member) where T : ServerFrame => _delivered.Expect<T>(member);

    private TestProbe Joined(IActorRef room, string user, params TestProbe[] others)
    {
        var member = CreateMember(user);
        room.Tell(new Join("general", user, member));
        Expect<JoinedFrame>(member);
        foreach (var other in others) Assert.Equal(user, Expect<PresenceFrame>(other).User);
        return member;
    }

    [Fact]
    public void Joiner_gets_the_members_and_others_get_presence()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        var bob = CreateMember();
        room.Tell(new Join("general", "bob", bob));

        var joined = Expect<JoinedFrame>(bob);
        Assert.Equal(["alice", "bob"], joined.Members);
        Assert.Empty(joined.History);
        Assert.Equal(new PresenceFrame("general", "bob", "join"), Expect<PresenceFrame>(alice));
    }

    [Fact]
    public void Joining_twice_is_harmless()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        var bob = Joined(room, "bob", alice);
        room.Tell(new Join("general", "bob", bob));
        Assert.Equal(["alice", "bob"], Expect<JoinedFrame>(bob).Members);
        alice.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_message_goes_to_every_member_as_the_same_bytes_with_increasing_seq()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        var bob = Joined(room, "bob", alice);

        room.Tell(new Post("general", "alice", "hi", alice));
        room.Tell(new Post("general", "bob", "hello", bob));

        var toAlice = alice.ExpectMsg<Deliver>();
        var toBob = bob.ExpectMsg<Deliver>();
        Assert.Same(toAlice.Line, toBob.Line); // encoded once, shared by every member
        _delivered.Add(alice, toAlice);
        _delivered.Add(bob, toBob);
        var first = Expect<MessageFrame>(alice);
        Assert.Equal(("alice", "hi", 1L), (first.Sender, first.Text, first.Seq));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", first.Timestamp);
        Assert.Equal(first, Expect<MessageFrame>(bob));

        var second = Expect<MessageFrame>(alice);
        Assert.Equal(2L, second.Seq);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(second, Expect<MessageFrame>(bob));
    }

    [Fact]
    public void A_non_member_cannot_post()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        var stranger = CreateMember();
        room.Tell(new Post("general", "mallory", "spam", stranger));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(stranger).Code);
        alice.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Newcomers_get_the_last_messages_oldest_first()
    {
        var room = NewRoom(historySize: 3);
        var alice = Joined(room, "alice");
        for (var i = 1; i <= 5; i++) room.Tell(new Post("general", "alice", $"m{i}", alice));
        for (var i = 1; i <= 5; i++) Expect<MessageFrame>(alice);

        var bob = CreateMember();
        room.Tell(new Join("general", "bob", bob));
        var joined = Expect<JoinedFrame>(bob);
        Assert.Equal(["m3", "m4", "m5"], joined.History.Select(m => m.Text));
        Assert.Equal([3L, 4L, 5L], joined.History.Select(m => m.Seq));
    }

    private static RoomSettings PresenceSpacedBy(TimeSpan perMember, TimeSpan max) =>
        new(100) { PresenceSpacingPerMember = perMember, PresenceSpacingMax = max };

    private static IReadOnlyList<ServerFrame> LinesOf(Deliver deliver) => Frames.DecodeLines(deliver.Line);

    [Fact]
    public void Joins_in_quick_succession_reach_members_as_one_batch_after_the_first_which_goes_out_at_once()
    {
        var room = NewRoom(PresenceSpacedBy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        var alice = Joined(room, "alice");
        var bob = Joined(room, "bob", alice); // after a quiet spell the first change is not held back

        // Each joins after the one before has its answer: without spacing, each would be a batch of its own.
        var later = new[] { "carol", "dave", "erin" }.Select(name =>
        {
            var probe = CreateMember(name);
            room.Tell(new Join("general", name, probe));
            Expect<JoinedFrame>(probe);
            return probe;
        }).ToList();

        var expected = new[] { "carol", "dave", "erin" }.Select(name => (ServerFrame)new PresenceFrame("general", name, "join"));
        Assert.Equal(expected, LinesOf(alice.ExpectMsg<Deliver>(TimeSpan.FromSeconds(3))));
        alice.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        // Each sees only those who came after it, in the order they came.
        Assert.Equal(expected, LinesOf(bob.ExpectMsg<Deliver>(TimeSpan.FromSeconds(3))));
        Assert.Equal("erin", Expect<PresenceFrame>(later[1]).User);
        later[2].ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_message_does_not_wait_for_presence_and_comes_after_the_presence_staged_before_it()
    {
        // Spaced so far apart that only the message can be what sends the waiting presence out.
        var room = NewRoom(PresenceSpacedBy(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60)));
        var alice = Joined(room, "alice");
        var bob = Joined(room, "bob", alice);
        var carol = CreateMember("carol");
        room.Tell(new Join("general", "carol", carol));
        Expect<JoinedFrame>(carol);
        alice.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        room.Tell(new Post("general", "bob", "hi carol", bob));
        var lines = LinesOf(alice.ExpectMsg<Deliver>(TimeSpan.FromSeconds(3)));
        Assert.Equal("carol", Assert.IsType<PresenceFrame>(lines[0]).User);
        Assert.Equal("hi carol", Assert.IsType<MessageFrame>(lines[1]).Text);
        Assert.Equal(2, lines.Count);
    }

    [Fact]
    public void Leaves_during_a_burst_are_batched_too_and_keep_their_order_with_joins()
    {
        var room = NewRoom(PresenceSpacedBy(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)));
        var alice = Joined(room, "alice");
        var bob = Joined(room, "bob", alice);
        var carol = CreateMember("carol");
        room.Tell(new Join("general", "carol", carol));
        room.Tell(new Leave("general", "bob", bob));
        Expect<JoinedFrame>(carol);

        // bob's join went out at once; carol's join waits, and bob's leave (a command that answers its sender) takes it along.
        var lines = LinesOf(alice.ExpectMsg<Deliver>(TimeSpan.FromSeconds(3)));
        Assert.Equal([new PresenceFrame("general", "carol", "join")], lines);
        Assert.Equal([new PresenceFrame("general", "bob", "leave")], LinesOf(alice.ExpectMsg<Deliver>(TimeSpan.FromSeconds(3))));
    }

    [Fact]
    public void A_member_churning_joins_and_leaves_cannot_reorder_or_lose_presence_and_a_message_after_it_is_not_held_back()
    {
        // Spaced far apart: nothing but the churner's own commands and the message can send the waiting lines out.
        var room = NewRoom(PresenceSpacedBy(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60)));
        var alice = Joined(room, "alice");
        var mallory = CreateMember("mallory");
        const int cycles = 300;
        for (var i = 0; i < cycles; i++)
        {
            room.Tell(new Join("general", "mallory", mallory));
            room.Tell(new Leave("general", "mallory", mallory));
        }
        room.Tell(new Post("general", "alice", "still here", alice));

        var seen = new List<ServerFrame>();
        var deliveries = 0;
        while (seen.LastOrDefault() is not MessageFrame && deliveries < 4 * cycles)
        {
            seen.AddRange(LinesOf(alice.ExpectMsg<Deliver>(TimeSpan.FromSeconds(3))));
            deliveries++;
        }
        var expected = Enumerable.Range(0, cycles)
            .SelectMany(_ => new ServerFrame[] { new PresenceFrame("general", "mallory", "join"), new PresenceFrame("general", "mallory", "leave") });
        Assert.Equal(expected, seen.SkipLast(1));
        Assert.Equal("still here", Assert.IsType<MessageFrame>(seen[^1]).Text);
        // Never more batches than the churner sent commands: spacing adds no writes of its own.
        Assert.InRange(deliveries, 1, 2 * cycles + 1);
    }

    [Fact]
    public void Leaving_tells_the_leaver_and_the_others()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        var bob = Joined(room, "bob", alice);
        room.Tell(new Leave("general", "bob", bob));
        Assert.Equal(new LeftFrame("general"), Expect<LeftFrame>(bob));
        Assert.Equal(new PresenceFrame("general", "bob", "leave"), Expect<PresenceFrame>(alice));

        room.Tell(new Post("general", "bob", "still here?", bob));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(bob).Code);
    }

    [Fact]
    public void Leaving_a_room_one_is_not_in_is_an_error()
    {
        var room = NewRoom();
        var stranger = CreateMember();
        room.Tell(new Leave("general", "x", stranger));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(stranger).Code);
    }

    [Fact]
    public void A_member_whose_session_dies_leaves()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        var bob = Joined(room, "bob", alice);
        bob.Tell(PoisonPill.Instance);
        Assert.Equal(new PresenceFrame("general", "bob", "leave"), Expect<PresenceFrame>(alice));

        room.Tell(new GetMembers("general", alice));
        Assert.Equal(["alice"], Expect<MembersFrame>(alice).Members);
    }

    [Fact]
    public void Stats_count_messages_per_user()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        var bob = Joined(room, "bob", alice);
        room.Tell(new Post("general", "alice", "1", alice));
        room.Tell(new Post("general", "alice", "2", alice));
        room.Tell(new Post("general", "bob", "3", bob));
        for (var i = 0; i < 3; i++) Expect<MessageFrame>(alice);

        room.Tell(new GetStats("general", alice));
        var stats = Expect<StatsFrame>(alice);
        Assert.Equal(2, stats.MessagesPerUser["alice"]);
        Assert.Equal(1, stats.MessagesPerUser["bob"]);
    }

    [Fact]
    public void History_pages_come_from_memory_for_recent_messages_and_from_the_journal_for_older_ones()
    {
        var room = NewRoom(historySize: 5);
        var alice = Joined(room, "alice");
        var said = Say(room, alice, "alice", 12);

        room.Tell(new GetHistory("general", null, 3, alice));
        Assert.Equal(said[9..12], Expect<HistoryFrame>(alice).Messages);
        room.Tell(new GetHistory("general", 4, 3, alice));
        Assert.Equal(said[0..3], Expect<HistoryFrame>(alice).Messages);
        room.Tell(new GetHistory("general", 1, 50, alice));
        Assert.Empty(Expect<HistoryFrame>(alice).Messages);
    }

    [Fact]
    public void History_is_refused_to_someone_who_is_not_a_member()
    {
        var room = NewRoom();
        var stranger = CreateMember();
        room.Tell(new GetHistory("general", null, 10, stranger));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(stranger).Code);
    }

    [Fact]
    public void A_restarted_room_has_the_same_messages_counts_and_continues_the_seq()
    {
        var settings = new RoomSettings(HistorySize: 5, SnapshotEvery: 4);
        var room = NewRoom(settings);
        var alice = Joined(room, "alice");
        var said = Say(room, alice, "alice", 10);
        Stop(room);

        room = NewRoom(settings);
        var bob = CreateMember();
        room.Tell(new Join("general", "bob", bob));
        Assert.Equal(said[5..10], Expect<JoinedFrame>(bob).History);
        room.Tell(new GetHistory("general", 6, 5, bob));
        Assert.Equal(said[0..5], Expect<HistoryFrame>(bob).Messages);
        room.Tell(new Post("general", "bob", "after", bob));
        Assert.Equal(11, Expect<MessageFrame>(bob).Seq);
        room.Tell(new GetStats("general", bob));
        Assert.Equal(new Dictionary<string, long> { ["alice"] = 10, ["bob"] = 1 }, Expect<StatsFrame>(bob).MessagesPerUser);
    }

    [Fact]
    public void Room_events_survive_the_serializer_unchanged()
    {
        var serialization = Sys.Serialization;
        var posted = new MessagePosted(3, "id", "alice", "hi ☕", "2026-01-01T00:00:00.000Z");
        var snapshot = new RoomSnapshot("General", 3, [posted], new Dictionary<string, long> { ["alice"] = 3 });
        foreach (var original in new IRoomEvent[] { posted, new RoomCreated("general", "General") })
        {
            var serializer = serialization.FindSerializerFor(original);
            Assert.IsType<RoomEventSerializer>(serializer);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, original);
            Assert.Equal(original, serialization.Deserialize(serializer.ToBinary(original), serializer.Identifier, manifest));
        }
        var again = Assert.IsType<RoomSnapshot>(serialization.Deserialize(
            serialization.FindSerializerFor(snapshot).ToBinary(snapshot), RoomEventSerializer.SerializerId, "room-snapshot.v1"));
        Assert.Equal((snapshot.Name, snapshot.Seq, posted), (again.Name, again.Seq, Assert.Single(again.Recent)));
        Assert.Equal(3, again.MessagesPerUser["alice"]);
    }

    [Fact]
    public void Stats_count_the_top_hundred_posters_and_every_message_in_the_total()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        // 35 users say 1 message, 35 say 2 and 35 say 3: the top 100 leave out the last five (by name) of those with 1.
        for (var user = 0; user < 105; user++)
        {
            for (var i = 0; i <= user % 3; i++) room.Tell(new Post("general", $"user{user:D3}", "hi", alice));
        }
        var expectedTotal = Enumerable.Range(0, 105).Sum(user => user % 3 + 1);
        for (var i = 0; i < expectedTotal; i++) Expect<MessageFrame>(alice);
        room.Tell(new GetStats("general", alice));
        var stats = Expect<StatsFrame>(alice);
        Assert.Equal(expectedTotal, stats.Total);
        Assert.Equal(Protocol.MaxStatsPosters, stats.MessagesPerUser.Count);
        Assert.Equal(30, stats.MessagesPerUser.Values.Count(count => count == 1));
        Assert.Equal(3, stats.MessagesPerUser["user002"]);
        Assert.Contains("user087", stats.MessagesPerUser.Keys);
        Assert.DoesNotContain("user090", stats.MessagesPerUser.Keys);
    }

    [Fact]
    public void A_joiner_gets_the_room_itself_right_behind_its_joined_frame_with_the_ticket_of_its_join()
    {
        var room = NewRoom();
        var alice = CreateTestProbe();
        room.Tell(new Join("general", "alice", alice, Ticket: 7));
        Assert.IsType<JoinedFrame>(Frames.DecodeLines(alice.ExpectMsg<Deliver>().Line).Single());
        Assert.Equal(new RoomAttached("general", room, 7), alice.ExpectMsg<RoomAttached>());
    }

    [Fact]
    public void The_room_hands_itself_to_members_who_ask_and_tells_anyone_else_who_asks_that_they_are_not_a_member()
    {
        var room = NewRoom();
        var alice = CreateTestProbe();
        room.Tell(new Join("general", "alice", alice));
        alice.ExpectMsg<Deliver>();
        alice.ExpectMsg<RoomAttached>();
        room.Tell(new Attach("general", alice, Ticket: 3));
        Assert.Equal(new RoomAttached("general", room, 3), alice.ExpectMsg<RoomAttached>());

        var stranger = CreateTestProbe();
        room.Tell(new Attach("general", stranger, Ticket: 1));
        Assert.Equal(new NotAMember("general", "general", 1), stranger.ExpectMsg<NotAMember>());
    }

    [Fact]
    public void The_senders_copy_carries_the_ref_of_its_say_and_nobody_elses_does()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        var bob = Joined(room, "bob", alice);
        var carol = Joined(room, "carol", alice, bob);

        room.Tell(new Post("general", "alice", "tagged", alice, "a-1"));
        var toAlice = alice.ExpectMsg<Deliver>();
        var toBob = bob.ExpectMsg<Deliver>();
        var toCarol = carol.ExpectMsg<Deliver>();
        Assert.Equal("a-1", Assert.IsType<MessageFrame>(Frames.DecodeLines(toAlice.Line).Single()).Ref);
        Assert.Null(Assert.IsType<MessageFrame>(Frames.DecodeLines(toBob.Line).Single()).Ref);
        Assert.Same(toBob.Line, toCarol.Line);
        Assert.Equal((1, 0, 0), (toAlice.Answers, toBob.Answers, toCarol.Answers));
    }

    [Fact]
    public void Stats_and_errors_answer_with_the_ref_of_their_command()
    {
        var room = NewRoom();
        var alice = Joined(room, "alice");
        room.Tell(new GetStats("general", alice, "st"));
        var stats = alice.ExpectMsg<Deliver>();
        Assert.Equal((1, "st"), (stats.Answers, Frames.DecodeLines(stats.Line).Single().Ref));

        var stranger = CreateMember();
        room.Tell(new Post("general", "mallory", "hi", stranger, "p"));
        var refused = stranger.ExpectMsg<Deliver>();
        var error = Assert.IsType<ErrorFrame>(Frames.DecodeLines(refused.Line).Single());
        Assert.Equal((ErrorCodes.NotInRoom, "p", 1), (error.Code, error.Ref, refused.Answers));
    }
}
