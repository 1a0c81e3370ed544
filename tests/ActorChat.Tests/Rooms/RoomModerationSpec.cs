using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Status;
using ActorChat.Tests.Support;
using Akka.Actor;
using Akka.TestKit;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Tests.Rooms;

/// <summary>Rooms that belong to someone, through the room directory: "alice" signs in and creates each room, so she owns it.</summary>
public class RoomModerationSpec() : Akka.TestKit.Xunit2.TestKit(PersistenceSpecConfig.Hocon)
{
    private static readonly RoomSettings Settings = new(HistorySize: 10);
    private readonly DeliveredFrames _delivered = new();
    private IActorRef _directory = ActorRefs.Nobody;

    private TestProbe CreateMember()
    {
        var probe = CreateTestProbe();
        probe.IgnoreMessages<RoomAttached>();
        return probe;
    }

    private T Expect<T>(TestProbe member) where T : ServerFrame => _delivered.Expect<T>(member);

    private IActorRef StartDirectory(RoomSettings? settings = null) =>
        _directory = Sys.ActorOf(LocalRoomDirectory.Props(settings ?? Settings, new ChatStatistics()));

    /// <summary>The whole room directory stops and a new one starts on the same journal, as after a server restart.</summary>
    private void RestartDirectory(RoomSettings? settings = null)
    {
        Watch(_directory);
        Sys.Stop(_directory);
        ExpectTerminated(_directory);
        StartDirectory(settings);
    }

    private JoinedFrame Join(TestProbe member, string room, string user, bool registered = false, string? password = null)
    {
        _directory.Tell(new Join(room, user, member, Registered: registered, Password: password));
        return Expect<JoinedFrame>(member);
    }

    private ErrorFrame Refused(TestProbe member, string room, string user, bool registered = false, string? password = null)
    {
        _directory.Tell(new Join(room, user, member, Registered: registered, Password: password));
        return member.ExpectMsg<JoinRefused>().Error;
    }

    /// <summary>Alice, signed in, creates the room and owns it.</summary>
    private TestProbe OwnerCreates(string room)
    {
        StartDirectory();
        var alice = CreateMember();
        Join(alice, room, "alice", registered: true);
        return alice;
    }

    /// <summary>
    /// Waits until the directory has passed on what the rooms told it and the catalog has handed it to the journal: a
    /// round trip to each, in that order (a restart right after a change could otherwise come before it is written).
    /// </summary>
    private void CatalogHasCaughtUp() // for the room "den"
    {
        var probe = CreateTestProbe();
        _directory.Tell(new ListRooms(probe));
        probe.ExpectMsg<Server.Sessions.Deliver>();
        var catalog = Sys.ActorSelection(_directory.Path / "~catalog").ResolveOne(TimeSpan.FromSeconds(3)).Result;
        catalog.Tell(new RoomCatalog.Register("den", "den"), probe); // a known room: answered at once, nothing stored
        probe.ExpectMsg<RoomCatalog.Registered>();
    }

    private MessageFrame Say(TestProbe member, string room, string user, string text)
    {
        _directory.Tell(new Post(room, user, text, member));
        return Expect<MessageFrame>(member);
    }

    [Fact]
    public void The_owner_sets_the_topic_every_member_sees_it_joined_shows_it_and_it_survives_a_restart()
    {
        var alice = OwnerCreates("lounge");
        var bob = CreateMember();
        Join(bob, "lounge", "bob");
        Expect<PresenceFrame>(alice);

        _directory.Tell(new SetTopic("lounge", "Tea at five", alice, "t1"));
        Assert.Equal(new TopicFrame("lounge", "Tea at five", "alice") { Ref = "t1" }, Expect<TopicFrame>(alice));
        Assert.Equal(new TopicFrame("lounge", "Tea at five", "alice"), Expect<TopicFrame>(bob));

        RestartDirectory();
        var carol = CreateMember();
        Assert.Equal("Tea at five", Join(carol, "lounge", "carol").Topic);
    }

    [Fact]
    public void A_member_who_is_neither_owner_nor_moderator_may_not_set_the_topic()
    {
        var alice = OwnerCreates("lounge");
        var bob = CreateMember();
        Join(bob, "lounge", "bob", registered: true);
        _directory.Tell(new SetTopic("lounge", "mine now", bob, "t"));
        var error = Expect<ErrorFrame>(bob);
        Assert.Equal((ErrorCodes.NotPermitted, "t"), (error.Code, error.Ref));
        Assert.Null(Join(CreateMember(), "lounge", "carol").Topic);
    }

