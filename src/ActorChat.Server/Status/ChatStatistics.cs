using System.Diagnostics;

namespace ActorChat.Server.Status;

/// <summary>
/// Counters of the whole server since it started, bumped by actors and read by the status endpoint.
/// Lock-free and safe to share between threads; one instance per server.
/// </summary>
public sealed class ChatStatistics
{
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private long _messages;

    /// <summary>The server's meter, which rooms count on too; the default is one no server exports (unit tests).</summary>
    public Operations.ChatMetrics Metrics { get; init; } = Operations.ChatMetrics.Detached;

    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>Messages said in any room since the server started.</summary>
    public long MessagesSinceStart => Interlocked.Read(ref _messages);

    /// <summary>A room accepted a message and sent it to its members.</summary>
    public void CountMessage() => Interlocked.Increment(ref _messages);
}
