using ActorChat.Bench;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Benchmarks;

/// <summary>A small run of the benchmark against the real server, so the benchmark cannot rot.</summary>
public sealed class BenchmarkSmokeTests
{
    [Fact]
    public async Task The_smoke_scenario_delivers_every_message_once_in_order()
    {
        // The in-process server gets the arguments the scenario gives a server it starts (flood control off).
        var smoke = BenchOptions.ForScenario(Scenario.Smoke);
        await using var server = await TestServer.StartAsync([.. smoke.StartedServerArgs]);
        var options = smoke with { Host = "127.0.0.1", Port = server.TcpEndpoint.Port };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var report = await BenchRunner.RunAsync(options, cts.Token);

        Assert.True(report.Passed, string.Join("\n", report.Problems));
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        Assert.Equal(0, report.OutOfOrder);
        // 20 clients in 2 rooms of 10, each sending 5: every member gets 10 × 5 messages.
        Assert.Equal(options.Clients * (options.Clients / options.Rooms) * options.Messages, report.Deliveries);
    }

    [Fact]
    public async Task The_first_join_scenario_starts_a_fresh_server_and_reports_the_first_join_s_round_trip()
    {
        // The bench starts the server itself (the scenario is about a server that has just started), here the tests' build.
        var options = BenchOptions.ForScenario(Scenario.FirstJoin) with
        {
            ServerDll = ActorChat.Tests.Support.ServerProcess.ServerDll,
            ServerArgs = ["--web-port", "0", "--udp-port", "0", "--tls-port", "0"],
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        var report = await BenchRunner.RunAsync(options, cts.Token);

        Assert.True(report.Passed, string.Join("\n", report.Problems));
        Assert.True(report.ServerStartedByBench);
        Assert.NotNull(report.FirstJoin);
        Assert.True(report.FirstJoin.JoinMs > 0);
        Assert.True(report.FirstJoin.SecondJoinMs > 0);
    }
}
