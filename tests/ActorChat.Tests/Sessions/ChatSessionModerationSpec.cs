using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using ActorChat.Tests.Support;
using Akka.Actor;
using Akka.TestKit;

namespace ActorChat.Tests.Sessions;

/// <summary>The session's side of rooms that belong to someone: it checks fields and passes commands on to the room.</summary>
public class ChatSessionModerationSpec : Akka.TestKit.Xunit2.TestKit
{
    private sealed class RecordingTransport(IActorRef self) : ISessionTransport
    {
        public List<ServerFrame> Sent { get; } = [];
        public IActorRef Self { get; } = self;
        public void Send(ServerFrame frame) => Sent.Add(frame);
        public void CloseAfterFlush(ServerFrame finalFrame) { }
        public void Watch(IActorRef actor) { }
        public void Unwatch(IActorRef actor) { }
        public void InputReady() { }
    }

    private readonly TestProbe _rooms;
    private readonly RecordingTransport _transport;
    private readonly ChatSession _session;

    public ChatSessionModerationSpec()
    {
        _rooms = CreateTestProbe();
        _transport = new RecordingTransport(TestActor);
        var settings = new SessionSettings(65536, 1 << 20, MaxRoomsPerSession: 3, TimeSpan.FromSeconds(1));
        _session = new ChatSession(new SessionServices("TestServer", _rooms, CreateTestProbe(), settings), _transport);
        _session.Receive(FrameCodec.DecodeClientFrame("""{"type":"hello","name":"alice"}"""u8));
        _session.Handle(new Server.Users.UserRegistry.Registered("alice"));
    }

    private void Receive(string json) => _session.Receive(FrameCodec.DecodeClientFrame(Encoding.UTF8.GetBytes(json)));

    private ErrorFrame LastError() => Assert.IsType<ErrorFrame>(_transport.Sent[^1]);

    [Fact]
    public void A_join_carries_its_password_and_whether_the_user_is_signed_in()
    {
        Receive("""{"type":"join","room":"den","password":"sesame"}""");
        var join = _rooms.ExpectMsg<RoomProtocol.Join>();
        Assert.Equal(("sesame", false), (join.Password, join.Registered));
        _session.Handle(new RoomProtocol.JoinRefused("den", new ErrorFrame(ErrorCodes.BadPassword, "no")));

        _session.MarkRegistered();
        Receive("""{"type":"join","room":"den"}""");
        Assert.True(_rooms.ExpectMsg<RoomProtocol.Join>().Registered);
    }

    [Fact]
    public void A_kicked_session_is_out_of_the_room_and_its_client_is_told()
    {
        Receive("""{"type":"join","room":"lounge"}""");
        _rooms.ExpectMsg<RoomProtocol.Join>();
        _session.Answered(1);
        var kicked = new KickedFrame("lounge", "alice", "bob", "enough");
        Assert.True(_session.Handle(new RoomProtocol.Kicked("lounge", kicked)));
        Assert.Equal(kicked, _transport.Sent[^1]);
        Assert.Empty(_session.Rooms);
        Receive("""{"type":"say","room":"lounge","text":"hi"}""");
        Assert.Equal(ErrorCodes.NotInRoom, LastError().Code);
    }

    [Theory]
    [InlineData("""{"type":"role","room":"r","user":"bob","role":"king"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"kick","room":"r","user":"no body"}""", ErrorCodes.InvalidName)]
    [InlineData("""{"type":"room_ban","room":"r","user":"bob","reason":"\u001b[2J"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"mode","room":"r","private":true,"password":""}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"mode","room":"r"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"topic","room":"bad room","topic":"x"}""", ErrorCodes.InvalidRoom)]
    [InlineData("""{"type":"delete","room":"r","id":""}""", ErrorCodes.NoSuchMessage)]
    public void Moderation_frames_with_bad_fields_are_answered_by_the_session(string json, string code)
    {
        Receive(json.Replace("\"type\":", "\"ref\":\"x\",\"type\":"));
        Assert.Equal((code, "x"), (LastError().Code, LastError().Ref));
        _rooms.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_topic_is_at_most_three_hundred_characters_and_an_empty_one_clears_it()
    {
        Receive($$"""{"type":"topic","room":"r","topic":"{{new string('x', 301)}}"}""");
        Assert.Equal(ErrorCodes.MessageTooLong, LastError().Code);
        Receive("""{"type":"topic","room":"r","topic":""}""");
        Assert.Equal("", _rooms.ExpectMsg<RoomProtocol.SetTopic>().Topic);
    }

    [Fact]
    public void Moderation_frames_go_to_the_room_with_their_ref()
    {
        Receive("""{"type":"kick","room":"r","user":"bob","reason":"","ref":"k"}""");
        var kick = _rooms.ExpectMsg<RoomProtocol.Kick>();
        Assert.Equal(("bob", null, "k"), (kick.User, kick.Reason, kick.Ref));
    }
}
