using System.Net;
using System.Text.Json;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Cluster;

/// <summary>/api/status names the cluster's members with their load; /healthz is ready only on an Up member.</summary>
[Collection("Cluster")]
public sealed class ClusterStatusTests(ThreeNodeCluster cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_status_of_any_node_lists_every_member_Up_with_the_rooms_and_connections_it_holds()
    {
        await using var visitor = await TestClient.ConnectAsync(cluster.Nodes[1].Port, "visitor");
        await visitor.SendAsync(new JoinRequest("status-room"));
        await visitor.ExpectAsync<JoinedFrame>(j => j.Room == "status-room", Patience);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Nodes[2].WebPort}/") };
        var nodes = await NodesAsync(http);

        Assert.Equal(cluster.ClusterPorts.Select(p => $"akka.tcp://actorchat@127.0.0.1:{p}").Order(), nodes.Select(n => n.Address).Order());
        Assert.All(nodes, n => Assert.Equal(("Up", true), (n.State, n.Reachable)));
        Assert.Equal($"akka.tcp://actorchat@127.0.0.1:{cluster.ClusterPorts[2]}", Assert.Single(nodes, n => n.Self).Address);
        var visited = nodes.Single(n => n.Address.EndsWith($":{cluster.ClusterPorts[1]}"));
        Assert.True(visited.Connections >= 1, $"node 1 holds the visitor's connection, reported {visited.Connections}");
        Assert.True(nodes.Sum(n => n.Rooms ?? 0) >= 1, "the room the visitor joined runs on some node");
        Assert.All(nodes, n => Assert.NotNull(n.Rooms));
    }

    [Fact]
    public async Task An_operators_dashboard_snapshot_lists_every_member_of_the_cluster()
    {
        // root is the cluster's operator; another spec of the collection may have registered it already. Over a
        // WebSocket, as the chat page signs in: only there does the answer carry a session token (for this node).
        await using var root = await ActorChat.Tests.Web.WebSocketTestClient.ConnectAsync(new Uri($"ws://127.0.0.1:{cluster.Nodes[1].WebPort}/ws"));
        await root.SendAsync(new RegisterRequest("root", "correct horse battery"));
        var answer = await root.ExpectAsync<ServerFrame>(f => f is RegisteredFrame or ErrorFrame, Patience);
        if (answer is ErrorFrame) // name_taken, or the registration window is spent
        {
            await root.SendAsync(new HelloRequest("root", "correct horse battery"));
            answer = await root.ExpectAsync<ServerFrame>(f => f is WelcomeFrame or ErrorFrame, Patience);
        }
        var token = answer switch
        {
            RegisteredFrame registered => registered.SessionToken,
            WelcomeFrame welcome => welcome.SessionToken,
            _ => throw new InvalidOperationException($"signing in as root got {answer}"),
        };
        Assert.False(string.IsNullOrEmpty(token), $"no session token in {answer}");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Nodes[1].WebPort}/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin");
        request.Headers.Add("Cookie", $"actorchat_session={token}");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var nodes = json.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(cluster.ClusterPorts.Select(p => $"akka.tcp://actorchat@127.0.0.1:{p}").Order(),
            nodes.Select(n => n.GetProperty("address").GetString()).Order());
        Assert.Equal($"akka.tcp://actorchat@127.0.0.1:{cluster.ClusterPorts[1]}",
            Assert.Single(nodes, n => n.GetProperty("self").GetBoolean()).GetProperty("address").GetString());
    }

    [Fact]
    public async Task An_Up_member_is_ready_and_its_readiness_names_the_cluster_check()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Nodes[0].WebPort}/") };
        var response = await http.GetAsync("/healthz");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var check = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "cluster");
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.Contains("is Up in a cluster of 3 members", check.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_node_that_cannot_join_its_cluster_answers_readiness_503_and_says_why()
    {
        var nobody = ThreeNodeCluster.FreePort(); // a seed node that is not there
        await using var lonely = await ServerProcess.StartReadyAsync(
            "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", ThreeNodeCluster.FreePort().ToString(),
            "--seed-nodes", $"127.0.0.1:{nobody}", "--postgres", cluster.ConnectionString);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{lonely.WebPort}/") };

        var response = await http.GetAsync("/healthz");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var check = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "cluster");
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains("has not joined the cluster", check.GetProperty("reason").GetString());
    }

    public sealed record Node(string Address, string State, bool Reachable, bool Self, int? Rooms, long? Connections, long? RelayedBatches);

    public static async Task<List<Node>> NodesAsync(HttpClient http)
    {
        var json = await http.GetStringAsync("/api/status");
        var nodes = JsonDocument.Parse(json).RootElement.GetProperty("nodes");
        return nodes.Deserialize<List<Node>>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }
}
