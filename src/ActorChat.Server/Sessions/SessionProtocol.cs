namespace ActorChat.Server.Sessions;

/// <summary>
/// An encoded frame (one JSON line ending in '\n') for the client behind a session. Rooms and the user registry
/// encode a frame once and send the same <see cref="Deliver"/> to every recipient.
/// </summary>
public sealed class Deliver(byte[] line)
{
    public byte[] Line { get; } = line;

    public override string ToString() => $"Deliver({Line.Length} bytes)";
}

/// <summary>Asks a connection to say goodbye and close after flushing what it has queued (server shutdown).</summary>
public sealed class CloseGracefully
{
    public static readonly CloseGracefully Instance = new();
    private CloseGracefully() { }
}