    [Fact]
    public void A_guest_who_creates_a_room_does_not_own_it()
    {
        StartDirectory();
        var guest = CreateMember();
        Join(guest, "open", "alice", registered: false);
        _directory.Tell(new SetTopic("open", "mine", guest));
        Assert.Equal(ErrorCodes.NotPermitted, Expect<ErrorFrame>(guest).Code);
    }

    [Fact]
    public void An_owner_names_a_moderator_who_may_then_set_the_topic_but_not_kick_the_owner()
    {
        var alice = OwnerCreates("lounge");
        var bob = CreateMember();
        Join(bob, "lounge", "bob", registered: true);
        Expect<PresenceFrame>(alice);

        _directory.Tell(new SetRole("lounge", "bob", "moderator", alice, "r"));
        Assert.Equal(new RoleFrame("lounge", "bob", "moderator", "alice") { Ref = "r" }, Expect<RoleFrame>(alice));
        Assert.Equal(new RoleFrame("lounge", "bob", "moderator", "alice"), Expect<RoleFrame>(bob));
        _directory.Tell(new SetTopic("lounge", "by bob", bob));
        Assert.Equal("bob", Expect<TopicFrame>(bob).By);
        Expect<TopicFrame>(alice);
        _directory.Tell(new Kick("lounge", "alice", null, bob));
        Assert.Equal(ErrorCodes.NotPermitted, Expect<ErrorFrame>(bob).Code);
        _directory.Tell(new SetRole("lounge", "carol", "owner", bob));
        Assert.Equal(ErrorCodes.NotPermitted, Expect<ErrorFrame>(bob).Code);
    }

