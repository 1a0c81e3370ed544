using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Cluster;

/// <summary>A room's batch crosses to each other node with members once, whatever the number of members there.</summary>
[Collection("Cluster")]
public sealed class FanOutRelayTests(ThreeNodeCluster cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_message_reaches_two_members_on_each_node_with_one_remote_message_per_other_node()
    {
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                var client = await TestClient.ConnectAsync(cluster.Nodes[i % 3].Port, $"fan{i}");
                clients.Add(client);
                await client.SendAsync(new JoinRequest("relayed"));
                await client.ExpectAsync<JoinedFrame>(j => j.Room == "relayed", Patience);
            }
            // Every presence batch has arrived once the first member has seen the last one join.
            await clients[0].ExpectAsync<PresenceFrame>(p => p.User == "fan5" && p.Event == "join", Patience);
            foreach (var client in clients.Skip(1).Take(4))
                await client.ExpectAsync<PresenceFrame>(p => p.User == "fan5" && p.Event == "join", Patience);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Nodes[0].WebPort}/") };
            var before = (await ClusterStatusTests.NodesAsync(http)).Sum(n => n.RelayedBatches ?? 0);
            await clients[0].SendAsync(new SayRequest("relayed", "once per node"));
            foreach (var client in clients)
                await client.ExpectAsync<MessageFrame>(m => m.Room == "relayed" && m.Text == "once per node", Patience);
            var after = (await ClusterStatusTests.NodesAsync(http)).Sum(n => n.RelayedBatches ?? 0);

            // Members on all three nodes: the room's own node hands its two their copies; the other two get one each.
            Assert.Equal(2, after - before);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }
}
