using ActorChat.Server.Configuration;
using ActorChat.Server.Rooms;
using ActorChat.Server.Status;
using ActorChat.Server.Users;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Hosting;

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
    public static string? StartProblem(ServerSettings settings) =>
        settings.Cluster.Enabled && settings.Persistence.Store != StoreKind.Postgres
            ? $"cluster mode needs PostgreSQL (--postgres): every node must read and write the same journal, and the {(settings.Persistence.Store == StoreKind.Sqlite ? "SQLite file" : "in-memory store")} belongs to one node."
            : null;

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
            }
            akka.actor.serialization-settings.json.converters = [
              "ActorChat.Server.Cluster.IPAddressJsonConverter, ActorChat.Server"
              "ActorChat.Server.Cluster.IPNetworkJsonConverter, ActorChat.Server"
              "ActorChat.Server.Cluster.SecretJsonConverter, ActorChat.Server"
            ]
            """, HoconAddMode.Prepend);
        return akka;
    }

    /// <summary>The actors sessions use, as the single-node set-up gives them.</summary>
    public sealed record ClusterActors(IActorRef Users, IActorRef Rooms, IActorRef Accounts, IActorRef Bans);

    public static ClusterActors Start(ActorSystem system, ServerSettings settings, ChatStatistics statistics, RoomHealth health,
        Hosting.ListeningEndpoints endpoints, ClusterChatAddresses addresses)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (settings.Cluster.SeedNodes.Count == 0) cluster.Join(cluster.SelfAddress); // a cluster of its own, which others may join

        var users = Singleton(system, "users", UserRegistry.Props());
        var catalog = Singleton(system, "rooms-catalog", ClusterRoomCatalog.Props(settings.Rooms));
        var region = ClusterSharding.Get(system).Start(
            RoomEntity.TypeName,
            key => RoomEntity.Props(key, settings.Rooms, statistics, health, catalog),
            ClusterShardingSettings.Create(system),
            new RoomShardExtractor());
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
