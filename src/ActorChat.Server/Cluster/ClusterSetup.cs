using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Status;
using ActorChat.Server.Users;
using Akka;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Discovery.Config.Hosting;
using Akka.Hosting;
using Akka.Management.Cluster.Bootstrap;

namespace ActorChat.Server.Cluster;

/// <summary>
/// Cluster mode: Akka.Remote and Akka.Cluster by HOCON, a keep-majority split-brain resolver, rooms as sharding
/// entities, and the actors there must be one of in the whole cluster (the room catalog, the user registry, the
/// account book, the ban list) as cluster singletons, each reached through a proxy on every node.
/// </summary>
public static class ClusterSetup
{
    /// <summary>The largest message one node sends another (Akka.Remote's default is 128,000 bytes).</summary>
    public const int MaximumFrameSize = 4 * 1024 * 1024;

    /// <summary>Why the server cannot start in cluster mode with these settings, or null.</summary>
    public static string? StartProblem(ServerSettings settings)
    {
        var cluster = settings.Cluster;
        var bootstrap = cluster.Bootstrap;
        if (bootstrap.Enabled && !cluster.Enabled)
            return "--bootstrap needs cluster mode (--cluster): bootstrap forms or joins a cluster, and without --cluster this server is a node of its own.";
        if (cluster.Enabled && settings.Persistence.Store != StoreKind.Postgres)
            return $"cluster mode needs PostgreSQL (--postgres): every node must read and write the same journal, and the {(settings.Persistence.Store == StoreKind.Sqlite ? "SQLite file" : "in-memory store")} belongs to one node.";
        if (!bootstrap.Enabled) return null;
        if (cluster.SeedNodes.Count > 0)
            return "--bootstrap and --seed-nodes cannot be used together: with bootstrap the nodes find each other through --contact-points, and given seed nodes Akka.Management's bootstrap would not run at all.";
        if (bootstrap.ContactPoints.Count == 0)
            return "--bootstrap needs --contact-points: the host:port of every node's management endpoint (--management-port), this node's own among them.";
        if (bootstrap.RequiredContactPoints > bootstrap.ContactPoints.Count)
            return $"--required-contact-points {bootstrap.RequiredContactPoints} is more than the {bootstrap.ContactPoints.Count} contact points listed: the cluster would never form.";
        return null;
    }