    [Fact]
    public void A_private_room_is_listed_only_to_its_members_and_refuses_strangers_without_invitation_or_password()
    {
        var alice = OwnerCreates("den");
        _directory.Tell(new Join("hall", "alice", alice, Registered: true));
        Expect<JoinedFrame>(alice);
        _directory.Tell(new SetMode("den", true, "sesame", alice, "m"));
        Assert.Equal(new ModeFrame("den", true, true, "alice") { Ref = "m" }, Expect<ModeFrame>(alice));

        var stranger = CreateMember();
        _directory.Tell(new ListRooms(stranger, User: "eve"));
        Assert.Equal(["hall"], Expect<RoomListFrame>(stranger).Rooms.Select(r => r.Name));
        _directory.Tell(new ListRooms(alice, User: "alice"));
        Assert.Equal(["den", "hall"], Expect<RoomListFrame>(alice).Rooms.Select(r => r.Name));

        Assert.Equal(ErrorCodes.InviteOnly, Refused(stranger, "den", "eve").Code);
        Assert.Equal(ErrorCodes.BadPassword, Refused(stranger, "den", "eve", password: "open up").Code);
        _directory.Tell(new GetMembers("den", stranger));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(stranger).Code);
    }

    [Fact]
    public void A_private_room_lets_in_whoever_has_its_password_or_an_invitation()
    {
        var alice = OwnerCreates("den");
        _directory.Tell(new SetMode("den", true, "sesame", alice));
        Expect<ModeFrame>(alice);

        var bob = CreateMember();
        Assert.Equal(["alice", "bob"], Join(bob, "den", "bob", password: "sesame").Members);
        Expect<PresenceFrame>(alice);

        _directory.Tell(new Invite("den", "carol", alice, "i"));
        Assert.Equal(new InvitedFrame("den", "carol", "alice") { Ref = "i" }, Expect<InvitedFrame>(alice));
        var carol = CreateMember();
        Assert.Equal(["alice", "bob", "carol"], Join(carol, "den", "carol").Members);
        _directory.Tell(new ListRooms(carol, User: "carol"));
        Assert.Equal(["den"], Expect<RoomListFrame>(carol).Rooms.Select(r => r.Name));
    }

    [Fact]
    public void The_status_page_lists_only_public_rooms()
    {
        var alice = OwnerCreates("den");
        _directory.Tell(new Join("hall", "alice", alice, Registered: true));
        Expect<JoinedFrame>(alice);
        _directory.Tell(new SetMode("den", true, null, alice));
        Expect<ModeFrame>(alice);
        _directory.Tell(GetRoomSummaries.Instance);
        Assert.Equal(["hall"], ExpectMsg<RoomSummaries>().Rooms.Select(r => r.Name));
    }

    [Fact]
    public void A_private_room_stays_unlisted_to_strangers_after_a_restart()
    {
        var alice = OwnerCreates("den");
        _directory.Tell(new SetMode("den", true, null, alice));
        Expect<ModeFrame>(alice);
        CatalogHasCaughtUp();
        RestartDirectory();
        var stranger = CreateMember();
        _directory.Tell(new ListRooms(stranger, User: "eve"));
        Assert.Empty(Expect<RoomListFrame>(stranger).Rooms);
        Assert.Equal(ErrorCodes.InviteOnly, Refused(stranger, "den", "eve").Code);
    }

    [Fact]
    public void A_kicked_member_is_told_why_the_others_see_them_leave_and_they_may_join_again()
    {
        var alice = OwnerCreates("lounge");
        var bob = CreateMember();
        Join(bob, "lounge", "bob");
        Expect<PresenceFrame>(alice);

        _directory.Tell(new Kick("lounge", "BOB", "calm down", alice, "k"));
        Assert.Equal(new Kicked("lounge", new KickedFrame("lounge", "bob", "alice", "calm down")), bob.ExpectMsg<Kicked>());
        Assert.Equal(new PresenceFrame("lounge", "bob", PresenceFrame.Leave), Expect<PresenceFrame>(alice));
        Assert.Equal(new KickedFrame("lounge", "bob", "alice", "calm down") { Ref = "k" }, Expect<KickedFrame>(alice));
        _directory.Tell(new Post("lounge", "bob", "still here?", bob));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(bob).Code);

        Assert.Equal(["alice", "bob"], Join(bob, "lounge", "bob").Members);
        Assert.Equal(PresenceFrame.Join, Expect<PresenceFrame>(alice).Event);
        _directory.Tell(new Kick("lounge", "nobody", null, alice));
        Assert.Equal(ErrorCodes.NoSuchUser, Expect<ErrorFrame>(alice).Code);
    }

    [Fact]
    public void A_room_ban_puts_the_member_out_at_once_refuses_their_joins_with_the_reason_and_survives_a_restart()
    {
        var alice = OwnerCreates("lounge");
        var bob = CreateMember();
        Join(bob, "lounge", "bob");
        Expect<PresenceFrame>(alice);

        _directory.Tell(new BanFromRoom("lounge", "bob", "spam", alice, "b"));
        Assert.Equal("spam", bob.ExpectMsg<Kicked>().Frame.Reason);
        Assert.Equal(PresenceFrame.Leave, Expect<PresenceFrame>(alice).Event);
        Assert.Equal(new RoomBannedFrame("lounge", "bob", "alice", "spam") { Ref = "b" }, Expect<RoomBannedFrame>(alice));
        var banned = Refused(bob, "lounge", "bob");
        Assert.Equal(ErrorCodes.Banned, banned.Code);
        Assert.Contains("spam", banned.Message);

        RestartDirectory();
        Assert.Equal(ErrorCodes.Banned, Refused(bob, "lounge", "Bob").Code);
        Join(alice, "lounge", "alice", registered: true);
        _directory.Tell(new UnbanFromRoom("lounge", "bob", alice, "u"));
        Assert.Equal(new RoomUnbannedFrame("lounge", "bob", "alice") { Ref = "u" }, Expect<RoomUnbannedFrame>(alice));
        Assert.Equal(["alice", "bob"], Join(bob, "lounge", "bob").Members);
    }

    [Fact]
    public void A_deleted_message_is_a_tombstone_for_everyone_in_joined_and_history_and_after_a_restart()
    {
        var alice = OwnerCreates("lounge");
        var bob = CreateMember();
        Join(bob, "lounge", "bob");
        Expect<PresenceFrame>(alice);
        var first = Say(bob, "lounge", "bob", "oops");
        Expect<MessageFrame>(alice);
        Say(alice, "lounge", "alice", "fine");
        Expect<MessageFrame>(bob);

        _directory.Tell(new DeleteMessage("lounge", first.Id, alice, "d"));
        Assert.Equal(new DeletedFrame("lounge", first.Id, 1, "alice") { Ref = "d" }, Expect<DeletedFrame>(alice));
        Assert.Equal(new DeletedFrame("lounge", first.Id, 1, "alice"), Expect<DeletedFrame>(bob));
        var tombstone = first with { Text = "", Deleted = true };

        _directory.Tell(new GetHistory("lounge", null, 10, bob));
        Assert.Equal(tombstone, Expect<HistoryFrame>(bob).Messages[0]);
        RestartDirectory();
        var joined = Join(CreateMember(), "lounge", "carol");
        Assert.Equal(2, joined.History.Count);
        Assert.Equal(tombstone, joined.History[0]);
        Assert.Equal("fine", joined.History[1].Text);
    }

    [Fact]
    public void A_tombstone_older_than_the_recent_messages_comes_from_the_journal_with_its_seq()
    {
        var small = new RoomSettings(HistorySize: 2);
        StartDirectory(small);
        var alice = CreateMember();
        Join(alice, "lounge", "alice", registered: true);
        var first = Say(alice, "lounge", "alice", "one");
        _directory.Tell(new DeleteMessage("lounge", first.Id, alice));
        Expect<DeletedFrame>(alice);
        Say(alice, "lounge", "alice", "two");
        Say(alice, "lounge", "alice", "three");

        _directory.Tell(new GetHistory("lounge", 2, 10, alice));
        var history = Expect<HistoryFrame>(alice);
        Assert.Equal([(1L, "", (bool?)true)], history.Messages.Select(m => (m.Seq, m.Text, m.Deleted)));
    }

    [Fact]
    public void A_sender_may_delete_their_own_message_but_not_someone_else_s()
    {
        var alice = OwnerCreates("lounge");
        var bob = CreateMember();
        Join(bob, "lounge", "bob");
        Expect<PresenceFrame>(alice);
        var hers = Say(alice, "lounge", "alice", "hers");
        Assert.Equal("hers", Expect<MessageFrame>(bob).Text);
        var his = Say(bob, "lounge", "bob", "his");
        Assert.Equal("his", Expect<MessageFrame>(alice).Text);

        _directory.Tell(new DeleteMessage("lounge", hers.Id, bob));
        Assert.Equal(ErrorCodes.NotPermitted, Expect<ErrorFrame>(bob).Code);
        _directory.Tell(new DeleteMessage("lounge", his.Id, bob));
        Assert.Equal(his.Id, Expect<DeletedFrame>(bob).Id);
        Assert.Equal(his.Id, Expect<DeletedFrame>(alice).Id);
        _directory.Tell(new DeleteMessage("lounge", his.Id, bob));
        Assert.Equal(ErrorCodes.NoSuchMessage, Expect<ErrorFrame>(bob).Code);
        _directory.Tell(new DeleteMessage("lounge", "no-such-id", alice));
        Assert.Equal(ErrorCodes.NoSuchMessage, Expect<ErrorFrame>(alice).Code);
    }

    [Fact]
    public void Who_stats_and_history_answer_members_only()
    {
        var alice = OwnerCreates("lounge");
        var outsider = CreateMember();
        _directory.Tell(new GetMembers("lounge", outsider));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(outsider).Code);
        _directory.Tell(new GetStats("lounge", outsider));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(outsider).Code);
        _directory.Tell(new GetHistory("lounge", null, 10, outsider));
        Assert.Equal(ErrorCodes.NotInRoom, Expect<ErrorFrame>(outsider).Code);
        _directory.Tell(new GetMembers("lounge", alice));
        Assert.Equal(["alice"], Expect<MembersFrame>(alice).Members);
    }

    [Fact]
    public void Moderation_takes_no_seq_from_the_messages()
    {
        var alice = OwnerCreates("lounge");
        Assert.Equal(1, Say(alice, "lounge", "alice", "one").Seq);
        _directory.Tell(new SetTopic("lounge", "seqs", alice));
        Expect<TopicFrame>(alice);
        _directory.Tell(new BanFromRoom("lounge", "eve", null, alice));
        Expect<RoomBannedFrame>(alice);
        Assert.Equal(2, Say(alice, "lounge", "alice", "two").Seq);
        RestartDirectory();
        Join(alice, "lounge", "alice", registered: true);
        Assert.Equal(3, Say(alice, "lounge", "alice", "three").Seq);
    }
}
