namespace ActorChat.Server.Sessions;

/// <summary>
/// Encoded frames (JSON lines ending in '\n') for the client behind a session. Rooms and the user registry
/// encode a frame once and send the same bytes to every recipient. <see cref="Answers"/> says how many of the
/// session's own requests the lines answer (the sender's copy of its messages, a stats frame, an error…), so that
/// the session knows when it may handle the client's next frame.
/// </summary>
public sealed class Deliver(byte[] line, int answers = 0)
{
    public byte[] Line { get; } = line;

    public int Answers { get; } = answers;

    /// <summary>
    /// When the oldest room message among the lines reached its room (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp), for the fan-out latency; 0 when the lines hold no room message.
    /// </summary>
    public long PostedAt { get; init; }

    /// <summary>One frame that answers one request.</summary>
    public static Deliver Answer(Messages.ServerFrame frame) => new(Messages.FrameCodec.EncodeLine(frame), 1);

    public override string ToString() => Answers == 0 ? $"Deliver({Line.Length} bytes)" : $"Deliver({Line.Length} bytes, answers {Answers})";
}

/// <summary>Asks a connection to say goodbye and close after flushing what it has queued (server shutdown).</summary>
public sealed class CloseGracefully
{
    public static readonly CloseGracefully Instance = new();
    private CloseGracefully() { }
}
