using ActorChat.Server.Operations;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace ActorChat.Server.Cluster;

/// <summary>
/// Answers, on each node of a cluster, how much this node holds: the room entities sharding runs here and the
/// client connections open here. <c>/api/status</c> on any node asks every member's reporter for its nodes section.
/// </summary>
public sealed class NodeLoadReporter : ReceiveActor
{
    public const string Name = "node-load";

    public sealed record GetNodeLoad
    {
        public static readonly GetNodeLoad Instance = new();
    }

    /// <summary>Rooms is -1 when the shard region did not say in time.</summary>
    public sealed record NodeLoad(int Rooms, long Connections, long RelayedBatches);

    private static readonly TimeSpan RegionTimeout = TimeSpan.FromSeconds(2);

    public NodeLoadReporter(IActorRef region, ChatMetrics metrics, FanOutRelay.Counters relay)
    {
        Receive<GetNodeLoad>(_ =>
        {
            var replyTo = Sender;
            region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, RegionTimeout).ContinueWith(state =>
                new NodeLoad(state.IsCompletedSuccessfully ? state.Result.Shards.Sum(s => s.EntityIds.Count) : -1,
                    metrics.OpenConnections, relay.RemoteBatches), TaskContinuationOptions.ExecuteSynchronously).PipeTo(replyTo);
        });
    }

    public static Props Props(IActorRef region, ChatMetrics metrics, FanOutRelay.Counters relay) =>
        Akka.Actor.Props.Create(() => new NodeLoadReporter(region, metrics, relay));
}
