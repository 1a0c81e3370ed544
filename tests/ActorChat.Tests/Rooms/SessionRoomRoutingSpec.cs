using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using ActorChat.Server.Users;
using Akka.Actor;
using Akka.TestKit;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Tests.Rooms;

/// <summary>How a session reaches a room it is in: through the directory until the room hands over its own actor.</summary>
public class SessionRoomRoutingSpec : Akka.TestKit.Xunit2.TestKit
{
    private sealed class WatchingTransport(IActorRef self) : ISessionTransport
    {
        public IActorRef Self { get; } = self;
        public List<ServerFrame> Sent { get; } = [];
        public List<IActorRef> Watched { get; } = [];
        public void Send(ServerFrame frame) => Sent.Add(frame);
        public void CloseAfterFlush(ServerFrame finalFrame) { }
        public void Watch(IActorRef actor) => Watched.Add(actor);
        public void Unwatch(IActorRef actor) => Watched.Remove(actor);
    }

    private readonly TestProbe _directory;
    private readonly TestProbe _room;
    private readonly WatchingTransport _transport;
    private readonly ChatSession _session;

    public SessionRoomRoutingSpec()
    {
        _directory = CreateTestProbe("rooms");
        _room = CreateTestProbe("general");
        _transport = new WatchingTransport(TestActor);
        var settings = new SessionSettings(65536, 1 << 20, MaxRoomsPerSession: 10, TimeSpan.FromSeconds(1));
        _session = new ChatSession(new SessionServices("TestServer", _directory, CreateTestProbe("users"), settings), _transport);
        _session.Receive(new HelloRequest("alice"));
        _session.Handle(new UserRegistry.Registered("alice"));
    }

    /// <summary>
    /// A frame from the client, answered at once: these specs are about which way commands go, so nothing here
    /// waits for an answer (ChatSessionSpec specifies the order).
    /// </summary>
    private void Receive(string json)
    {
        _session.Receive(FrameCodec.DecodeClientFrame(Encoding.UTF8.GetBytes(json)));
        _session.Answered(_session.Unanswered);
    }

    private long Joined()
    {
        Receive("""{"type":"join","room":"general"}""");
        return _directory.ExpectMsg<Join>().Ticket;
    }

