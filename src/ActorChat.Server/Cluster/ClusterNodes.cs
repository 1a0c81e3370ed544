using ActorChat.Server.Status;
using Akka.Actor;

namespace ActorChat.Server.Cluster;

/// <summary>The nodes section of <c>/api/status</c> in cluster mode: every member this node knows of, with its load.</summary>
public static class ClusterNodes
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Each member's address and state as this node's view of the cluster has them; the counts come from the
    /// member's own <see cref="NodeLoadReporter"/> at the moment it answers (so the sums over nodes are a snapshot
    /// taken a few milliseconds apart, not one instant), and are null for a member that is unreachable or silent.
    /// </summary>
    public static async Task<IReadOnlyList<NodeStatus>> ReportAsync(ActorSystem system, ClusterChatAddresses? addresses = null)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var nodes = state.Members.Select(async member =>
        {
            var reachable = !state.Unreachable.Contains(member);
            NodeLoadReporter.NodeLoad? load = null;
            if (reachable)
            {
                try
                {
                    load = await system.ActorSelection(new RootActorPath(member.Address) / "user" / NodeLoadReporter.Name)
                        .Ask<NodeLoadReporter.NodeLoad>(NodeLoadReporter.GetNodeLoad.Instance, AskTimeout);
                }
                catch (AskTimeoutException)
                {
                }
            }
            return new NodeStatus(member.Address.ToString(), member.Status.ToString(), reachable, member.Address.Equals(cluster.SelfAddress),
                load is { Rooms: >= 0 } ? load.Rooms : null, load?.Connections)
            {
                RelayedBatches = load?.RelayedBatches,
                Host = addresses?.Of(member.Address.ToString())?.Host,
                Port = addresses?.Of(member.Address.ToString())?.Port,
                Web = addresses?.Of(member.Address.ToString())?.Web,
            };
        });
        return await Task.WhenAll(nodes);
    }
}
