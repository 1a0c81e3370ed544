using ActorChat.Messages;
using ActorChat.Tests.Cluster;
using ActorChat.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorChat.Tests.Web;

/// <summary>
/// The web page of a cluster node, in a real (headless) Chromium: when its node is killed it reconnects to another
/// node that /api/status listed, across origins, and is back in its room; while that node still holds its name, it
/// asks that node again rather than the one that is down.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserClusterFailoverTests(ChromiumFixture chromium)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 170_000)]
    public async Task When_the_node_that_served_the_page_is_killed_the_page_goes_on_with_another_node_in_its_room()
    {
        // The survivors down the killed node 3 s after it stops answering, so that its sessions' names are free soon.
        var cluster = new ThreeNodeCluster("actorchat.cluster.down-unreachable-after = 3s");
        try
        {
            await cluster.InitializeAsync();
            var doomed = cluster.Nodes[2];
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{doomed.WebPort}/") };
            await AsyncAssert.EventuallyAsync(async () => WebPortsListed(await http.GetStringAsync("/api/status")) == 3, Patience); // every node's web port is known

            await using var alice = await ChatPage.SignInAsync(chromium.Browser, new Uri($"http://127.0.0.1:{doomed.WebPort}/"), "alice");
            await alice.JoinAsync("failover");
            // The page asks /api/status for the nodes once welcomed (the second time it asks, after the one at load).
            await AsyncAssert.EventuallyAsync(async () => await alice.Page.EvaluateAsync<int>(
                "performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/status')).length") >= 2, Patience);

            // Every socket the page opens from here on, by port: it may try the killed node first, but once another
            // node has answered (which holds alice's name until the cluster downs the killed node), it stays there.
            var triedPorts = new System.Collections.Concurrent.ConcurrentQueue<int>();
            alice.Page.WebSocket += (_, socket) => triedPorts.Enqueue(new Uri(socket.Url).Port);
            doomed.Kill();
            await Expect(alice.Status).Not.ToHaveAttributeAsync("data-state", "connected");
            // Patience for a loaded CI machine: on a quiet one the cluster lets the killed node's session go ~10 s after the kill.
            try
            {
                await Expect(alice.Status).ToHaveAttributeAsync("data-state", "connected", new LocatorAssertionsToHaveAttributeOptions { Timeout = 90_000 });
            }
            catch (PlaywrightException e)
            {
                throw new Xunit.Sdk.XunitException($"{e.Message}\nsockets opened after the kill (doomed web port {doomed.WebPort}): " +
                    $"{string.Join(", ", triedPorts)}\n{Survivors(cluster, doomed)}");
            }

            await using var bob = await TestClient.ConnectAsync(cluster.Nodes[0].Port, "bob");
            await bob.SendAsync(new JoinRequest("failover"));
            var joined = await bob.ExpectAsync<JoinedFrame>(j => j.Room == "failover", Patience);
            // The page says "connected" once its socket is up; its rejoin of the room may come just after bob's join.
            if (!joined.Members.Any(m => m.StartsWith("alice", StringComparison.Ordinal)))
                await bob.ExpectAsync<PresenceFrame>(p => p.Room == "failover" && p.User.StartsWith("alice", StringComparison.Ordinal) && p.Event == "join", Patience);
            await alice.SayAsync("still here after the failover");
            var message = await bob.ExpectAsync<MessageFrame>(m => m.Text == "still here after the failover", Patience);
            Assert.StartsWith("alice", message.Sender);
            await Expect(alice.Title).ToHaveTextAsync("#failover");
            var afterTheFirstLiveNode = triedPorts.SkipWhile(port => port == doomed.WebPort).ToList();
            Assert.NotEmpty(afterTheFirstLiveNode);
            Assert.DoesNotContain(doomed.WebPort, afterTheFirstLiveNode);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>How many nodes /api/status lists with their web port (a node not heard from yet has <c>"web": null</c>).</summary>
    private static int WebPortsListed(string status)
    {
        using var json = System.Text.Json.JsonDocument.Parse(status);
        return json.RootElement.TryGetProperty("nodes", out var nodes)
            ? nodes.EnumerateArray().Count(node => node.TryGetProperty("web", out var web) && web.ValueKind == System.Text.Json.JsonValueKind.Number)
            : 0;
    }

    /// <summary>What the surviving nodes logged about alice, web sockets and the cluster, for a failure's message.</summary>
    private static string Survivors(ThreeNodeCluster cluster, ServerProcess doomed) => string.Join("\n", cluster.Nodes
        .Where(node => node != doomed)
        .Select(node => $"node on web port {node.WebPort}:\n" + string.Join("\n", node.StandardOutput.Split('\n')
            .Where(line => line.Contains("alice") || line.Contains("WebSocket") || line.Contains("UNREACHABLE") || line.Contains("SBR") || line.Contains("Leader"))
            .TakeLast(40))));
}
