using System.Text;
using ActorChat.Messages;

namespace ActorChat.Tests.Messages;

public class RoomFramesTests
{
    private static ClientFrame Decode(string json) => FrameCodec.DecodeClientFrame(Encoding.UTF8.GetBytes(json)).Frame!;

    private static string Encode(ServerFrame frame) => Encoding.UTF8.GetString(FrameCodec.EncodeLine(frame)).TrimEnd('\n');

    [Fact]
    public void A_rooms_request_may_carry_a_cursor()
    {
        Assert.Equal(new RoomListRequest("general"), Decode("""{"type":"rooms","after":"general"}"""));
        Assert.Equal(new RoomListRequest(), Decode("""{"type":"rooms"}"""));
    }

    [Fact]
    public void A_cursor_that_is_not_a_string_is_a_bad_request()
    {
        var decoded = FrameCodec.DecodeClientFrame("""{"type":"rooms","after":5}"""u8);
        Assert.Equal(ErrorCodes.BadRequest, decoded.Error!.Code);
    }

    [Fact]
    public void The_last_page_of_rooms_says_next_is_null()
    {
        Assert.Equal("""{"type":"rooms","rooms":[{"name":"general","members":3}],"next":null}""",
            Encode(new RoomListFrame([new RoomSummary("general", 3)])));
        Assert.Equal("""{"type":"rooms","rooms":[],"next":"general"}""", Encode(new RoomListFrame([], "general")));
    }

    [Fact]
    public void A_stats_frame_carries_the_total()
    {
        var frame = new StatsFrame("general", new Dictionary<string, long> { ["alice"] = 2 }, 9);
        Assert.Equal("""{"type":"stats","room":"general","messagesPerUser":{"alice":2},"total":9}""", Encode(frame));
        var decoded = Assert.IsType<StatsFrame>(FrameCodec.DecodeServerFrame(Encoding.UTF8.GetBytes(Encode(frame))).Frame);
        Assert.Equal(9, decoded.Total);
    }
}
