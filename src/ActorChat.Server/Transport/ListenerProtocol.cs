namespace ActorChat.Server.Transport;

/// <summary>What every transport's listener answers (the TCP listener, the WebSocket gateway), so shutdown and
/// the status page treat them alike.</summary>
public static class ListenerProtocol
{
    /// <summary>Stop taking new connections, close every connection gracefully; answered with <see cref="Drained"/>
    /// when all are gone.</summary>
    public sealed class Drain
    {
        public static readonly Drain Instance = new();
        private Drain() { }
    }

    /// <summary>Every connection is gone; <paramref name="Farewells"/> of them were open when the drain began and were told goodbye.</summary>
    public sealed record Drained(int Farewells);

    /// <summary>Answered with <see cref="ConnectionCount"/>.</summary>
    public sealed class GetConnectionCount
    {
        public static readonly GetConnectionCount Instance = new();
        private GetConnectionCount() { }
    }

    public sealed record ConnectionCount(int Connections);
}
