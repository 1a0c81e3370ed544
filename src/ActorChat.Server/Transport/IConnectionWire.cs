using ActorChat.Messages;

namespace ActorChat.Server.Transport;

/// <summary>
/// What a transport tells the <see cref="ConnectionCore"/> it can do: read more, write, close, abort. Everything
/// else (framing rules, pacing, queueing, the slow-consumer rule, timeouts, the close sequence) lives in the core.
/// </summary>
public interface IConnectionWire
{
    /// <summary>"TCP" or "WebSocket", for the log.</summary>
    string Kind { get; }

    /// <summary>Ask for the next read. Nothing is read until the core asks, so input comes no faster than it is handled.</summary>
    void ReadMore();

    /// <summary>Start one write of these chunks (each one or more whole lines) in order; report it to <see cref="ConnectionCore.OnWriteCompleted"/>.</summary>
    void Write(IReadOnlyList<byte[]> chunks);

    /// <summary>Everything is written: close the connection cleanly. <paramref name="finalFrame"/> says why (for a close code).</summary>
    void Close(ServerFrame finalFrame);

    /// <summary>Drop the connection at once.</summary>
    void Abort();
}
