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
        public int InputReadyCalls { get; private set; }
        public void InputReady() => InputReadyCalls++;

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

    /// <summary>Joins <paramref name="room"/> and has the room answer.</summary>
    private void JoinRoom(string room)
    {
        Receive($$"""{"type":"join","room":"{{room}}"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>(j => j.Room == room);
        _session.Answered(1);
    }

    [Fact]
    public void Hello_with_a_free_name_is_welcomed()
    {
        Identify("alice");
        Assert.Equal(new WelcomeFrame("alice", "TestServer", 1, "general"), _transport.Last<WelcomeFrame>());
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
        JoinRoom("general");
        Receive("""{"type":"say","room":"GENERAL","text":"hi 😀"}""");
        _rooms.ExpectMsg<RoomProtocol.Post>(p => p.Text == "hi 😀" && p.User == "alice");
    }

    [Theory]
    [InlineData("", ErrorCodes.EmptyMessage)]
    [InlineData("   ", ErrorCodes.EmptyMessage)]
    public void Blank_text_is_empty_message(string text, string code)
    {
        Identify();
        JoinRoom("general");
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
        JoinRoom("general");
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
        JoinRoom("general");
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
        JoinRoom("general");
        Receive("""{"type":"say","room":"general","text":"one\n\ttwo"}""");
        _rooms.ExpectMsg<RoomProtocol.Post>(p => p.Text == "one\n\ttwo");
    }

    [Fact]
    public void Text_of_4000_characters_passes_and_4001_is_too_long()
    {
        Identify();
        JoinRoom("general");
        var emoji4000 = string.Concat(Enumerable.Repeat("😀", 4000));
        _session.Receive(new SayRequest("general", emoji4000));
        _rooms.ExpectMsg<RoomProtocol.Post>();
        _session.Answered(1);
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
        JoinRoom("general");
        Receive("""{"type":"leave","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Leave>(l => l.Room == "general");
    }

    [Fact]
    public void A_session_may_be_in_a_bounded_number_of_rooms()
    {
        Identify();
        foreach (var room in new[] { "a", "b", "c" }) JoinRoom(room);
        _session.Receive(new JoinRequest("d"));
        Assert.Equal(ErrorCodes.TooManyRooms, ErrorCode());
        JoinRoom("a"); // a room one is in already can be joined again
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
        _session.Answered(1);
        Receive("""{"type":"who","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.GetMembers>(g => g.Room == "general");
        _session.Answered(1);
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
        JoinRoom("general");
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
        JoinRoom("general");
        Receive("""{"type":"history","room":"General","before":40}""");
        var get = _rooms.ExpectMsg<RoomProtocol.GetHistory>();
        Assert.Equal((40L, Protocol.DefaultHistoryPage), (get.Before!.Value, get.Limit));
    }

    [Fact]
    public void A_join_the_directory_refused_is_passed_on_and_does_not_count_as_a_room_joined()
    {
        Identify();
        JoinRoom("one");
        JoinRoom("two");
        Receive("""{"type":"join","room":"Three","ref":"j3"}""");
        Assert.Equal("j3", _rooms.ExpectMsg<RoomProtocol.Join>().Ref);
        var refusal = new ErrorFrame(ErrorCodes.TooManyRooms, "The server has 3 rooms, the most it may have; join one of them.") { Ref = "j3" };
        Assert.True(_session.Handle(new RoomProtocol.JoinRefused("Three", refusal)));
        Assert.Equal(refusal, _transport.Last<ErrorFrame>());
        Assert.Equal(["one", "two"], _session.Rooms);

        Receive("""{"type":"join","room":"four"}""");
        Assert.Equal("four", _rooms.ExpectMsg<RoomProtocol.Join>().Room);
    }

    // Order: each frame takes effect, and is answered, after the frames before it.

    [Fact]
    public void A_frame_behind_an_unanswered_one_waits_and_the_transport_reads_nothing_more_until_the_answer()
    {
        Identify();
        JoinRoom("general");
        Receive("""{"type":"say","room":"general","text":"hi"}""");
        _rooms.ExpectMsg<RoomProtocol.Post>();
        Receive("""{"type":"stats","room":"general"}""");
        Assert.False(_session.ReadyForInput);
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // the stats must count the message, so they wait for it

        _session.Answered(1); // the sender's own copy of its message
        _rooms.ExpectMsg<RoomProtocol.GetStats>();
        Assert.True(_session.ReadyForInput);
        Assert.Equal(1, _transport.InputReadyCalls);
    }

    [Fact]
    public void Says_to_one_room_go_on_while_earlier_ones_are_unanswered_but_a_say_to_another_room_waits()
    {
        Identify();
        JoinRoom("a");
        JoinRoom("b");
        for (var i = 1; i <= 3; i++) Receive($$"""{"type":"say","room":"a","text":"{{i}}"}""");
        Assert.Equal(["1", "2", "3"], _rooms.ReceiveN(3).Cast<RoomProtocol.Post>().Select(p => p.Text));
        Assert.True(_session.ReadyForInput);

        Receive("""{"type":"say","room":"b","text":"elsewhere"}""");
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _session.Answered(2);
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        _session.Answered(1);
        Assert.Equal("b", _rooms.ExpectMsg<RoomProtocol.Post>().Room);
    }

    [Fact]
    public void A_bad_say_behind_unanswered_ones_gets_its_error_only_after_their_answers()
    {
        Identify();
        JoinRoom("general");
        Receive("""{"type":"say","room":"general","text":"fine"}""");
        _rooms.ExpectMsg<RoomProtocol.Post>();
        Receive("""{"type":"say","room":"general","text":"   ","ref":"blank"}""");
        Assert.DoesNotContain(_transport.Sent, f => f is ErrorFrame);
        _session.Answered(1);
        Assert.Equal(new ErrorFrame(ErrorCodes.EmptyMessage, "A message needs some visible text.") { Ref = "blank" }, _transport.Last<ErrorFrame>());
    }

    [Fact]
    public void Quit_behind_a_say_says_bye_only_once_the_say_is_answered()
    {
        Identify();
        JoinRoom("general");
        Receive("""{"type":"say","room":"general","text":"last words"}""");
        _rooms.ExpectMsg<RoomProtocol.Post>();
        Receive("""{"type":"quit","ref":"q"}""");
        Assert.Null(_transport.ClosedWith);
        _session.Answered(1);
        Assert.Equal(new ByeFrame(ByeFrame.ClientQuit) { Ref = "q" }, _transport.ClosedWith);
    }

    [Fact]
    public void A_ping_behind_an_unanswered_join_is_answered_after_it()
    {
        Identify();
        Receive("""{"type":"join","room":"general"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        var before = _transport.Sent.Count;
        Receive("""{"type":"ping","ref":"p1"}""");
        Assert.Equal(before, _transport.Sent.Count);
        _session.Answered(1);
        Assert.Equal(new PongFrame { Ref = "p1" }, _transport.Sent[^1]);
    }

    // Correlation: refs go with every command and come back on the answers the session makes.

    [Fact]
    public void The_ref_of_each_frame_goes_with_its_command_to_the_room_or_registry()
    {
        Receive("""{"type":"hello","name":"alice","ref":"h"}""");
        _users.ExpectMsg<UserRegistry.Register>();
        _session.Handle(new UserRegistry.Registered("alice"));
        Assert.Equal("h", _transport.Last<WelcomeFrame>().Ref);

        Receive("""{"type":"join","room":"general","ref":"j"}""");
        Assert.Equal("j", _rooms.ExpectMsg<RoomProtocol.Join>().Ref);
        _session.Answered(1);
        Receive("""{"type":"say","room":"general","text":"hi","ref":"s"}""");
        Assert.Equal("s", _rooms.ExpectMsg<RoomProtocol.Post>().Ref);
        _session.Answered(1);
        Receive("""{"type":"stats","room":"general","ref":"st"}""");
        Assert.Equal("st", _rooms.ExpectMsg<RoomProtocol.GetStats>().Ref);
        _session.Answered(1);
        Receive("""{"type":"who","room":"general","ref":"w"}""");
        Assert.Equal("w", _rooms.ExpectMsg<RoomProtocol.GetMembers>().Ref);
        _session.Answered(1);
        Receive("""{"type":"history","room":"general","ref":"hi"}""");
        Assert.Equal("hi", _rooms.ExpectMsg<RoomProtocol.GetHistory>().Ref);
        _session.Answered(1);
        Receive("""{"type":"rooms","ref":"r"}""");
        Assert.Equal("r", _rooms.ExpectMsg<RoomProtocol.ListRooms>().Ref);
        _session.Answered(1);
        Receive("""{"type":"dm","to":"bob","text":"psst","ref":"d"}""");
        Assert.Equal("d", _users.ExpectMsg<UserRegistry.SendDirect>().Ref);
        _session.Answered(1);
        Receive("""{"type":"leave","room":"general","ref":"l"}""");
        Assert.Equal("l", _rooms.ExpectMsg<RoomProtocol.Leave>().Ref);
    }

    [Fact]
    public void Errors_the_session_finds_itself_carry_the_ref_of_their_frame()
    {
        Receive("""{"type":"join","room":"general","ref":"early"}""");
        Assert.Equal(("not_identified", "early"), (ErrorCode(), _transport.Last<ErrorFrame>().Ref));
        Receive("""{"type":"hello","name":"no body","ref":"bad-name"}""");
        Assert.Equal(("invalid_name", "bad-name"), (ErrorCode(), _transport.Last<ErrorFrame>().Ref));
        Identify();
        Receive("""{"type":"say","room":"general","text":"hi","ref":"outside"}""");
        Assert.Equal(("not_in_room", "outside"), (ErrorCode(), _transport.Last<ErrorFrame>().Ref));
        Receive("""{"type":"teleport","ref":"t"}""");
        Assert.Equal(("unknown_type", "t"), (ErrorCode(), _transport.Last<ErrorFrame>().Ref));
    }

    [Fact]
    public void A_name_taken_answer_carries_the_ref_of_the_hello()
    {
        Receive("""{"type":"hello","name":"bob","ref":"h1"}""");
        _users.ExpectMsg<UserRegistry.Register>();
        _session.Handle(new UserRegistry.NameTaken("bob"));
        Assert.Equal(("name_taken", "h1"), (ErrorCode(), _transport.Last<ErrorFrame>().Ref));
    }

    [Fact]
    public void An_answer_that_never_comes_is_reported_unavailable_after_the_answer_timeout_and_the_session_goes_on()
    {
        Identify();
        JoinRoom("general");
        Receive("""{"type":"stats","room":"general","ref":"lost"}""");
        _rooms.ExpectMsg<RoomProtocol.GetStats>();
        Receive("""{"type":"ping","ref":"after"}""");
        var timeout = TimeSpan.FromSeconds(30).Ticks;
        _session.OnTick(1_000);
        _session.OnTick(1_000 + timeout - 1);
        Assert.False(_session.ReadyForInput);
        _session.OnTick(1_000 + timeout);
        Assert.Equal(new ErrorFrame(ErrorCodes.Unavailable, "No answer came in time; it may or may not have taken effect.") { Ref = "lost" }, _transport.Sent[^2]);
        Assert.Equal(new PongFrame { Ref = "after" }, _transport.Sent[^1]);
        Assert.True(_session.ReadyForInput);
    }

    // A room that fails tells its members, who can join again.

    [Fact]
    public void A_lost_room_is_reported_by_name_its_unanswered_frames_fail_and_it_can_be_joined_again()
    {
        Identify();
        JoinRoom("general");
        Receive("""{"type":"say","room":"general","text":"hi","ref":"s1"}""");
        _rooms.ExpectMsg<RoomProtocol.Post>();

        Assert.True(_session.Handle(new RoomProtocol.RoomLost("general", "General")));
        Assert.Equal(new ErrorFrame(ErrorCodes.Unavailable, "Room 'General' failed before it answered; join it again.") { Ref = "s1" }, _transport.Sent[^2]);
        var lost = _transport.Last<ErrorFrame>();
        Assert.Equal((ErrorCodes.RoomFailed, "General"), (lost.Code, lost.Room));
        Assert.Contains("'General'", lost.Message);
        Assert.Empty(_session.Rooms);

        JoinRoom("general");
        Assert.Equal(["general"], _session.Rooms);
    }
}
