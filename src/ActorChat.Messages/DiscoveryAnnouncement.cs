namespace ActorChat.Messages;

/// <summary>
/// What a server tells a client that asked on the LAN where chat servers are: its name and the ports to use.
/// Sent as <c>CHAT_SERVER_FOUND {json}</c> in one UDP datagram (see <see cref="DiscoveryCodec"/>).
/// </summary>
/// <param name="Name">The server's name, as in its welcome frame.</param>
/// <param name="TcpPort">The TCP port the server really listens on for chat clients.</param>
/// <param name="WebPort">The port of the web front end, or null when the server has none.</param>
/// <param name="Protocol">The wire protocol version the server speaks.</param>
public sealed record DiscoveryAnnouncement(string Name, int TcpPort, int? WebPort, int Protocol)
{
    /// <summary>The TLS port for chat clients, or null (left out of the answer) when the server has none.</summary>
    public int? TlsPort { get; init; }

    /// <summary>
    /// The SHA-256 fingerprint of the server's certificate as 64 lower-case hex digits, or null without TLS. A
    /// client that pins it (trust on first use) knows the TLS server it reaches is the one that answered.
    /// </summary>
    public string? Fingerprint { get; init; }

    /// <summary>
    /// In cluster mode, the chat addresses of the cluster's reachable members this node knows (itself first), for
    /// a client to go on with another when its own goes away; null (left out) on a server of its own.
    /// </summary>
    public IReadOnlyList<DiscoveryNode>? Nodes { get; init; }
}

/// <summary>One cluster member's chat addresses: the host clients reach it at, its plain TCP port, its web port (null: none).</summary>
public sealed record DiscoveryNode(string Host, int Port, int? Web);
