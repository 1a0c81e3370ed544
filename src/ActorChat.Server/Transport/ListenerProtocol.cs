using Akka;

namespace ActorChat.Server.Transport;

/// <summary>What every transport's listener answers (the TCP listener, the WebSocket gateway), so shutdown and
/// the status page treat them alike.</summary>
public static class ListenerProtocol
{
    /// <summary>Stop taking new connections, close every connection gracefully; answered with <see cref="Done"/>
    /// when all are gone.</summary>
    public sealed class Drain
    {
        public static readonly Drain Instance = new();
        private Drain() { }
    }

    /// <summary>Answered with <see cref="ConnectionCount"/>.</summary>
    public sealed class GetConnectionCount
    {
        public static readonly GetConnectionCount Instance = new();
        private GetConnectionCount() { }
    }

    public sealed record ConnectionCount(int Connections);
}
