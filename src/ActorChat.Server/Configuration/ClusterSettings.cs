namespace ActorChat.Server.Configuration;

/// <summary>
/// Cluster mode: several server nodes form one Akka.Cluster over Akka.Remote and share one PostgreSQL journal.
/// <see cref="Host"/> is the address other nodes reach this one at (Akka.Remote binds it), <see cref="Port"/> its
/// Akka.Remote port (0: any free port), <see cref="SeedNodes"/> the <c>host:port</c> of the nodes a node joins
/// through; a node that is first in the list (or finds the list empty) forms the cluster.
/// </summary>
public sealed record ClusterSettings(bool Enabled, string Host, int Port, IReadOnlyList<string> SeedNodes)
{
    public const int DefaultPort = 4053;

    /// <summary>The split-brain resolver downs a node unreachable this long (keep-majority).</summary>
    public TimeSpan DownUnreachableAfter { get; init; } = TimeSpan.FromSeconds(10);

    public static readonly ClusterSettings Off = new(false, "127.0.0.1", DefaultPort, []);
}
