using System.Text;
using ActorChat.Messages;

namespace ActorChat.Tests.Messages;

/// <summary>A client may tag any frame with "ref"; what the server says about that frame carries it back.</summary>
public class FrameRefTests
{
    private static DecodeResult<ClientFrame> Decode(string json) => FrameCodec.DecodeClientFrame(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_ref_is_read_on_any_client_frame_including_those_without_other_fields()
    {
        Assert.Equal(new SayRequest("general", "hi") { Ref = "m-1" }, Decode("""{"type":"say","room":"general","text":"hi","ref":"m-1"}""").Frame);
        Assert.Equal("p", Decode("""{"type":"ping","ref":"p"}""").Frame!.Ref);
        Assert.Equal("q", Decode("""{"ref":"q","type":"quit"}""").Frame!.Ref);
        Assert.Null(PingRequest.Instance.Ref); // the shared instance is never tagged
    }

    [Fact]
    public void A_frame_without_a_ref_or_with_a_null_one_has_none()
    {
        Assert.Null(Decode("""{"type":"join","room":"general"}""").Frame!.Ref);
        Assert.Null(Decode("""{"type":"join","room":"general","ref":null}""").Frame!.Ref);
    }

    [Fact]
    public void A_ref_of_exactly_the_limit_is_accepted()
    {
        var longest = new string('r', Protocol.MaxRefLength);
        Assert.Equal(longest, Decode($$"""{"type":"ping","ref":"{{longest}}"}""").Frame!.Ref);
    }

    [Theory]
    [InlineData("""{"type":"ping","ref":42}""")]
    [InlineData("""{"type":"ping","ref":{"a":1}}""")]
    public void A_ref_that_is_not_a_string_is_a_bad_request_that_says_what_a_ref_is(string json)
    {
        var error = Decode(json).Error!;
        Assert.Equal(ErrorCodes.BadRequest, error.Code);
        Assert.Contains("'ref'", error.Message);
        Assert.Null(error.Ref);
    }

    [Fact]
    public void A_ref_over_the_limit_is_refused_and_not_echoed()
    {
        var error = Decode($$"""{"type":"ping","ref":"{{new string('r', Protocol.MaxRefLength + 1)}}"}""").Error!;
        Assert.Equal(ErrorCodes.BadRequest, error.Code);
        Assert.Contains($"{Protocol.MaxRefLength} characters", error.Message);
        Assert.Null(error.ToFrame().Ref);
    }

    [Theory]
    [InlineData("""{"type":"teleport","ref":"t"}""", ErrorCodes.UnknownType)]
    [InlineData("""{"type":"join","ref":"t"}""", ErrorCodes.BadRequest)]
    [InlineData("""{"type":"join","room":7,"ref":"t"}""", ErrorCodes.BadRequest)]
    public void The_error_for_a_frame_that_could_not_be_read_carries_its_ref(string json, string code)
    {
        var error = Decode(json).Error!.ToFrame();
        Assert.Equal(code, error.Code);
        Assert.Equal("t", error.Ref);
    }

    [Fact]
    public void A_server_frame_carries_its_ref_only_when_it_has_one()
    {
        var tagged = Encoding.UTF8.GetString(FrameCodec.EncodeLine(new StatsFrame("general", new Dictionary<string, long>(), 0) { Ref = "s-9" }));
        var plain = Encoding.UTF8.GetString(FrameCodec.EncodeLine(new StatsFrame("general", new Dictionary<string, long>(), 0)));
        Assert.Contains("\"ref\":\"s-9\"", tagged);
        Assert.DoesNotContain("ref", plain);
        var back = FrameCodec.DecodeServerFrame(Encoding.UTF8.GetBytes(tagged.TrimEnd('\n'))).Frame!;
        Assert.Equal("s-9", back.Ref);
        Assert.Equal("p", FrameCodec.DecodeServerFrame("""{"type":"pong","ref":"p"}"""u8).Frame!.Ref);
    }
}
