using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Cluster;

/// <summary>
/// Every node knows the others' chat addresses: its discovery answer and /api/status list them, the console client
/// found by discovery keeps them to fail over to, and a page served by one node may open another's WebSocket.
/// </summary>
[Collection("Cluster")]
public sealed class ClusterDiscoveryTests(ThreeNodeCluster cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private IEnumerable<DiscoveryNode> Expected => Enumerable.Range(0, 3)
        .Select(i => new DiscoveryNode("127.0.0.1", cluster.Nodes[i].Port, cluster.Nodes[i].WebPort));

    [Fact]
    public async Task Each_nodes_discovery_answer_gives_its_own_ports_and_lists_every_node_itself_first()
    {
        for (var node = 0; node < 3; node++)
        {
            var answering = node;
            DiscoveryAnnouncement? answer = null;
            // The nodes ask each other their ports once Up: a node that started a moment ago may not list all yet.
            await AsyncAssert.EventuallyAsync(async () =>
            {
                answer = await DiscoverAsync(cluster.DiscoveryPorts[answering]);
                return answer?.Nodes?.Count == 3;
            }, Patience);
            Assert.Equal((cluster.Nodes[node].Port, cluster.Nodes[node].WebPort), (answer!.TcpPort, answer.WebPort));
            Assert.Equal(new DiscoveryNode("127.0.0.1", cluster.Nodes[node].Port, cluster.Nodes[node].WebPort), answer.Nodes![0]);
            Assert.Equal(Expected.OrderBy(n => n.Port), answer.Nodes.OrderBy(n => n.Port));
        }
    }

    [Fact]
    public async Task The_status_of_a_node_gives_every_nodes_chat_host_and_ports()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Nodes[1].WebPort}/") };
        List<DiscoveryNode> listed = [];
        await AsyncAssert.EventuallyAsync(async () =>
        {
            var json = JsonDocument.Parse(await http.GetStringAsync("/api/status")).RootElement.GetProperty("nodes");
            listed = json.EnumerateArray()
                .Where(n => n.TryGetProperty("port", out var port) && port.ValueKind == JsonValueKind.Number)
                .Select(n => new DiscoveryNode(n.GetProperty("host").GetString()!, n.GetProperty("port").GetInt32(), n.GetProperty("web").GetInt32()))
                .ToList();
            return listed.Count == 3;
        }, Patience);
        Assert.Equal(Expected.OrderBy(n => n.Port), listed.OrderBy(n => n.Port));
    }

    [Fact]
    public async Task A_page_served_by_another_node_may_open_this_nodes_WebSocket_but_a_stranger_may_not()
    {
        var otherNodesPage = $"http://127.0.0.1:{cluster.Nodes[0].WebPort}";
        var uri = new Uri($"ws://127.0.0.1:{cluster.Nodes[2].WebPort}/ws");
        await AsyncAssert.EventuallyAsync(async () => await UpgradeStatusAsync(uri, otherNodesPage) == HttpStatusCode.SwitchingProtocols, Patience);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatusAsync(uri, $"http://localhost:{cluster.Nodes[1].WebPort}"));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(uri, $"http://127.0.0.1:{ThreeNodeCluster.FreePort()}"));
    }

    [Fact]
    public async Task The_console_client_found_by_discovery_keeps_the_other_nodes_to_fail_over_to()
    {
        await AsyncAssert.EventuallyAsync(async () => (await DiscoverAsync(cluster.DiscoveryPorts[1]))?.Nodes?.Count == 3, Patience);
        await using var client = ChildProcess.StartDotnet(BuiltApps.ClientDll,
            "--discovery-target", "127.0.0.1", "--discovery-port", cluster.DiscoveryPorts[1].ToString(), "--name", "finder");
        await client.WaitForAsync(" as finder. Type /help", Patience);
        // The node found first, then the others in the order of their cluster addresses.
        var order = new[] { 0, 2 }.OrderBy(i => cluster.ClusterPorts[i].ToString(), StringComparer.Ordinal).Prepend(1);
        var others = string.Join(", ", order.Select(i => $"127.0.0.1:{cluster.Nodes[i].Port}"));
        Assert.Contains($"is one of 3 cluster nodes; when its connection is lost the next is tried: {others}.", client.Output);
        client.CloseInput();
        Assert.Equal(0, await client.WaitForExitAsync(Patience));
    }

    private static async Task<DiscoveryAnnouncement?> DiscoverAsync(int udpPort)
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await socket.SendAsync(DiscoveryCodec.EncodeRequest(), new IPEndPoint(IPAddress.Loopback, udpPort));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            var datagram = await socket.ReceiveAsync(timeout.Token);
            Assert.True(datagram.Buffer.Length <= DiscoveryCodec.MaxDatagramBytes);
            return DiscoveryCodec.TryDecodeReply(datagram.Buffer, out var answer) ? answer : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<HttpStatusCode> UpgradeStatusAsync(Uri uri, string origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
        catch (WebSocketException)
        {
        }
        return socket.HttpStatusCode;
    }
}
