using ActorChat.Bench;

namespace ActorChat.Tests.Benchmarks;

[CollectionDefinition("ClusterBench", DisableParallelization = true)]
public sealed class ClusterBenchCollection;

/// <summary>A small run of <c>--nodes 2</c>: the bench starts PostgreSQL and two cluster nodes and spreads each room over them.</summary>
[Collection("ClusterBench")]
public sealed class ClusterBenchTests
{
    [Fact(Timeout = 170_000)]
    public async Task With_two_nodes_every_message_reaches_every_member_once_and_the_cross_node_deliveries_are_timed_apart()
    {
        var options = BenchOptions.ForScenario(Scenario.Smoke) with
        {
            ServerDll = Support.ServerProcess.ServerDll,
            Nodes = 2,
            DeadlineSeconds = 60,
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(160));

        var report = await BenchRunner.RunAsync(options, cts.Token);

        Assert.True(report.Passed, string.Join("\n", report.Problems));
        Assert.Equal((2, 0L, 0L), (report.Nodes, report.Lost, report.Duplicated));
        Assert.Equal(options.Clients * (options.Clients / options.Rooms) * options.Messages, report.Deliveries);
        // Half of each room is on each node: deliveries within a node and across nodes both happen, and add up.
        Assert.NotNull(report.LatencySameNode);
        Assert.NotNull(report.LatencyCrossNode);
        Assert.True(report.LatencyCrossNode.Count > 0 && report.LatencySameNode.Count > 0);
        Assert.Equal(report.Latency!.Count, report.LatencySameNode.Count + report.LatencyCrossNode.Count);
    }

    [Fact]
    public void Nodes_are_refused_with_a_running_target()
    {
        var options = BenchOptions.ForScenario(Scenario.Smoke) with { Nodes = 2, Host = "127.0.0.1", Port = 12345 };
        Assert.Equal("--nodes starts its own servers: not with --target.", options.Validate());
    }
}
