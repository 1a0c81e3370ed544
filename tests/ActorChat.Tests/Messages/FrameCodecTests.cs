using System.Text;
using ActorChat.Messages;

namespace ActorChat.Tests.Messages;

public class FrameCodecTests
{
    private static DecodeResult<ClientFrame> Decode(string json) => FrameCodec.DecodeClientFrame(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Warming_up_reads_a_line_of_every_frame_type_and_decoding_is_as_before()
    {
        Assert.Equal(FrameCodec.ClientFrameTypes.Count + FrameCodec.ServerFrameTypes.Count, FrameCodec.WarmUp());

        Assert.Equal(new HelloRequest("alice"), Decode("""{"type":"hello","name":"alice"}""").Frame);
        Assert.Equal(ErrorCodes.UnknownType, Decode("""{"type":"nope"}""").Error!.Code);
    }

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

    [Theory]
    [InlineData("""{"type":"\ud800"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"\udfff"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"pi\ud800ng"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"\ude00\ud83d"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"\ud83d\u0041"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"\ud800":1,"type":"ping"}""", ErrorCodes.BadJson)]
    [InlineData("""{"type":"ping","\udc00x":1}""", ErrorCodes.BadJson)]
    [InlineData("""{"type":"say","room":"a","text":"\ud800"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"say","room":"a","text":"ok \udc00 then"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"say","room":"\ud800","text":"hi"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"hello","name":"\udfff"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"dm","to":"bob","text":"\ud83d"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"say","room":"a","\ud800":"x","text":"hi"}""", ErrorCodes.BadJson)]
    [InlineData("""{"type":"history","room":"a","\ud800":1}""", ErrorCodes.BadJson)]
    [InlineData("""{"type":"hello","name":"a","extra":"\ud800"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"hello","name":"a","extra":{"\ud800":1}}""", ErrorCodes.BadJson)]
    public void A_lone_surrogate_escape_is_an_error_result_not_an_exception(string json, string code)
    {
        var result = Decode(json);
        Assert.Null(result.Frame);
        Assert.Equal(code, result.Error!.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    [Fact]
    public void A_text_with_a_lone_surrogate_is_refused_with_a_sentence_that_says_why()
    {
        var result = Decode("""{"type":"say","room":"a","text":"\ud800"}""");
        Assert.Equal(ErrorCodes.BadRequest, result.Error!.Code);
        Assert.Contains("'text'", result.Error.Message);
        Assert.Contains("surrogate", result.Error.Message);
    }

    [Fact]
    public void A_surrogate_pair_escape_is_an_ordinary_character()
    {
        var result = Decode("""{"type":"say","room":"a","text":"\ud83d\ude00"}""");
        Assert.Equal(new SayRequest("a", "😀"), result.Frame);
    }

    public static TheoryData<string, string> HostileFrames() => new()
    {
        { "", ErrorCodes.BadJson },
        { "   ", ErrorCodes.BadJson },
        { "{", ErrorCodes.BadJson },
        { "}", ErrorCodes.BadJson },
        { "null", ErrorCodes.BadJson },
        { "{}", ErrorCodes.BadRequest },
        { "{\"type\":null}", ErrorCodes.BadRequest },
        { "{\"type\":\"\"}", ErrorCodes.UnknownType },
        { "{\"type\":\"PING\"}", ErrorCodes.UnknownType },
        { "{\"type\":\"ping\",}", ErrorCodes.BadJson },
        { "{'type':'ping'}", ErrorCodes.BadJson },
        { "{\"type\":\"ping\"/*c*/}", ErrorCodes.BadJson },
        { "{\"type\":\"ping\"}{\"type\":\"ping\"}", ErrorCodes.BadJson },
        { "{\"type\":\"say\",\"room\":\"a\",\"text\":\"\\x41\"}", ErrorCodes.BadJson },
        { "{\"type\":\"say\",\"room\":\"a\",\"text\":\"\\u12\"}", ErrorCodes.BadJson },
        { "{\"type\":\"say\",\"room\":\"a\",\"text\":\"raw\u0001control\"}", ErrorCodes.BadJson },
        { "{\"type\":\"history\",\"room\":\"a\",\"limit\":1e999}", ErrorCodes.BadRequest },
        { "{\"type\":\"history\",\"room\":\"a\",\"limit\":99999999999999999999999999}", ErrorCodes.BadRequest },
        { "{\"type\":\"history\",\"room\":\"a\",\"before\":-99999999999999999999999999}", ErrorCodes.BadRequest },
        { "{\"type\":\"history\",\"room\":\"a\",\"limit\":1.5}", ErrorCodes.BadRequest },
        { "{\"type\":\"history\",\"room\":\"a\",\"limit\":\"10\"}", ErrorCodes.BadRequest },
        { "{\"type\":\"history\",\"room\":\"a\",\"limit\":NaN}", ErrorCodes.BadJson },
        { "{\"type\":\"hello\",\"name\":{\"first\":\"a\"}}", ErrorCodes.BadRequest },
        { "{\"type\":\"hello\",\"name\":null}", ErrorCodes.BadRequest },
        { "{\"type\":\"hello\",\"name\":true}", ErrorCodes.BadRequest },
        { "{\"type\":\"join\",\"room\":[\"a\"]}", ErrorCodes.BadRequest },
        { "{\"type\":[\"say\"]}", ErrorCodes.BadRequest },
        { "{\"type\":{\"x\":1}}", ErrorCodes.BadRequest },
        { Nested(65), ErrorCodes.BadJson },
        { Nested(10_000), ErrorCodes.BadJson },
        { "{\"type\":\"ping\",\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}", ErrorCodes.BadJson },
        { "\uFEFF{\"type\":\"ping\"}", ErrorCodes.BadJson },
        { "{\"type\":\"ping\"}\u0000", ErrorCodes.BadJson },
    };

    [Theory]
    [MemberData(nameof(HostileFrames))]
    public void Hostile_frames_never_throw_and_get_a_sensible_error_code(string json, string code)
    {
        var result = Decode(json);
        Assert.Null(result.Frame);
        Assert.Equal(code, result.Error!.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    [Theory]
    [InlineData("""{"type":"hello","name":"alice","name":"mallory"}""", "'name'")]
    [InlineData("""{"type":"ping","type":"ping"}""", "'type'")]
    [InlineData("""{"type":"hello","name":"a","type":"join","room":"r"}""", "'type'")]
    [InlineData("""{"type":"hello","name":"alice","n\u0061me":"mallory"}""", "'name'")]
    public void A_field_that_appears_twice_is_refused_because_readers_disagree_on_which_one_counts(string json, string field)
    {
        var result = Decode(json);
        Assert.Null(result.Frame);
        Assert.Equal(ErrorCodes.BadRequest, result.Error!.Code);
        Assert.Contains(field, result.Error.Message);
    }

    [Fact]
    public void Fields_that_differ_only_in_case_are_different_fields()
    {
        var result = Decode("""{"type":"hello","name":"alice","Name":"mallory"}""");
        Assert.Equal(new HelloRequest("alice"), result.Frame);
    }

    [Fact]
    public void Odd_but_valid_frames_are_read()
    {
        Assert.Equal(PingRequest.Instance, Decode(Nested(64)).Frame);
        Assert.Equal(PingRequest.Instance, Decode("{\"type\":\"ping\",\"n\":" + new string('9', 5000) + "}").Frame);
        Assert.Equal(PingRequest.Instance, Decode("{\"type\":\"ping\",\"x\":\"\\ud83d\\ude00\"}").Frame);
        Assert.Equal(new HelloRequest("alice"), Decode(" \t{ \"type\" : \"hello\" , \"name\" : \"alice\" } ").Frame);
        Assert.Equal(new HelloRequest("alice"), Decode("{\"t\\u0079pe\":\"hello\",\"name\":\"alice\"}").Frame);
    }

    [Fact]
    public void Server_frames_with_hostile_content_never_throw()
    {
        string[] lines =
        [
            """{"type":"\ud800"}""",
            """{"\udfff":1,"type":"pong"}""",
            """{"type":"message","id":"i","room":"r","sender":"s","text":"\ud800","timestamp":"t","seq":1}""",
            """{"type":"message","id":"i","room":"r","sender":"s","text":"x","timestamp":"t","seq":1e400}""",
            """{"type":"stats","room":"r","messagesPerUser":{"\ud800":1}}""",
            """{"type":"joined","room":"r","members":["\udc00"],"history":[]}""",
            Nested(10_000),
        ];
        foreach (var line in lines)
        {
            var result = FrameCodec.DecodeServerFrame(Encoding.UTF8.GetBytes(line));
            Assert.Null(result.Frame);
            Assert.NotNull(result.Error);
        }
    }

    /// <summary>A ping whose ignored field nests arrays so that the whole frame is <paramref name="depth"/> levels deep.</summary>
    private static string Nested(int depth) =>
        "{\"type\":\"ping\",\"x\":" + new string('[', depth - 1) + new string(']', depth - 1) + "}";

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
