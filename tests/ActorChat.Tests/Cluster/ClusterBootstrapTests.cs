using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Xunit.Abstractions;

namespace ActorChat.Tests.Cluster;

/// <summary>Three real server processes with cluster bootstrap (its own database and cluster; run alone, as "Cluster" is).</summary>
[CollectionDefinition("ClusterBootstrap", DisableParallelization = true)]
public sealed class ClusterBootstrapCollection;

/// <summary>
/// Cluster bootstrap (--bootstrap): nodes given no seed nodes, only the list of each other's management endpoints
/// (Akka.Discovery's config method), form one cluster by themselves.
/// </summary>
[Collection("ClusterBootstrap")]
public sealed class ClusterBootstrapTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 170_000)]
    public async Task Three_nodes_given_only_each_others_management_endpoints_form_one_cluster_and_chat_across_it()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: PostgreSQL up");
        var nodes = new List<ServerProcess>();
        try
        {
            var clusterPorts = Enumerable.Range(0, 3).Select(_ => ThreeNodeCluster.FreePort()).ToArray();
            var managementPorts = Enumerable.Range(0, 3).Select(_ => ThreeNodeCluster.FreePort()).ToArray();
            var contactPoints = string.Join(",", managementPorts.Select(p => $"127.0.0.1:{p}"));
            Task<ServerProcess> StartNode(int i) => ServerProcess.StartReadyAsync(
                "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", clusterPorts[i].ToString(),
                "--bootstrap", "--management-port", managementPorts[i].ToString(), "--contact-points", contactPoints,
                "--postgres", postgres.ConnectionString);
            // The first creates the tables; it cannot form the cluster alone (all three contact points must answer).
            nodes.Add(await StartNode(0));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: node 0 started");
            Assert.Contains($"Cluster bootstrap: the management endpoint listens at http://127.0.0.1:{managementPorts[0]}/", nodes[0].StandardOutput);
            using (var alone = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{nodes[0].WebPort}/") })
            {
                var response = await alone.GetAsync("/healthz/ready");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                var check = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement
                    .GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "cluster");
                Assert.Contains("bootstrap has not found it at the contact points yet (3 of them must answer", check.GetProperty("reason").GetString());
            }
            nodes.AddRange(await Task.WhenAll(StartNode(1), StartNode(2)));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: nodes 1 and 2 started");

            var expected = clusterPorts.Select(p => $"akka.tcp://actorchat@127.0.0.1:{p}").Order().ToList();
            foreach (var node in nodes)
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.WebPort}/") };
                // Bootstrap waits for its stable margin (5 s) before the lowest contact point forms the cluster; the
                // others join it a moment later.
                List<ClusterStatusTests.Node> members = [];
                await AsyncAssert.EventuallyAsync(async () =>
                {
                    if ((await http.GetAsync("/healthz/ready")).StatusCode != HttpStatusCode.OK) return false;
                    members = await ClusterStatusTests.NodesAsync(http);
                    return members.Count == 3 && members.All(m => m.State == "Up");
                }, TimeSpan.FromSeconds(90));
                Assert.Equal(expected, members.Select(m => m.Address).Order());
                output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: node on web port {node.WebPort} ready, three members Up");
            }

            // What the management endpoint tells the other nodes: this node and the members it sees.
            using (var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPorts[1]}/") })
            {
                var seedNodes = JsonDocument.Parse(await management.GetStringAsync("/bootstrap/seed-nodes")).RootElement;
                Assert.Contains($":{clusterPorts[1]}", seedNodes.GetProperty("SelfNode").ToString());
                Assert.Equal(3, seedNodes.GetProperty("Nodes").GetArrayLength());
                // Read-only: only a GET is answered with the members; Akka.Management's other routes are off.
                using var post = await management.PostAsync("/bootstrap/seed-nodes", new StringContent(""));
                Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
                foreach (var path in new[] { "/remote/address", "/cluster-client/receptionist" })
                {
                    using var other = await management.GetAsync(path);
                    Assert.True(other.StatusCode != HttpStatusCode.OK, $"{path} answered {other.StatusCode}");
                }
            }
            // It listens on the cluster host only: another loopback address of the machine finds no one there.
            using (var other = new TcpClient())
                await Assert.ThrowsAsync<SocketException>(() => other.ConnectAsync(IPAddress.Parse("127.0.0.2"), managementPorts[0]));

            await using var ann = await TestClient.ConnectAsync(nodes[0].Port, "boot-ann");
            await using var bob = await TestClient.ConnectAsync(nodes[2].Port, "boot-bob");
            await ann.SendAsync(new JoinRequest("bootstrapped"));
            await ann.ExpectAsync<JoinedFrame>(j => j.Room == "bootstrapped", Patience);
            await bob.SendAsync(new JoinRequest("bootstrapped"));
            await bob.ExpectAsync<JoinedFrame>(j => j.Room == "bootstrapped", Patience);
            await ann.SendAsync(new SayRequest("bootstrapped", "found you without seed nodes"));
            var message = await bob.ExpectAsync<MessageFrame>(m => m.Room == "bootstrapped", Patience);
            Assert.Equal(("boot-ann", "found you without seed nodes"), (message.Sender, message.Text));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: a message crossed the cluster");
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
            await postgres.DisposeAsync();
        }
    }
}

/// <summary>Bootstrap settings a node refuses before it starts anything: a one-line error and exit code 1.</summary>
public sealed class ClusterBootstrapRefusalTests
{
    // Never reached: the refusals come before the store is opened.
    private const string Postgres = "Host=127.0.0.1;Port=1;Database=actorchat;Timeout=1";

    [Fact]
    public async Task Bootstrap_with_seed_nodes_is_refused_with_exit_code_1_and_says_why()
    {
        await using var server = ServerProcess.Start("--bind", "127.0.0.1", "--port", "auto", "--cluster", "--cluster-port", "0",
            "--postgres", Postgres, "--bootstrap", "--contact-points", "127.0.0.1:8558", "--seed-nodes", "127.0.0.1:4053");

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var error = server.StandardError.Trim();
        Assert.Single(error.Split('\n'));
        Assert.Contains("--bootstrap and --seed-nodes cannot be used together", error);
    }

    [Fact]
    public async Task A_management_port_in_use_is_refused_with_exit_code_1_naming_it()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var server = ServerProcess.Start("--bind", "127.0.0.1", "--port", "auto", "--cluster", "--cluster-port", "0",
            "--postgres", Postgres, "--bootstrap", "--management-port", port.ToString(), "--contact-points", $"127.0.0.1:{port}");

        Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var error = server.StandardError.Trim();
        Assert.Single(error.Split('\n'));
        Assert.Contains($"cannot listen on management HTTP 127.0.0.1:{port}: the port is already in use", error);
    }
}
