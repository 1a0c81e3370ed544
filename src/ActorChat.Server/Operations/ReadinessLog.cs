using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace ActorChat.Server.Operations;

/// <summary>
/// Says in the log when a health endpoint's answer changes, once per change: "not ready" with the failing checks and
/// their reasons as a warning, "ready again" as information. The health-check library's own line per failing check
/// per request is filtered out (<see cref="LibraryCategory"/>): a probe every second against a stopped database
/// would otherwise write an error line every second, outside the warnings' rate limit.
/// </summary>
public sealed class ReadinessLog(ILogger<ReadinessLog> log)
{
    /// <summary>The category the library logs each check's result under.</summary>
    public const string LibraryCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _lastFailing = new(StringComparer.Ordinal);

    /// <summary>Called with each answer about <paramref name="endpoint"/> ("readiness" or "liveness").</summary>
    public void Observe(string endpoint, HealthReport report)
    {
        var failing = report.Entries
            .Where(e => e.Value.Status != HealthStatus.Healthy)
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
        var names = string.Join(", ", failing.Select(e => e.Key));
        lock (_lock)
        {
            if (_lastFailing.GetValueOrDefault(endpoint, "") == names) return;
            _lastFailing[endpoint] = names;
        }
        if (failing.Count == 0)
        {
            log.LogInformation("Health, {Endpoint}: healthy again", endpoint);
            return;
        }
        var reasons = string.Join("; ", failing.Select(e => $"{e.Key}: {e.Value.Description}"));
        log.LogWarning("Health, {Endpoint}: {Status} ({Reasons}); said again only when this changes", endpoint, report.Status, reasons);
    }
}
