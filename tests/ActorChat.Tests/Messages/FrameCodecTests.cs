using System.Text;
using ActorChat.Messages;

namespace ActorChat.Tests.Messages;

public class FrameCodecTests
{
    private static DecodeResult<ClientFrame> Decode(string json) => FrameCodec.DecodeClientFrame(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Hello_is_read_with_its_name()
    {
        var result = Decode("""{"type":"hello","name":"alice"}""");
        Assert.Equal(new HelloRequest("alice"), result.Frame);
    }

    [Fact]
    public void Type_may_come_after_the_other_fields_and_unknown_fields_are_ignored()
    {
        var result = Decode("""{"room":"general","extra":{"nested":[1,2]},"text":"hi","type":"say"}""");
        Assert.Equal(new SayRequest("general", "hi"), result.Frame);
    }

    [Theory]
    [InlineData("not json at all", ErrorCodes.BadJson)]
    [InlineData("""{"type":"ping"} trailing""", ErrorCodes.BadJson)]
    [InlineData("[1,2,3]", ErrorCodes.BadJson)]
    [InlineData("\"hello\"", ErrorCodes.BadJson)]
    [InlineData("""{"type":"hello","name":""", ErrorCodes.BadJson)]
    [InlineData("""{"name":"alice"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":7}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"join"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"join","room":42}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"say","room":"general"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"dm","to":"bob","text":["x"]}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"teleport"}""", ErrorCodes.UnknownType)]
    public void Bad_frames_get_the_error_code_that_says_what_is_wrong(string json, string code)
    {
        var result = Decode(json);
        Assert.Null(result.Frame);
        Assert.Equal(code, result.Error!.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    [Fact]
    public void Invalid_utf8_is_bad_json()
    {
        var result = FrameCodec.DecodeClientFrame([(byte)'{', 0xC3, 0x28, (byte)'}']);
        Assert.Equal(ErrorCodes.BadJson, result.Error!.Code);
        Assert.Contains("UTF-8", result.Error.Message);
    }

    [Fact]
    public void A_missing_field_is_named_in_the_error()
    {
        var result = Decode("""{"type":"say","text":"hi"}""");
        Assert.Equal(ErrorCodes.BadRequest, result.Error!.Code);
        Assert.Contains("'room'", result.Error.Message);
    }

    [Fact]
    public void Server_frames_are_one_json_line_with_the_type_first()
    {
        var line = FrameCodec.EncodeLine(new MessageFrame("id1", "general", "alice", "hi 👋", "2026-11-24T10:00:00.123Z", 3));
        var text = Encoding.UTF8.GetString(line);
        Assert.EndsWith("\n", text);
        Assert.Equal(1, text.Count(c => c == '\n'));
        Assert.StartsWith("""{"type":"message","id":"id1","room":"general","sender":"alice",""", text);
        Assert.Contains("\"seq\":3", text);
        Assert.Contains("\"timestamp\":\"2026-11-24T10:00:00.123Z\"", text);
    }

    [Fact]
    public void Every_server_frame_survives_a_round_trip()
    {
        ServerFrame[] frames =
        [
            new WelcomeFrame("alice", "ActorChat", 1),
            new JoinedFrame("general", ["alice", "bob"], [new MessageFrame("i", "general", "bob", "yo", "2026-11-24T10:00:00.000Z", 1)]),
            new PresenceFrame("general", "bob", PresenceFrame.Leave),
            new LeftFrame("general"),
            new DirectMessageFrame("i", "alice", "bob", "psst", "2026-11-24T10:00:00.000Z"),
            new RoomListFrame([new RoomSummary("general", 3)]),
            new MembersFrame("general", ["alice"]),
            new StatsFrame("general", new Dictionary<string, long> { ["Alice"] = 3, ["bob"] = 1 }),
            PongFrame.Instance,
            new ErrorFrame(ErrorCodes.NameTaken, "taken"),
            new ByeFrame(ByeFrame.ClientQuit),
        ];
        foreach (var frame in frames)
        {
            var line = FrameCodec.EncodeLine(frame);
            var back = FrameCodec.DecodeServerFrame(line.AsSpan(0, line.Length - 1)).Frame;
            Assert.NotNull(back);
            Assert.Equal(frame.GetType(), back.GetType());
            Assert.Equal(Encoding.UTF8.GetString(line), Encoding.UTF8.GetString(FrameCodec.EncodeLine(back)));
        }
    }

    [Fact]
    public void Stats_keep_user_names_as_they_are()
    {
        var line = Encoding.UTF8.GetString(FrameCodec.EncodeLine(new StatsFrame("r", new Dictionary<string, long> { ["Alice"] = 2 })));
        Assert.Contains("\"messagesPerUser\":{\"Alice\":2}", line);
    }

    [Fact]
    public void Client_frames_encode_with_their_type()
    {
        var text = Encoding.UTF8.GetString(FrameCodec.EncodeLine(new JoinRequest("general")));
        Assert.Equal("{\"type\":\"join\",\"room\":\"general\"}\n", text);
        Assert.Equal("{\"type\":\"ping\"}\n", Encoding.UTF8.GetString(FrameCodec.EncodeLine(PingRequest.Instance)));
    }
}
