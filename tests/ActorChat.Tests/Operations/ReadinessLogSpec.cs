using ActorChat.Server.Operations;
using ActorChat.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace ActorChat.Tests.Operations;

/// <summary>
/// A failing readiness probe is said in the log once per change, not once per request: a load balancer asking every
/// second while the database is away must not fill the log.
/// </summary>
public sealed class ReadinessLogSpec
{
    private readonly Lines _lines = new();

    private ReadinessLog Log() => new(_lines);

    private static HealthReport Report(params (string Name, HealthStatus Status, string Reason)[] checks) =>
        new(checks.ToDictionary(c => c.Name, c => new HealthReportEntry(c.Status, c.Reason, TimeSpan.Zero, null, null)), TimeSpan.Zero);

    private static readonly HealthReport StoreDown = Report(("listeners", HealthStatus.Healthy, "bound"), ("store", HealthStatus.Unhealthy, "did not write and read a row within 3 s"));
    private static readonly HealthReport AllHealthy = Report(("listeners", HealthStatus.Healthy, "bound"), ("store", HealthStatus.Healthy, "wrote and read a row"));

    [Fact]
    public void A_hundred_failing_probes_in_a_row_write_one_warning_naming_the_check_and_its_reason()
    {
        var log = Log();

        for (var i = 0; i < 100; i++) log.Observe("readiness", StoreDown);

        var line = Assert.Single(_lines.Written);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("store: did not write and read a row within 3 s", line.Text);
        Assert.DoesNotContain("listeners", line.Text);
    }

    [Fact]
    public void Recovery_is_said_once_and_a_new_failure_after_it_is_said_again()
    {
        var log = Log();

        foreach (var report in new[] { AllHealthy, StoreDown, StoreDown, AllHealthy, AllHealthy, StoreDown })
            log.Observe("readiness", report);

        Assert.Equal([LogLevel.Warning, LogLevel.Information, LogLevel.Warning], _lines.Written.Select(l => l.Level));
        Assert.Contains("healthy again", _lines.Written[1].Text);
    }

    [Fact]
    public void A_healthy_server_writes_nothing()
    {
        var log = Log();

        for (var i = 0; i < 10; i++) log.Observe("readiness", AllHealthy);

        Assert.Empty(_lines.Written);
    }

    [Fact]
    public void Another_check_failing_as_well_is_a_change_and_is_said()
    {
        var log = Log();
        var storeAndDisk = Report(("disk", HealthStatus.Unhealthy, "disk nearly full"), ("store", HealthStatus.Unhealthy, "no answer"));

        log.Observe("readiness", StoreDown);
        log.Observe("readiness", storeAndDisk);
        log.Observe("readiness", storeAndDisk);

        Assert.Equal(2, _lines.Written.Count);
        Assert.Contains("disk: disk nearly full", _lines.Written[1].Text);
    }

    [Fact]
    public void Readiness_and_liveness_are_followed_apart()
    {
        var log = Log();

        log.Observe("readiness", StoreDown);
        log.Observe("liveness", AllHealthy);
        log.Observe("readiness", StoreDown);

        Assert.Single(_lines.Written);
    }

    [Fact]
    public async Task The_server_drops_the_health_check_librarys_own_line_per_failing_check()
    {
        await using var server = await TestServer.StartAsync("--in-memory");
        var loggers = (ILoggerFactory)server.Host.Services.GetService(typeof(ILoggerFactory))!;

        Assert.False(loggers.CreateLogger(ReadinessLog.LibraryCategory).IsEnabled(LogLevel.Error));
        Assert.True(loggers.CreateLogger<ReadinessLog>().IsEnabled(LogLevel.Warning));
    }

    private sealed class Lines : ILogger<ReadinessLog>
    {
        public List<(LogLevel Level, string Text)> Written { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Written.Add((logLevel, formatter(state, exception)));
    }
}
