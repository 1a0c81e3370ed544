using ActorChat.Messages;
using ActorChat.Server.Sessions;

namespace ActorChat.Tests.Support;

/// <summary>Reads encoded lines back into frames, so specs can assert on what a client would see.</summary>
public static class Frames
{
    public static ServerFrame Decode(byte[] line)
    {
        Assert.Equal((byte)'\n', line[^1]);
        var decoded = FrameCodec.DecodeServerFrame(line.AsSpan(0, line.Length - 1));
        Assert.True(decoded.IsSuccess, decoded.Error?.Message);
        return decoded.Frame!;
    }

    public static ServerFrame Decode(Deliver deliver) => Decode(deliver.Line);

    public static IReadOnlyList<ServerFrame> DecodeLines(ReadOnlySpan<byte> bytes)
    {
        var frames = new List<ServerFrame>();
        var framer = new LineFramer(1 << 24);
        framer.Append(bytes);
        while (framer.TryReadLine(out var line))
        {
            var decoded = FrameCodec.DecodeServerFrame(line);
            Assert.True(decoded.IsSuccess, decoded.Error?.Message);
            frames.Add(decoded.Frame!);
        }
        Assert.Equal(0, framer.Buffered);
        return frames;
    }
}
