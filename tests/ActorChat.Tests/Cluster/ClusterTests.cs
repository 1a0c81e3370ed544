using System.Net;
using System.Net.Sockets;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Cluster;

[CollectionDefinition("Cluster", DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<ThreeNodeCluster>;

/// <summary>
/// Three real server processes on loopback in cluster mode, on one PostgreSQL: the first forms the cluster, the
/// other two join through it. In the shared one, sharding checks the balance of rooms every 2 s rather than 10 s,
/// so that a node that joins takes its share soon (<see cref="NodeJoinTests"/>).
/// </summary>
public sealed class ThreeNodeCluster : IAsyncLifetime
{
    private readonly PostgresServer _postgres = new();
    private readonly string _configFile = Path.Combine(Path.GetTempPath(), $"actorchat-cluster-{Guid.NewGuid():N}.conf");
    private readonly string _config;

    public ThreeNodeCluster() : this("akka.cluster.sharding.rebalance-interval = 2s") { }

    /// <summary>A cluster of its own, with more HOCON for every node (as a test that kills a node starts one).</summary>
    internal ThreeNodeCluster(string config) => _config = config;

    public List<ServerProcess> Nodes { get; } = [];

    /// <summary>Each node's Akka.Remote port, in the order of <see cref="Nodes"/>.</summary>
    public List<int> ClusterPorts { get; } = [];

    /// <summary>Each node's UDP discovery port (on 127.0.0.1, so answering only requests sent to it), in the order of <see cref="Nodes"/>.</summary>
    public List<int> DiscoveryPorts { get; } = [];

    public string ConnectionString => _postgres.ConnectionString;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_configFile, _config + "\n");
        await _postgres.InitializeAsync();
        // The first node creates the tables and forms the cluster; the others join it.
        Nodes.Add(await StartNodeAsync());
        Nodes.AddRange(await Task.WhenAll(StartNodeAsync(), StartNodeAsync()));
    }

    /// <summary>
    /// Starts one more node, which joins the cluster through the first, and gives its Akka.Remote port. It is not
    /// in <see cref="Nodes"/>: the test that starts it stops it.
    /// </summary>
    public async Task<(ServerProcess Node, int ClusterPort)> StartExtraNodeAsync()
    {
        var port = FreePort();
        return (await StartNodeAsync(port), port);
    }

    private Task<ServerProcess> StartNodeAsync(int? clusterPort = null)
    {
        var port = clusterPort ?? FreePort();
        var udp = FreeUdpPort();
        if (clusterPort is null)
        {
            ClusterPorts.Add(port);
            DiscoveryPorts.Add(udp);
        }
        var seed = $"127.0.0.1:{ClusterPorts[0]}";
        return ServerProcess.StartReadyAsync(
            "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", port.ToString(), "--seed-nodes", seed,
            "--postgres", _postgres.ConnectionString, "--operator", "root", "--udp-port", udp.ToString(), "--config", _configFile);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        await _postgres.DisposeAsync();
        File.Delete(_configFile);
    }

    public static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[Collection("Cluster")]
public sealed class ClusterTests(ThreeNodeCluster cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private int Port(int node) => cluster.Nodes[node].Port;

    [Fact]
    public async Task Clients_on_three_nodes_in_one_room_see_every_message_once_and_in_the_same_order()
    {
        const int perClient = 20;
        var clients = new List<TestClient>();
        try
        {
            for (var node = 0; node < 3; node++) clients.Add(await TestClient.ConnectAsync(Port(node), $"order{node}"));
            foreach (var client in clients)
            {
                await client.SendAsync(new JoinRequest("spread"));
                await client.ExpectAsync<JoinedFrame>(j => j.Room == "spread", Patience);
            }
            for (var i = 0; i < perClient; i++)
                foreach (var client in clients) await client.SendAsync(new SayRequest("spread", $"{client.Name} {i}"));

            var seen = new List<List<(long Seq, string Text)>>();
            foreach (var client in clients)
            {
                var messages = new List<(long, string)>();
                for (var n = 0; n < perClient * clients.Count; n++) // bounded: exactly the messages said
                {
                    var message = await client.ExpectAsync<MessageFrame>(m => m.Room == "spread", Patience);
                    messages.Add((message.Seq, message.Text));
                }
                seen.Add(messages);
            }
            foreach (var messages in seen)
            {
                Assert.Equal(perClient * clients.Count, messages.Select(m => m.Text).Distinct().Count());
                Assert.Equal(messages.OrderBy(m => m.Seq).ToList(), messages);
                Assert.Equal(seen[0], messages);
            }
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Presence_and_direct_messages_cross_nodes()
    {
        await using var ann = await TestClient.ConnectAsync(Port(0), "ann");
        await using var bob = await TestClient.ConnectAsync(Port(2), "bob");
        await ann.SendAsync(new JoinRequest("meet"));
        await ann.ExpectAsync<JoinedFrame>(j => j.Room == "meet", Patience);
        await bob.SendAsync(new JoinRequest("meet"));
        var joined = await bob.ExpectAsync<JoinedFrame>(j => j.Room == "meet", Patience);
        Assert.Contains("ann", joined.Members);
        await ann.ExpectAsync<PresenceFrame>(p => p.Room == "meet" && p.User == "bob" && p.Event == "join", Patience);

        await bob.SendAsync(new WhoRequest("meet"));
        var members = await bob.ExpectAsync<MembersFrame>(m => m.Room == "meet", Patience);
        Assert.Equal(["ann", "bob"], members.Members.Order());

        await ann.SendAsync(new DirectMessageRequest("bob", "across the cluster"));
        var dm = await bob.ExpectAsync<DirectMessageFrame>(timeout: Patience);
        Assert.Equal(("ann", "across the cluster"), (dm.From, dm.Text));
    }

    [Fact]
    public async Task A_name_taken_on_one_node_is_taken_on_another()
    {
        await using var first = await TestClient.ConnectAsync(Port(0), "unique");
        await using var second = await ActorChat.Client.ChatConnection.ConnectAsync("127.0.0.1", Port(1));
        await second.SendAsync(new HelloRequest("UNIQUE"));
        using var cts = new CancellationTokenSource(Patience);
        var error = Assert.IsType<ErrorFrame>(await second.ReceiveAsync(cts.Token));
        Assert.Equal(ErrorCodes.NameTaken, error.Code);
    }

    [Fact]
    public async Task A_room_created_on_one_node_is_listed_on_another()
    {
        await using var maker = await TestClient.ConnectAsync(Port(1), "maker");
        await maker.SendAsync(new JoinRequest("listed-room"));
        await maker.ExpectAsync<JoinedFrame>(j => j.Room == "listed-room", Patience);
        await using var reader = await TestClient.ConnectAsync(Port(2), "reader");
        // The catalog hears of the room's member from the room itself, a moment after the join is answered.
        await AsyncAssert.EventuallyAsync(async () =>
        {
            await reader.SendAsync(new RoomListRequest());
            var list = await reader.ExpectAsync<RoomListFrame>(timeout: Patience);
            return list.Rooms.Any(r => r.Name == "listed-room" && r.Members == 1);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_operator_registered_on_another_node_than_the_account_book_cannot_drop_a_room_yet_and_is_told_so()
    {
        // The account book is a cluster singleton on the oldest node (the first); the password crosses to it.
        await using var root = await ActorChat.Client.ChatConnection.ConnectAsync("127.0.0.1", Port(2));
        using var cts = new CancellationTokenSource(Patience);
        await root.SendAsync(new RegisterRequest("root", "correct horse battery"));
        var registered = await root.ReceiveAsync(cts.Token);
        if (registered is ErrorFrame { Code: ErrorCodes.NameTaken }) // ClusterStatusTests may have registered root first
        {
            await root.SendAsync(new HelloRequest("root", "correct horse battery"));
            registered = await root.ReceiveAsync(cts.Token);
        }
        Assert.True(registered is RegisteredFrame or WelcomeFrame { Operator: true }, $"register or sign-in got {registered}");
        await root.SendAsync(new DropRequest("anything") { Ref = "d1" });
        var error = Assert.IsType<ErrorFrame>(await root.ReceiveAsync(cts.Token));
        Assert.Equal((ErrorCodes.Unavailable, "d1"), (error.Code, error.Ref));
        Assert.Contains("cluster", error.Message);
    }
}

public sealed class ClusterModeRefusalTests
{
    [Fact]
    public async Task Cluster_mode_on_SQLite_is_refused_with_exit_code_1_and_says_why()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-cluster-{Guid.NewGuid():N}");
        try
        {
            await using var server = ServerProcess.Start("--bind", "127.0.0.1", "--port", "auto", "--cluster", "--cluster-port", "0", "--data-dir", dataDir);
            Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            var error = server.StandardError.Trim();
            Assert.Single(error.Split('\n'));
            Assert.Contains("cluster mode needs PostgreSQL (--postgres)", error);
        }
        finally
        {
            if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Cluster_mode_in_memory_is_refused_with_exit_code_1()
    {
        await using var server = ServerProcess.Start("--bind", "127.0.0.1", "--port", "auto", "--cluster", "--cluster-port", "0", "--in-memory");
        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("cluster mode needs PostgreSQL", server.StandardError);
    }
}
