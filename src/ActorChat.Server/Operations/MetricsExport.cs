using System.Net;
using ActorChat.Server.Configuration;
using ActorChat.Server.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using Prometheus;

namespace ActorChat.Server.Operations;

/// <summary>
/// Where the server's meter goes (docs/operations.md, and docs/design.md for the choice of packages):
/// <list type="bullet">
/// <item><c>prometheus</c>: prometheus-net publishes this server's meter, and only it, in a registry of its own,
/// served at <c>/metrics</c> on the web port to the addresses of <see cref="OperationsSettings.MetricsAllowed"/>;
/// anyone else gets 403, since the figures tell an attacker a lot.</item>
/// <item><c>otlp</c>: the OpenTelemetry SDK pushes the <c>ActorChat</c> meter to the OTLP endpoint (HTTP).</item>
/// <item><c>off</c>: the instruments still exist (they cost next to nothing unheard); nothing listens.</item>
/// </list>
/// </summary>
public sealed class MetricsExport : IDisposable
{
    public const string Path = "/metrics";

    private readonly IDisposable? _listening;

    private MetricsExport(CollectorRegistry? registry, IDisposable? listening)
    {
        Registry = registry;
        _listening = listening;
    }

    /// <summary>The registry /metrics serves; null unless the exporter is prometheus.</summary>
    public CollectorRegistry? Registry { get; }

    public static MetricsExport Start(OperationsSettings settings, ChatMetrics metrics)
    {
        switch (settings.Metrics)
        {
            case MetricsExporter.Prometheus:
                var registry = Prometheus.Metrics.NewCustomRegistry();
                var adapter = MeterAdapter.StartListening(new MeterAdapterOptions
                {
                    Registry = registry,
                    MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry), // without it, 8.2.1 publishes to the static default registry
                    // This server's meter only: in-process test servers side by side each publish their own.
                    InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, metrics.Meter),
                    ResolveHistogramBuckets = _ => ChatMetrics.LatencyBoundaries, // both histograms are durations in seconds
                });
                if (Interlocked.Exchange(ref _prometheusWarmedUp, 1) == 0) WarmUpPrometheus(); // compiled code stays: once per process
                return new MetricsExport(registry, adapter);
            case MetricsExporter.Otlp:
                var provider = Sdk.CreateMeterProviderBuilder()
                    .AddMeter(metrics.Meter.Name)
                    .AddOtlpExporter(otlp =>
                    {
                        otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
                        otlp.Endpoint = new Uri(settings.OtlpEndpoint!, "v1/metrics");
                    })
                    .Build();
                return new MetricsExport(null, provider);
            default:
                return new MetricsExport(null, null);
        }
    }

    private static int _prometheusWarmedUp;

    /// <summary>The name of the meter <see cref="WarmUpPrometheus"/> measures on; nothing serves it.</summary>
    public const string WarmUpMeterName = "ActorChat.WarmUp";

    /// <summary>
    /// prometheus-net makes a collector on an instrument's first measurement, and the first of each kind compiles most
    /// of the library's code: on a fresh server that was half of what the first message waited for (50–60 ms,
    /// docs/benchmarks.md, "The first message after a start"). So each kind the server uses is measured once here, on a
    /// meter and a registry of their own that nothing serves, and thrown away.
    /// </summary>
    private static void WarmUpPrometheus()
    {
        using var meter = new System.Diagnostics.Metrics.Meter(WarmUpMeterName);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        using var listening = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, meter),
            ResolveHistogramBuckets = _ => ChatMetrics.LatencyBoundaries,
        });
        var label = new KeyValuePair<string, object?>("transport", "tcp");
        meter.CreateHistogram<double>("warm_up.duration", "s").Record(0.001, label);
        meter.CreateCounter<long>("warm_up.counted").Add(1, label);
        meter.CreateUpDownCounter<long>("warm_up.open").Add(1, label);
    }

    /// <summary>With the prometheus exporter: <c>/metrics</c>, for the allowed addresses only.</summary>
    public static void MapEndpoint(WebApplication app)
    {
        var export = app.Services.GetRequiredService<MetricsExport>();
        if (export.Registry is null) return;
        var settings = app.Services.GetRequiredService<ServerSettings>().Operations;
        var allowed = settings.MetricsAllowed.Select(ConnectionAdmission.ParseNetwork).ToArray();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MetricsExport).FullName!);
        var refusals = 0L;
        app.UseWhen(context => context.Request.Path.Equals(Path, StringComparison.Ordinal), branch => branch.Use(async (context, next) =>
        {
            var remote = context.Connection.RemoteIpAddress ?? IPAddress.None;
            if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
            if (IsAllowed(remote, allowed))
            {
                await next(context);
                return;
            }
            if (Interlocked.Increment(ref refusals) % 100 == 1)
                log.LogWarning("Refused a scrape of /metrics from {Remote}: not in --metrics-allowed ({Refused} refused so far)", remote, refusals);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("Metrics are served to the addresses of --metrics-allowed only.\n");
        }));
        app.MapMetrics(Path, export.Registry);
    }

    public static bool IsAllowed(IPAddress remote, IReadOnlyList<IPNetwork> allowed)
    {
        foreach (var network in allowed)
            if (network.Contains(remote)) return true;
        return false;
    }

    public void Dispose() => _listening?.Dispose();
}
