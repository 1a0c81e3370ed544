using System.Text.Encodings.Web;
using System.Text.Json;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using ActorChat.Server.Rooms;
using ActorChat.Server.Users;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorChat.Server.Operations;

/// <summary>
/// Liveness and readiness on Microsoft.Extensions.Diagnostics.HealthChecks. <c>/healthz/live</c>: the process
/// answers and the actor system handles a message. <c>/healthz/ready</c> (and <c>/healthz</c>, as before): the
/// listeners are bound and the server is not stopping, the store writes and reads a row in time, the data
/// directory's disk has room, and no room fails to recover. The body names each check with its status and reason.
/// </summary>
public static class ServerHealth
{
    public const string Live = "live", Ready = "ready";

    private static readonly JsonSerializerOptions Json = new()
    {
        // Reasons quote room names ('cellar'); they stay readable in the body.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static void AddChecks(IServiceCollection services, bool cluster = false)
    {
        services.AddSingleton<StoreProbe>();
        services.AddSingleton<ReadinessLog>();
        var checks = services.AddHealthChecks();
        if (cluster) checks.AddCheck<ClusterCheck>("cluster", tags: [Ready]);
        checks
            .AddCheck<ActorSystemCheck>("actor-system", tags: [Live])
            .AddCheck<ListenersCheck>("listeners", tags: [Ready])
            .AddCheck<StoreCheck>("store", tags: [Ready])
            .AddCheck<DiskCheck>("disk", tags: [Ready])
            .AddCheck<RoomsCheck>("rooms", tags: [Ready]);
    }

    public static void MapEndpoints(WebApplication app)
    {
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = (c, r) => WriteAsync(c, r, "readiness") };
        app.MapHealthChecks("/healthz", ready);
        app.MapHealthChecks("/healthz/ready", ready);
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Live), ResponseWriter = (c, r) => WriteAsync(c, r, "liveness") });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report, string what)
    {
        context.RequestServices.GetRequiredService<ReadinessLog>().Observe(what, report);
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), reason = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    /// <summary>The actor system is running and the user registry answers a question within two seconds.</summary>
    private sealed class ActorSystemCheck(ActorSystem system, ActorRegistry registry) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (system.WhenTerminated.IsCompleted) return HealthCheckResult.Unhealthy("the actor system has stopped");
            if (!registry.TryGet<UserRegistry>(out var users)) return HealthCheckResult.Healthy("the actor system runs (still starting its actors)");
            try
            {
                var count = await users.Ask<UserRegistry.UserCount>(UserRegistry.GetUserCount.Instance, TimeSpan.FromSeconds(2), cancellationToken);
                return HealthCheckResult.Healthy($"the actor system answers ({count.Users} users online)");
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return HealthCheckResult.Unhealthy("the actor system did not answer within 2 s");
            }
        }
    }

    private sealed class ListenersCheck(ServerReadiness readiness, ActorSystem system) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(readiness.IsReady && !system.WhenTerminated.IsCompleted
                ? HealthCheckResult.Healthy("every listener is bound")
                : HealthCheckResult.Unhealthy("not ready: starting, or stopping"));
    }

    private sealed class StoreCheck(ServerSettings settings, StoreProbe probe) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var problem = await probe.ProblemAsync(cancellationToken);
            return problem is null
                ? HealthCheckResult.Healthy($"the {Persistence.StoreCheck.Describe(settings.Persistence)} wrote and read a row")
                : HealthCheckResult.Unhealthy(problem);
        }
    }

    /// <summary>Free room on the disk of the data directory (SQLite only: the other stores keep nothing here).</summary>
    private sealed class DiskCheck(ServerSettings settings) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (settings.Persistence.Store != StoreKind.Sqlite)
                return Task.FromResult(HealthCheckResult.Healthy("no data directory: the store is not on this disk"));
            var directory = Path.GetFullPath(settings.Persistence.DataDirectory);
            var minimum = settings.Operations.MinFreeDiskBytes;
            try
            {
                var free = new DriveInfo(directory).AvailableFreeSpace;
                var text = $"{Mib(free)} free under {directory} (at least {Mib(minimum)} wanted)";
                return Task.FromResult(free >= minimum ? HealthCheckResult.Healthy(text) : HealthCheckResult.Unhealthy("disk nearly full: " + text));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"cannot tell the free space under {directory}: {e.Message}"));
            }
        }

        private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):0.#} MiB";
    }

    /// <summary>In cluster mode, this node is ready only while it is an Up member: joining, leaving or down, it is not.</summary>
    private sealed class ClusterCheck(ActorSystem system, ServerSettings settings) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var self = cluster.SelfMember;
            var state = cluster.State;
            if (self.Status == Akka.Cluster.MemberStatus.Up)
                return Task.FromResult(HealthCheckResult.Healthy(
                    $"this node ({cluster.SelfAddress}) is Up in a cluster of {state.Members.Count} members, {state.Unreachable.Count} unreachable"));
            var joined = state.Members.Any(m => m.Address.Equals(cluster.SelfAddress));
            return Task.FromResult(HealthCheckResult.Unhealthy(joined
                ? $"this node ({cluster.SelfAddress}) is {self.Status} in the cluster, not Up"
                : $"this node ({cluster.SelfAddress}) has not joined the cluster (status {self.Status}): {(settings.Cluster.Bootstrap.Enabled
                    ? $"bootstrap has not found it at the contact points yet ({settings.Cluster.Bootstrap.Required} of them must answer to form a new one)"
                    : "are the seed nodes reachable?")}"));
        }
    }

    private sealed class RoomsCheck(RoomHealth rooms) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(rooms.Problem is { } problem
                ? HealthCheckResult.Unhealthy(problem)
                : HealthCheckResult.Healthy("every room asked for has recovered"));
    }
}
