using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using ActorChat.Server.Users;
using Akka.Actor;
using Akka.TestKit;

namespace ActorChat.Tests.Sessions;

public class ChatSessionSpec : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>Stands in for a transport: records what the session sends and whether it asked to close.</summary>
    private sealed class RecordingTransport(IActorRef self) : ISessionTransport
    {
        public IActorRef Self { get; } = self;
        public List<ServerFrame> Sent { get; } = [];
        public ServerFrame? ClosedWith { get; private set; }
        public void Send(ServerFrame frame) => Sent.Add(frame);
        public void CloseAfterFlush(ServerFrame finalFrame) => ClosedWith = finalFrame;
        public void Watch(IActorRef actor) { }
        public void Unwatch(IActorRef actor) { }

        public T Last<T>() where T : ServerFrame => Assert.IsType<T>(Sent[^1]);
    }

    private readonly TestProbe _rooms;
    private readonly TestProbe _users;
    private readonly RecordingTransport _transport;
    private readonly ChatSession _session;

    public ChatSessionSpec()
    {
        _rooms = CreateTestProbe("rooms");
        _users = CreateTestProbe("users");
        _transport = new RecordingTransport(TestActor);
        var settings = new SessionSettings(65536, 1 << 20, MaxRoomsPerSession: 3, TimeSpan.FromSeconds(1));
        _session = new ChatSession(new SessionServices("TestServer", _rooms, _users, settings), _transport);
    }

    private void Receive(string json) => _session.Receive(FrameCodec.DecodeClientFrame(Encoding.UTF8.GetBytes(json)));

    private void Identify(string name = "alice")
    {
        Receive($$"""{"type":"hello","name":"{{name}}"}""");
        _users.ExpectMsg<UserRegistry.Register>(r => r.Name == name && r.Session.Equals(TestActor));
        Assert.True(_session.Handle(new UserRegistry.Registered(name)));
    }

    private string ErrorCode() => _transport.Last<ErrorFrame>().Code;

    [Fact]
    public void Hello_with_a_free_name_is_welcomed()
    {
        Identify("alice");
        Assert.Equal(new WelcomeFrame("alice", "TestServer", 1), _transport.Last<WelcomeFrame>());
        Assert.Equal("alice", _session.UserName);
    }

    [Fact]
    public void Hello_with_a_taken_name_gets_name_taken_and_may_try_again()
    {
        Receive("""{"type":"hello","name":"bob"}""");
        _users.ExpectMsg<UserRegistry.Register>();
        _session.Handle(new UserRegistry.NameTaken("bob"));
        Assert.Equal(ErrorCodes.NameTaken, ErrorCode());
        Assert.Null(_session.UserName);

        Identify("bob2");
        Assert.Equal("bob2", _session.UserName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void Hello_with_an_invalid_name_gets_invalid_name(string name)
    {
        Receive($$"""{"type":"hello","name":"{{name}}"}""");
        Assert.Equal(ErrorCodes.InvalidName, ErrorCode());
        _users.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_second_hello_is_refused()
    {
        Identify("alice");
        Receive("""{"type":"hello","name":"other"}""");
        Assert.Equal(ErrorCodes.AlreadyIdentified, ErrorCode());
    }

    [Theory]
    [InlineData("""{"type":"join","room":"general"}""")]
    [InlineData("""{"type":"say","room":"general","text":"hi"}""")]
    [InlineData("""{"type":"leave","room":"general"}""")]
    [InlineData("""{"type":"dm","to":"bob","text":"hi"}""")]
    [InlineData("""{"type":"rooms"}""")]
    [InlineData("""{"type":"who","room":"general"}""")]
    [InlineData("""{"type":"stats","room":"general"}""")]
    public void Before_hello_every_command_gets_not_identified(string json)
    {
        Receive(json);
        Assert.Equal(ErrorCodes.NotIdentified, ErrorCode());
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Ping_is_answered_before_and_after_hello()
    {
        Receive("""{"type":"ping"}""");
        Assert.IsType<PongFrame>(_transport.Sent[^1]);
        Identify();
        Receive("""{"type":"ping"}""");
        Assert.IsType<PongFrame>(_transport.Sent[^1]);
    }

    [Fact]
    public void Frames_sent_right_behind_hello_wait_for_its_answer()
    {
        Receive("""{"type":"hello","name":"alice"}""");
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _users.ExpectMsg<UserRegistry.Register>();
        _session.Handle(new UserRegistry.Registered("alice"));
        _rooms.ExpectMsg<RoomProtocol.Join>(j => j.Room == "general" && j.User == "alice");
    }

    [Fact]
    public void Join_goes_to_the_room_directory()
    {
        Identify();
        Receive("""{"type":"join","room":"General"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>(j => j.Room == "General" && j.User == "alice" && j.Member.Equals(TestActor));
    }

    [Theory]
    [InlineData("""{"type":"join","room":"has space"}""")]
    [InlineData("""{"type":"who","room":""}""")]
    [InlineData("""{"type":"stats","room":"#x"}""")]
    [InlineData("""{"type":"say","room":"bad/room","text":"x"}""")]
    public void Invalid_room_names_get_invalid_room(string json)
    {
        Identify();
        Receive(json);
        Assert.Equal(ErrorCodes.InvalidRoom, ErrorCode());
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Saying_something_in_a_room_one_has_not_joined_is_not_in_room()
    {
        Identify();
        Receive("""{"type":"say","room":"general","text":"hi"}""");
        Assert.Equal(ErrorCodes.NotInRoom, ErrorCode());
    }

    [Fact]
    public void Say_after_join_is_posted_to_the_room()
    {
        Identify();
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        Receive("""{"type":"say","room":"GENERAL","text":"hi 😀"}""");
        _rooms.ExpectMsg<RoomProtocol.Post>(p => p.Text == "hi 😀" && p.User == "alice");
    }

    [Theory]
    [InlineData("", ErrorCodes.EmptyMessage)]
    [InlineData("   ", ErrorCodes.EmptyMessage)]
    public void Blank_text_is_empty_message(string text, string code)
    {
        Identify();
        Receive("""{"type":"join","room":"general"}""");
        Receive($$"""{"type":"say","room":"general","text":"{{text}}"}""");
        Assert.Equal(code, ErrorCode());
    }

    [Theory]
    [InlineData(@"\u200B")]
    [InlineData(@"\u3164")]
    [InlineData(@" \u2800 \n\t")]
    [InlineData(@"\u202E\u200D")]
    public void Text_with_no_visible_character_is_empty_message_in_rooms_and_direct_messages(string escapedText)
    {
        Identify();
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        Receive($$"""{"type":"say","room":"general","text":"{{escapedText}}"}""");
        Assert.Equal(ErrorCodes.EmptyMessage, ErrorCode());
        Receive($$"""{"type":"dm","to":"bob","text":"{{escapedText}}"}""");
        Assert.Equal(ErrorCodes.EmptyMessage, ErrorCode());
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        _users.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Theory]
    [InlineData(@"a\u0000b", "U+0000")]
    [InlineData(@"\u001b[2Jgone", "U+001B")]
    [InlineData(@"over\rwrite", "U+000D")]
    [InlineData("\u0085", "U+0085")]
    public void Control_characters_in_text_are_bad_request_naming_the_character_in_rooms_and_direct_messages(
        string escapedText, string named)
    {
        Identify();
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        Receive($$"""{"type":"say","room":"general","text":"{{escapedText}}"}""");
        Assert.Equal(ErrorCodes.BadRequest, ErrorCode());
        Assert.Contains(named, _transport.Last<ErrorFrame>().Message);
        Receive($$"""{"type":"dm","to":"bob","text":"{{escapedText}}"}""");
        Assert.Equal(ErrorCodes.BadRequest, ErrorCode());
        Assert.Contains(named, _transport.Last<ErrorFrame>().Message);
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        _users.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Text_with_line_feeds_and_tabs_is_posted()
    {
        Identify();
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        Receive("""{"type":"say","room":"general","text":"one\n\ttwo"}""");
        _rooms.ExpectMsg<RoomProtocol.Post>(p => p.Text == "one\n\ttwo");
    }

    [Fact]
    public void Text_of_4000_characters_passes_and_4001_is_too_long()
    {
        Identify();
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        var emoji4000 = string.Concat(Enumerable.Repeat("😀", 4000));
        _session.Receive(new SayRequest("general", emoji4000));
        _rooms.ExpectMsg<RoomProtocol.Post>();
        _session.Receive(new SayRequest("general", emoji4000 + "x"));
        Assert.Equal(ErrorCodes.MessageTooLong, ErrorCode());
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Leave_of_a_joined_room_goes_to_the_room_and_otherwise_is_not_in_room()
    {
        Identify();
        Receive("""{"type":"leave","room":"general"}""");
        Assert.Equal(ErrorCodes.NotInRoom, ErrorCode());
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        Receive("""{"type":"leave","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Leave>(l => l.Room == "general");
    }

    [Fact]
    public void A_session_may_be_in_a_bounded_number_of_rooms()
    {
        Identify();
        foreach (var room in new[] { "a", "b", "c" }) _session.Receive(new JoinRequest(room));
        _session.Receive(new JoinRequest("d"));
        Assert.Equal(ErrorCodes.TooManyRooms, ErrorCode());
        _session.Receive(new JoinRequest("a")); // a room one is in already can be joined again
        Assert.Equal(3, _session.Rooms.Count);
    }

    [Fact]
    public void Direct_messages_go_to_the_user_registry()
    {
        Identify();
        Receive("""{"type":"dm","to":"bob","text":"psst"}""");
        _users.ExpectMsg<UserRegistry.SendDirect>(d => d.From == "alice" && d.To == "bob" && d.Text == "psst");
    }

    [Fact]
    public void Direct_message_to_an_impossible_name_is_no_such_user()
    {
        Identify();
        Receive("""{"type":"dm","to":"no body","text":"psst"}""");
        Assert.Equal(ErrorCodes.NoSuchUser, ErrorCode());
    }

    [Fact]
    public void Rooms_who_and_stats_are_asked_of_the_directory()
    {
        Identify();
        Receive("""{"type":"rooms"}""");
        _rooms.ExpectMsg<RoomProtocol.ListRooms>();
        Receive("""{"type":"who","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.GetMembers>(g => g.Room == "general");
        Receive("""{"type":"stats","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.GetStats>(g => g.Room == "general");
    }

    [Fact]
    public void Quit_closes_after_a_bye()
    {
        Identify();
        Receive("""{"type":"quit"}""");
        Assert.Equal(new ByeFrame("quit"), _transport.ClosedWith);
    }

    [Fact]
    public void A_bad_frame_gets_an_error_and_the_session_keeps_working()
    {
        Identify();
        Receive("{nope");
        Assert.Equal(ErrorCodes.BadJson, ErrorCode());
        Receive("""{"type":"ping"}""");
        Assert.IsType<PongFrame>(_transport.Sent[^1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(201)]
    public void A_history_limit_out_of_range_is_a_bad_request(int limit)
    {
        Identify();
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        Receive($$"""{"type":"history","room":"general","limit":{{limit}}}""");
        Assert.Equal(ErrorCodes.BadRequest, ErrorCode());
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void History_is_for_members_only()
    {
        Identify();
        Receive("""{"type":"history","room":"general"}""");
        Assert.Equal(ErrorCodes.NotInRoom, ErrorCode());
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_member_asking_for_history_reaches_the_room_with_the_default_page()
    {
        Identify();
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        Receive("""{"type":"history","room":"General","before":40}""");
        var get = _rooms.ExpectMsg<RoomProtocol.GetHistory>();
        Assert.Equal((40L, Protocol.DefaultHistoryPage), (get.Before!.Value, get.Limit));
    }

    [Fact]
    public void A_join_the_directory_refused_is_passed_on_and_does_not_count_as_a_room_joined()
    {
        Identify();
        foreach (var room in new[] { "one", "two", "three" })
        {
            Receive($$"""{"type":"join","room":"{{room}}"}""");
            _rooms.ExpectMsg<RoomProtocol.Join>();
        }
        var refusal = new ErrorFrame(ErrorCodes.TooManyRooms, "The server has 3 rooms, the most it may have; join one of them.");
        Assert.True(_session.Handle(new RoomProtocol.JoinRefused("Three", refusal)));
        Assert.Equal(refusal, _transport.Last<ErrorFrame>());
        Assert.Equal(["one", "two"], _session.Rooms);

        Receive("""{"type":"join","room":"four"}""");
        Assert.Equal("four", _rooms.ExpectMsg<RoomProtocol.Join>().Room);
    }
}
