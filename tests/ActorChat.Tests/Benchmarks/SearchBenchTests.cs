using ActorChat.Bench;

namespace ActorChat.Tests.Benchmarks;

/// <summary>A small run of the search scenario, so the benchmark cannot rot. Times are reported, not asserted.</summary>
public sealed class SearchBenchTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("actorchat-searchbench-").FullName;

    [Fact]
    public async Task The_search_scenario_builds_an_index_and_finds_results_for_every_query_kind()
    {
        var options = BenchOptions.ForScenario(Scenario.Search) with { Messages = 5000, IndexPath = Path.Combine(_directory, "search.db") };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var report = await BenchRunner.RunAsync(options, cts.Token);

        Assert.True(report.Passed, string.Join("\n", report.Problems));
        var search = Assert.IsType<SearchReport>(report.Search);
        Assert.False(search.Reused);
        Assert.Equal(5000 + 10 * 50, search.Messages);
        Assert.True(search.IndexBytes > 0);
        Assert.Equal(["rare word", "common word", "prefix", "two-word phrase", "room-filtered", "before paging"], search.Kinds.Select(k => k.Kind));
        Assert.All(search.Kinds, kind =>
        {
            Assert.Equal(20, kind.Queries);
            Assert.True(kind.MinHits > 0, $"{kind.Kind} ({kind.Example}) found nothing");
            Assert.NotNull(kind.Latency);
        });
    }

    [Fact]
    public async Task A_complete_index_of_the_same_size_is_reused_rather_than_built_again()
    {
        var options = BenchOptions.ForScenario(Scenario.Search) with { Messages = 5000, IndexPath = Path.Combine(_directory, "search.db") };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var first = await BenchRunner.RunAsync(options, cts.Token);
        var second = await BenchRunner.RunAsync(options, cts.Token);
        var larger = await BenchRunner.RunAsync(options with { Messages = 6000 }, cts.Token);

        Assert.False(first.Search!.Reused);
        Assert.True(second.Search!.Reused, string.Join("\n", second.Problems));
        Assert.False(larger.Search!.Reused);
        Assert.True(second.Passed && larger.Passed, string.Join("\n", second.Problems.Concat(larger.Problems)));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
