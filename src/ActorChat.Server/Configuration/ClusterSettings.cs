namespace ActorChat.Server.Configuration;

/// <summary>
/// Cluster mode: several server nodes form one Akka.Cluster over Akka.Remote and share one PostgreSQL journal.
/// <see cref="Host"/> is the address other nodes reach this one at (Akka.Remote binds it), <see cref="Port"/> its
/// Akka.Remote port (0: any free port), <see cref="SeedNodes"/> the <c>host:port</c> of the nodes a node joins
/// through; a node that is first in the list (or finds the list empty) forms the cluster. With
/// <see cref="Bootstrap"/> on, the nodes find each other by Akka.Management's cluster bootstrap instead of seed nodes.
/// </summary>
public sealed record ClusterSettings(bool Enabled, string Host, int Port, IReadOnlyList<string> SeedNodes)
{
    public const int DefaultPort = 4053;

    /// <summary>The split-brain resolver downs a node unreachable this long (keep-majority).</summary>
    public TimeSpan DownUnreachableAfter { get; init; } = TimeSpan.FromSeconds(10);

    public BootstrapSettings Bootstrap { get; init; } = BootstrapSettings.Off;

    public static readonly ClusterSettings Off = new(false, "127.0.0.1", DefaultPort, []);
}

/// <summary>
/// Cluster bootstrap (<c>--bootstrap</c>): each node serves the management endpoint bootstrap probes (<see cref="Cluster.ManagementEndpoint"/>) on
/// <see cref="ManagementPort"/> at its cluster host and probes the others' at <see cref="ContactPoints"/> (a static
/// list of management <c>host:port</c>, Akka.Discovery's config method). A node that hears of a cluster joins it;
/// while there is none, once <see cref="Required"/> of the contact points answer, the one with the lowest address
/// forms it.
/// </summary>
/// <param name="RequiredContactPoints">As set: 0 means every contact point listed (<see cref="Required"/>).</param>
public sealed record BootstrapSettings(bool Enabled, int ManagementPort, IReadOnlyList<string> ContactPoints, int RequiredContactPoints)
{
    public const int DefaultManagementPort = 8558;

    /// <summary>The name the contact points are listed under in Akka.Discovery (the actor system's name).</summary>
    public const string ServiceName = "actorchat";

    /// <summary>How many contact points must answer before a new cluster forms.</summary>
    public int Required => RequiredContactPoints == 0 ? ContactPoints.Count : RequiredContactPoints;

    public static readonly BootstrapSettings Off = new(false, DefaultManagementPort, [], 0);
}
