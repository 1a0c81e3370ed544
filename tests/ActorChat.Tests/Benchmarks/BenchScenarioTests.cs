using ActorChat.Bench;

namespace ActorChat.Tests.Benchmarks;

/// <summary>What the bench's scenarios ask of a server they start.</summary>
public sealed class BenchScenarioTests
{
    [Theory]
    [InlineData(Scenario.Fanout)]
    [InlineData(Scenario.ManyRooms)]
    [InlineData(Scenario.Smoke)]
    public void Scenarios_that_send_faster_than_the_flood_rate_start_the_server_without_flood_control(Scenario scenario)
    {
        var options = BenchOptions.ForScenario(scenario);

        Assert.Equal(["--flood-rate", "0"], options.StartedServerArgs);
    }

    [Theory]
    [InlineData(Scenario.Light)]
    [InlineData(Scenario.Idle)]
    [InlineData(Scenario.Hostile)]
    public void Scenarios_within_the_flood_rate_leave_the_server_its_default_flood_control(Scenario scenario)
    {
        var options = BenchOptions.ForScenario(scenario);

        Assert.Empty(options.StartedServerArgs);
    }

    [Fact]
    public void Extra_server_arguments_come_after_the_scenario_s_so_that_they_win()
    {
        var options = BenchOptions.ForScenario(Scenario.Fanout) with { ServerArgs = ["--flood-rate=10"] };

        Assert.Equal(["--flood-rate", "0", "--flood-rate=10"], options.StartedServerArgs);
    }

    [Fact]
    public void The_first_join_scenario_is_named_first_join_and_needs_one_client_and_no_senders()
    {
        Assert.True(BenchOptions.TryParseScenario("first-join", out var scenario));
        Assert.Equal(Scenario.FirstJoin, scenario);
        var options = BenchOptions.ForScenario(scenario);

        Assert.Equal((1, 0), (options.Clients, options.Senders));
        Assert.Null(options.Validate());
    }

    [Fact]
    public void A_fractional_flood_rate_is_refused_because_the_server_takes_whole_frames_per_second()
    {
        var options = BenchOptions.ForScenario(Scenario.Fanout) with { ServerFloodRate = 2.5 };

        Assert.NotNull(options.Validate());
    }
}
