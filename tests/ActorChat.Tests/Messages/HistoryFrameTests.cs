using System.Text;
using ActorChat.Messages;

namespace ActorChat.Tests.Messages;

public class HistoryFrameTests
{
    [Fact]
    public void A_history_request_is_read_with_its_optional_before_and_limit()
    {
        var full = FrameCodec.DecodeClientFrame("""{"type":"history","room":"general","before":120,"limit":20}"""u8);
        Assert.Equal(new HistoryRequest("general", 120, 20), full.Frame);
        var bare = FrameCodec.DecodeClientFrame("""{"type":"history","room":"general"}"""u8);
        Assert.Equal(new HistoryRequest("general"), bare.Frame);
    }

    [Fact]
    public void A_history_request_without_a_room_is_a_bad_request()
    {
        var result = FrameCodec.DecodeClientFrame("""{"type":"history","limit":5}"""u8);
        Assert.Equal(ErrorCodes.BadRequest, result.Error!.Code);
    }

    [Fact]
    public void A_history_frame_carries_message_frames_oldest_first()
    {
        var frame = new HistoryFrame("general", [
            new MessageFrame("a1", "general", "alice", "hi", "2026-01-01T00:00:00.000Z", 7),
            new MessageFrame("b2", "general", "bob", "yo", "2026-01-01T00:00:01.000Z", 8)]);
        var line = FrameCodec.EncodeLine(frame);
        var json = Encoding.UTF8.GetString(line);
        Assert.StartsWith("""{"type":"history","room":"general","messages":[{"id":"a1",""", json);
        var back = Assert.IsType<HistoryFrame>(FrameCodec.DecodeServerFrame(line.AsSpan(0, line.Length - 1)).Frame);
        Assert.Equal(frame.Messages, back.Messages);
    }
}
