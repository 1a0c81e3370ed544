namespace ActorChat.Client.Cli;

/// <summary>A server the client may connect to: a host name or address and its port.</summary>
public sealed record ServerEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>
/// The servers a client connects to, in the order given, and which one is current. Connecting starts with the
/// first; when one cannot be reached, or its connection is lost, the next is tried, round robin, so that a
/// client of a cluster goes on with another node when its own goes away.
/// </summary>
public sealed class ServerRotation
{
    private readonly List<ServerEndpoint> _servers;
    private int _current;

    public ServerRotation(IEnumerable<ServerEndpoint> servers)
    {
        _servers = servers.Distinct().ToList();
        if (_servers.Count == 0) throw new ArgumentException("at least one server is needed", nameof(servers));
    }

    public ServerEndpoint Current => _servers[_current];

    public int Count => _servers.Count;

    public IReadOnlyList<ServerEndpoint> All => _servers;

    /// <summary>Makes the next server current (the first after the last) and returns it.</summary>
    public ServerEndpoint Next()
    {
        _current = (_current + 1) % _servers.Count;
        return Current;
    }

    /// <summary>True when the current server is the first: a whole round has been tried since it was last.</summary>
    public bool AtFirst => _current == 0;
}