    [Fact]
    public void After_the_room_hands_over_its_actor_the_session_talks_to_it_directly_and_watches_it()
    {
        var ticket = Joined();
        Assert.True(_session.Handle(new RoomAttached("general", _room, ticket)));
        Assert.Equal([_room.Ref], _transport.Watched);

        Receive("""{"type":"say","room":"general","text":"hi"}""");
        Receive("""{"type":"who","room":"General"}""");
        Receive("""{"type":"history","room":"general"}""");
        _room.ExpectMsg<Post>(p => p.Text == "hi");
        _room.ExpectMsg<GetMembers>();
        _room.ExpectMsg<GetHistory>();
        Receive("""{"type":"rooms"}""");
        Receive("""{"type":"who","room":"random"}""");
        _directory.ExpectMsg<ListRooms>();
        _directory.ExpectMsg<GetMembers>(g => g.Room == "random");
        _directory.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void What_was_sent_through_the_directory_after_the_join_keeps_it_on_that_path_until_an_attach_behind_it_returns()
    {
        var ticket = Joined();
        Receive("""{"type":"say","room":"general","text":"on its way"}""");
        _directory.ExpectMsg<Post>();

        // The say may still be on its way through the directory: talking directly now could overtake it.
        _session.Handle(new RoomAttached("general", _room, ticket));
        var attach = _directory.ExpectMsg<Attach>();
        Assert.Empty(_transport.Watched);
        Receive("""{"type":"say","room":"general","text":"still through the directory"}""");
        _directory.ExpectMsg<Post>();

        _session.Handle(new RoomAttached("general", _room, attach.Ticket));
        var again = _directory.ExpectMsg<Attach>();
        _session.Handle(new RoomAttached("general", _room, again.Ticket));
        Assert.Equal([_room.Ref], _transport.Watched);
        Receive("""{"type":"say","room":"general","text":"direct"}""");
        _room.ExpectMsg<Post>(p => p.Text == "direct");
    }

    [Fact]
    public void When_the_room_stops_the_session_goes_back_to_the_directory_and_asks_to_be_attached_again()
    {
        _session.Handle(new RoomAttached("general", _room, Joined()));
        Assert.True(_session.Handle(new Terminated(_room, existenceConfirmed: true, addressTerminated: false)));
        var attach = _directory.ExpectMsg<Attach>();
        Assert.Equal("general", attach.Room);

        Receive("""{"type":"say","room":"general","text":"meanwhile"}""");
        _directory.ExpectMsg<Post>();
        _room.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_room_that_came_back_without_its_members_puts_the_session_out_of_it_with_room_failed_naming_the_room()
    {
        _session.Handle(new RoomAttached("general", _room, Joined()));
        _session.Handle(new Terminated(_room, existenceConfirmed: true, addressTerminated: true));
        var attach = _directory.ExpectMsg<Attach>();

        Assert.True(_session.Handle(new NotAMember("general", "general", attach.Ticket)));

        var error = Assert.IsType<ErrorFrame>(_transport.Sent.Last());
        Assert.Equal((ErrorCodes.RoomFailed, "general"), (error.Code, error.Room));
        Receive("""{"type":"say","room":"general","text":"still there?"}""");
        Assert.Equal(ErrorCodes.NotInRoom, Assert.IsType<ErrorFrame>(_transport.Sent.Last()).Code);
        _directory.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Receive("""{"type":"join","room":"general"}""");
        _directory.ExpectMsg<Join>(); // and joining again goes to the room as for any join
    }

    [Fact]
    public void A_not_a_member_answer_to_an_older_attach_is_ignored_when_a_join_was_sent_after_it()
    {
        _session.Handle(new RoomAttached("general", _room, Joined()));
        _session.Handle(new Terminated(_room, existenceConfirmed: true, addressTerminated: true));
        var attach = _directory.ExpectMsg<Attach>();
        Receive("""{"type":"join","room":"general"}""");
        _directory.ExpectMsg<Join>();
        var sentBefore = _transport.Sent.Count;

        _session.Handle(new NotAMember("general", "general", attach.Ticket));

        Assert.Equal(sentBefore, _transport.Sent.Count);
        Receive("""{"type":"say","room":"general","text":"still in"}""");
        _directory.ExpectMsg<Post>(p => p.Text == "still in");
    }

    [Fact]
    public void Leaving_a_room_goes_to_the_room_and_stops_watching_it()
    {
        _session.Handle(new RoomAttached("general", _room, Joined()));
        Receive("""{"type":"leave","room":"general"}""");
        _room.ExpectMsg<Leave>();
        Assert.Empty(_transport.Watched);

        // An answer that comes after the leave does not attach the session again.
        _session.Handle(new RoomAttached("general", _room, 1));
        Assert.Empty(_transport.Watched);
        Receive("""{"type":"join","room":"general"}""");
        _directory.ExpectMsg<Join>();
    }

    [Fact]
    public void A_terminated_actor_that_is_not_a_room_of_the_session_is_not_handled()
    {
        Assert.False(_session.Handle(new Terminated(CreateTestProbe().Ref, existenceConfirmed: true, addressTerminated: false)));
    }

    [Fact]
    public void Questions_about_rooms_the_session_is_not_in_still_let_it_attach_to_the_room_it_joins()
    {
        Receive("""{"type":"who","room":"random"}""");
        Receive("""{"type":"stats","room":"general"}""");
        _directory.ExpectMsg<GetMembers>();
        _directory.ExpectMsg<GetStats>();
        var ticket = Joined();
        _session.Handle(new RoomAttached("general", _room, ticket));
        Assert.Equal([_room.Ref], _transport.Watched);
    }
}