    public static AkkaConfigurationBuilder WithChatCluster(this AkkaConfigurationBuilder akka, ClusterSettings cluster)
    {
        var seeds = string.Join(", ", cluster.SeedNodes.Select(s => $"\"akka.tcp://{Hosting.ChatServerHost.SystemName}@{s}\""));
        akka.AddHocon($$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp {
              hostname = "{{cluster.Host}}"
              port = {{cluster.Port}}
              # Akka.Remote drops a larger message, telling only its own log (docs/architecture.md). Room batches
              # stay under 0.5 MB (MemberMail); the largest single answers, a history page or the member list of a
              # big room, are a few MB at most.
              maximum-frame-size = {{MaximumFrameSize}}b
            }
            akka.cluster {
              seed-nodes = [{{seeds}}]
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver {
                active-strategy = keep-majority
                stable-after = {{(int)cluster.DownUnreachableAfter.TotalMilliseconds}}ms
              }
              sharding.passivate-idle-entity-after = off
              # Akka.NET's newer rebalance: each rebalance-interval (10 s) up to 10 % of the shards (at least 1,
              # at most 20) move to a node with fewer, so a node that joins takes its share in a few rounds.
              sharding.least-shard-allocation-strategy.rebalance-absolute-limit = 20
            }
            akka.actor.serialization-settings.json.converters = [
              "ActorChat.Server.Cluster.IPAddressJsonConverter, ActorChat.Server"
              "ActorChat.Server.Cluster.IPNetworkJsonConverter, ActorChat.Server"
              "ActorChat.Server.Cluster.SecretJsonConverter, ActorChat.Server"
            ]
            """, HoconAddMode.Prepend);
        return cluster.Bootstrap.Enabled ? akka.WithChatBootstrap(cluster) : akka;
    }

    /// <summary>
    /// Cluster bootstrap, and the config method of Akka.Discovery listing the contact points. Nothing starts here:
    /// <see cref="StartBootstrapAsync"/> starts the management endpoint and bootstrap once the server's own
    /// listeners are bound, so that a management port in use is a start-up error.
    /// </summary>
    private static AkkaConfigurationBuilder WithChatBootstrap(this AkkaConfigurationBuilder akka, ClusterSettings cluster)
    {
        var bootstrap = cluster.Bootstrap;
        return akka
            .WithClusterBootstrap(options =>
            {
                options.ContactPointDiscovery.ServiceName = BootstrapSettings.ServiceName;
                options.ContactPointDiscovery.DiscoveryMethod = "config";
                options.ContactPointDiscovery.RequiredContactPointsNr = bootstrap.Required;
                // Fewer than all may be required; the lowest address among those that answer forms the cluster.
                options.ContactPointDiscovery.ContactWithAllContactPoints = false;
                // The list holds management endpoints only; several nodes on one host differ by port, and the
                // filter would keep only those on this node's own port.
                options.ContactPoint.FilterOnFallbackPort = false;
            }, autoStart: false)
            .WithConfigDiscovery(options => options.Services.Add(new Service
            {
                Name = BootstrapSettings.ServiceName,
                Endpoints = [.. bootstrap.ContactPoints],
            }));
    }

    /// <summary>
    /// Starts the management endpoint at the cluster host (stopped again before the node leaves the cluster), then
    /// bootstrap; returns the endpoint.
    /// </summary>
    /// <exception cref="IOException">The management endpoint could not listen.</exception>
    public static async Task<ManagementEndpoint> StartBootstrapAsync(ActorSystem system, ClusterSettings cluster)
    {
        var endpoint = await ManagementEndpoint.StartAsync(system, cluster.Host, cluster.Bootstrap.ManagementPort);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "stop-management-endpoint", async () =>
        {
            await endpoint.DisposeAsync();
            return Done.Instance;
        });
        await endpoint.StartBootstrapAsync(system);
        return endpoint;
    }

    /// <summary>The actors sessions use, as the single-node set-up gives them.</summary>
    public sealed record ClusterActors(IActorRef Users, IActorRef Rooms, IActorRef Accounts, IActorRef Bans);

    public static ClusterActors Start(ActorSystem system, ServerSettings settings, ChatStatistics statistics, RoomHealth health,
        Hosting.ListeningEndpoints endpoints, ClusterChatAddresses addresses)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        // A cluster of its own, which others may join; bootstrap decides by itself whether to form one or join.
        if (settings.Cluster.SeedNodes.Count == 0 && !settings.Cluster.Bootstrap.Enabled) cluster.Join(cluster.SelfAddress);

        var users = Singleton(system, "users", UserRegistry.Props());
        var catalog = Singleton(system, "rooms-catalog", ClusterRoomCatalog.Props(settings.Rooms));
        var sharding = ClusterSharding.Get(system);
        var shardingSettings = ClusterShardingSettings.Create(system);
        // A room that moves to another node finishes and leaves its members for its next home (RoomEntity.HandOff).
        var region = sharding.Start(
            RoomEntity.TypeName,
            key => RoomEntity.Props(key, settings.Rooms, statistics, health, catalog),
            shardingSettings,
            new RoomShardExtractor(),
            sharding.DefaultShardAllocationStrategy(shardingSettings),
            RoomEntity.HandOff.Instance);
        var rooms = system.ActorOf(ClusterRoomDirectory.Props(region, catalog), "rooms");
        var relayCounters = new FanOutRelay.Counters();
        system.ActorOf(FanOutRelay.Props(relayCounters), FanOutRelay.Name);
        system.ActorOf(NodeLoadReporter.Props(region, statistics.Metrics, relayCounters), NodeLoadReporter.Name);
        system.ActorOf(ChatAddressBook.Props(endpoints, addresses), ChatAddressBook.Name);
        static Props Supervised(Props child, string name) =>
            Akka.Pattern.BackoffSupervisor.Props(child, name, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), 0.2);
        var accounts = settings.Accounts.Mode == AccountMode.Open
            ? ActorRefs.Nobody
            : Singleton(system, "accounts", Supervised(Accounts.AccountBook.Props(settings.Accounts, exempt: settings.Limits.ExemptAddresses), "book"));
        var bans = Singleton(system, "bans", Supervised(Accounts.BanList.Props(users), "list"));
        return new ClusterActors(users, rooms, accounts, bans);
    }

    /// <summary>Starts the singleton's manager on this node and returns a proxy that finds it wherever it runs.</summary>
    private static IActorRef Singleton(ActorSystem system, string name, Props props)
    {
        system.ActorOf(ClusterSingletonManager.Props(props, PoisonPill.Instance, ClusterSingletonManagerSettings.Create(system)), $"{name}-singleton");
        return system.ActorOf(ClusterSingletonProxy.Props($"/user/{name}-singleton", ClusterSingletonProxySettings.Create(system)), $"{name}-proxy");
    }
}

/// <summary>Lets the host's builder chain stay one chain whether or not the node is part of a cluster.</summary>
public static class ClusterSetupBuilder
{
    public static AkkaConfigurationBuilder WithChatClusterIf(this AkkaConfigurationBuilder akka, ClusterSettings cluster) =>
        cluster.Enabled ? akka.WithChatCluster(cluster) : akka;
}
