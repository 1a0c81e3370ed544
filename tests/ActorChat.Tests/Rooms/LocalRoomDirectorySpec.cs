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

public class LocalRoomDirectorySpec() : Akka.TestKit.Xunit2.TestKit(PersistenceSpecConfig.Hocon)
{
    private readonly DeliveredFrames _delivered = new();

    /// <summary>A member probe; the room's own actor, which a room hands each joiner, is not what these specs look at.</summary>
    private TestProbe CreateMember(string? name = null)
    {
        var probe = name is null ? CreateTestProbe() : CreateTestProbe(name);
        probe.IgnoreMessages<RoomAttached>();
        return probe;
    }

    private T Expect<T>(TestProbe member) where T : ServerFrame => _delivered.Expect<T>(member);

    [Fact]
    public void Room_names_are_case_insensitive_and_keep_the_first_spelling()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10), new ChatStatistics()));
        var alice = CreateMember();
        var bob = CreateMember();
        directory.Tell(new Join("General", "alice", alice));
        Assert.Equal("General", Expect<JoinedFrame>(alice).Room);
        directory.Tell(new Join("GENERAL", "bob", bob));
        Assert.Equal(["alice", "bob"], Expect<JoinedFrame>(bob).Members);
        Assert.Equal("bob", Expect<PresenceFrame>(alice).User);
    }

    [Theory]
    [InlineData("catalog")]
    [InlineData("system")]
    [InlineData("user")]
    [InlineData("deadLetters")]
    [InlineData("temp")]
    [InlineData("remote")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("-")]
    public void A_room_may_have_the_name_of_anything_internal(string name)
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10), new ChatStatistics()));
        var alice = CreateMember();
        directory.Tell(new Join(name, "alice", alice, Ref: "j"));
        var joined = Expect<JoinedFrame>(alice);
        Assert.Equal((name, "j"), (joined.Room, joined.Ref));
        Assert.Equal(["alice"], joined.Members);
        directory.Tell(new Post(name, "alice", "hi", alice, "s"));
        var message = Expect<MessageFrame>(alice);
        Assert.Equal(("hi", "s"), (message.Text, message.Ref));
    }

    [Fact]
    public void A_room_that_fails_tells_its_members_by_name_and_can_be_joined_again()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10), new ChatStatistics()));
        var alice = CreateMember();
        var bob = CreateMember();
        directory.Tell(new Join("Fragile", "alice", alice));
        Expect<JoinedFrame>(alice);
        directory.Tell(new Join("fragile", "bob", bob));
        Expect<JoinedFrame>(bob);
        Expect<PresenceFrame>(alice);

        // A command without a member to answer: the room's own code throws on it, as a fault would.
        EventFilter.Exception<NullReferenceException>().ExpectOne(() => directory.Tell(new GetStats("fragile", null!)));
        Assert.Equal(new RoomLost("fragile", "Fragile"), alice.FishForMessage(m => m is RoomLost));
        Assert.Equal(new RoomLost("fragile", "Fragile"), bob.FishForMessage(m => m is RoomLost));

        directory.Tell(new Join("fragile", "alice", alice));
        Assert.Equal(["alice"], Expect<JoinedFrame>(alice).Members);
    }

    [Fact]
    public void Rooms_are_listed_with_their_member_counts()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10), new ChatStatistics()));
        var alice = CreateMember();
        directory.Tell(new Join("general", "alice", alice));
        directory.Tell(new Join("random", "alice", alice));
        Expect<JoinedFrame>(alice);
        Expect<JoinedFrame>(alice);

        AwaitAssert(() =>
        {
            directory.Tell(new ListRooms(alice));
            var list = Expect<RoomListFrame>(alice);
            Assert.Equal([new RoomSummary("general", 1), new RoomSummary("random", 1)], list.Rooms);
        });
    }

    [Fact]
    public void A_room_nobody_joined_answers_only_not_in_room_and_is_not_listed()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10), new ChatStatistics()));
        var alice = CreateMember();
        directory.Tell(new GetMembers("empty", alice));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(alice).Code);
        directory.Tell(new GetStats("empty", alice));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(alice).Code);
        directory.Tell(new Post("empty", "alice", "hi", alice));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(alice).Code);
        directory.Tell(new ListRooms(alice));
        Assert.Empty(Expect<RoomListFrame>(alice).Rooms);
    }

    [Fact]
    public void A_connection_may_create_only_so_many_rooms_a_minute_but_may_still_join_rooms_that_exist()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10, CreationsPerMinute: 2), new ChatStatistics()));
        var alice = CreateMember();
        var bob = CreateMember();
        directory.Tell(new Join("one", "alice", alice));
        directory.Tell(new Join("two", "alice", alice));
        Expect<JoinedFrame>(alice);
        Expect<JoinedFrame>(alice);

        directory.Tell(new Join("three", "alice", alice));
        var refused = alice.ExpectMsg<JoinRefused>();
        Assert.Equal(("three", ErrorCodes.TooManyRooms), (refused.Room, refused.Error.Code));
        Assert.Contains("within the last minute", refused.Error.Message);

        directory.Tell(new Join("three", "bob", bob));
        Assert.Equal("three", Expect<JoinedFrame>(bob).Room);
        directory.Tell(new Join("three", "alice", alice));
        Assert.Equal(["bob", "alice"], Expect<JoinedFrame>(alice).Members);
    }

    [Fact]
    public void The_server_refuses_new_rooms_past_its_maximum_and_still_lets_people_join_the_others()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10, MaxRooms: 2), new ChatStatistics()));
        var alice = CreateMember();
        var bob = CreateMember();
        directory.Tell(new Join("one", "alice", alice));
        directory.Tell(new Join("two", "alice", alice));
        Expect<JoinedFrame>(alice);
        Expect<JoinedFrame>(alice);

        directory.Tell(new Join("three", "bob", bob));
        var refused = bob.ExpectMsg<JoinRefused>();
        Assert.Equal(ErrorCodes.TooManyRooms, refused.Error.Code);
        Assert.Contains("the most it may have", refused.Error.Message);
        directory.Tell(new Join("TWO", "bob", bob));
        Assert.Equal("two", Expect<JoinedFrame>(bob).Room);

        directory.Tell(new ListRooms(bob));
        Assert.Equal(["one", "two"], Expect<RoomListFrame>(bob).Rooms.Select(r => r.Name));
    }

    [Fact]
    public void The_rooms_list_comes_in_pages_of_two_hundred_that_together_list_every_room_once()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10, CreationsPerMinute: 1000), new ChatStatistics()));
        var alice = CreateMember();
        var names = Enumerable.Range(0, 401).Select(i => $"Room{i:D3}").ToList();
        foreach (var name in names) directory.Tell(new Join(name, "alice", alice));
        foreach (var _ in names) Expect<JoinedFrame>(alice);

        var listed = new List<RoomSummary>();
        string? cursor = null;
        var pages = 0;
        do
        {
            directory.Tell(new ListRooms(alice, cursor));
            var page = Expect<RoomListFrame>(alice);
            Assert.True(page.Rooms.Count <= Protocol.RoomsPerPage);
            listed.AddRange(page.Rooms);
            cursor = page.Next;
        } while (cursor is not null && ++pages < 10);
        Assert.Equal(names, listed.Select(r => r.Name));
    }

    private static readonly RoomSettings QuicklyPassivated = new RoomSettings(10) { PassivateAfter = TimeSpan.FromMilliseconds(300) };

    private async Task<IActorRef> RoomActorOf(IActorRef directory, string key) =>
        await Sys.ActorSelection(directory.Path / key).ResolveOne(TimeSpan.FromSeconds(3));

    [Fact]
    public async Task An_empty_idle_room_is_stopped_stays_listed_and_comes_back_with_its_history_when_asked_for()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(QuicklyPassivated, new ChatStatistics()));
        var alice = CreateMember();
        directory.Tell(new Join("General", "alice", alice));
        Expect<JoinedFrame>(alice);
        directory.Tell(new Post("general", "alice", "hello", alice));
        Expect<MessageFrame>(alice);
        var room = await RoomActorOf(directory, "general");
        Watch(room);
        directory.Tell(new Leave("general", "alice", alice));
        Expect<LeftFrame>(alice);

        ExpectTerminated(room, TimeSpan.FromSeconds(5));
        directory.Tell(new ListRooms(alice));
        Assert.Equal([new RoomSummary("General", 0)], Expect<RoomListFrame>(alice).Rooms);

        var bob = CreateMember();
        directory.Tell(new Join("general", "bob", bob));
        var joined = Expect<JoinedFrame>(bob);
        Assert.Equal("General", joined.Room);
        Assert.Equal(["hello"], joined.History.Select(m => m.Text));
        directory.Tell(new Post("general", "bob", "again", bob));
        Assert.Equal(2, Expect<MessageFrame>(bob).Seq);
    }

    [Fact]
    public async Task A_room_with_members_is_not_stopped_however_quiet_it_is()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(QuicklyPassivated, new ChatStatistics()));
        var alice = CreateMember();
        directory.Tell(new Join("general", "alice", alice));
        Expect<JoinedFrame>(alice);
        var room = await RoomActorOf(directory, "general");
        Watch(room);
        ExpectNoMsg(TimeSpan.FromMilliseconds(1200));

        directory.Tell(new GetMembers("general", alice));
        Assert.Equal(["alice"], Expect<MembersFrame>(alice).Members);
    }

    [Fact]
    public async Task Commands_sent_while_a_room_stops_are_answered_by_its_next_incarnation()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10), new ChatStatistics()));
        var alice = CreateMember();
        directory.Tell(new Join("general", "alice", alice));
        Expect<JoinedFrame>(alice);
        directory.Tell(new Leave("general", "alice", alice));
        Expect<LeftFrame>(alice);
        var room = await RoomActorOf(directory, "general");
        Watch(room);

        // As the room itself says once it has been idle long enough; the questions right behind it must not be lost.
        directory.Tell(new RoomIdle("general"), room);
        for (var i = 0; i < 3; i++) directory.Tell(new GetMembers("general", alice));
        ExpectTerminated(room);
        // Alice left, so she is told she is not in the room: by the room's next incarnation, not by silence.
        for (var i = 0; i < 3; i++) Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(alice).Code);
    }

    [Fact]
    public async Task A_room_that_is_busy_again_when_told_to_stop_keeps_running()
    {
        var directory = Sys.ActorOf(LocalRoomDirectory.Props(new RoomSettings(10), new ChatStatistics()));
        var alice = CreateMember();
        directory.Tell(new Join("general", "alice", alice));
        Expect<JoinedFrame>(alice);
        var room = await RoomActorOf(directory, "general");
        Watch(room);

        directory.Tell(new RoomIdle("general"), room);
        directory.Tell(new GetMembers("general", alice));
        Assert.Equal(["alice"], Expect<MembersFrame>(alice).Members);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
