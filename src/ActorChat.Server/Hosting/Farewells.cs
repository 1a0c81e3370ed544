namespace ActorChat.Server.Hosting;

/// <summary>
/// How many clients the server said goodbye to on its way down (TCP and WebSocket together), for the last line
/// of its log. Written by the drain tasks of coordinated shutdown, read once the host has stopped.
/// </summary>
public sealed class Farewells
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add(int clients) => Interlocked.Add(ref _count, clients);

    /// <summary>The last line of the server's log.</summary>
    public string StoppedLine() => $"ActorChat stopped; said goodbye to {Count} {(Count == 1 ? "client" : "clients")}";
}
