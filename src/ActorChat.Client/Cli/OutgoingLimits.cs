using ActorChat.Messages;

namespace ActorChat.Client.Cli;

/// <summary>
/// What the server would refuse for its size, checked before sending: a text over the protocol's limit gets an
/// error, but a line over the server's frame limit closes the connection and loses whatever was typed after it.
/// </summary>
public static class OutgoingLimits
{
    /// <summary>The frame limit of a server with default settings (the client cannot know another one).</summary>
    public const int MaxFrameBytes = Protocol.DefaultMaxFrameBytes;

    /// <summary>Why the frame is not sent, naming the limit; null when it may be sent.</summary>
    public static string? Refusal(ClientFrame frame)
    {
        var text = frame switch
        {
            SayRequest say => say.Text,
            DirectMessageRequest dm => dm.Text,
            _ => null,
        };
        if (text is not null && Protocol.TextLength(text) is var length and > Protocol.MaxTextLength)
            return $"Not sent: the line is {length} characters long; a message may have at most {Protocol.MaxTextLength}.";
        var bytes = FrameCodec.EncodeLine(frame).Length;
        if (bytes > MaxFrameBytes)
            return $"Not sent: the line would take {bytes} bytes on the wire; the server takes at most {MaxFrameBytes / 1024} KiB ({MaxFrameBytes} bytes) in one line.";
        return null;
    }
}
