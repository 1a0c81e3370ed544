using System.Collections;
using ActorChat.Server.Configuration;

namespace ActorChat.Tests.Operations;

public sealed class OperationsSettingsSpec
{
    private static LoadResult Load(params string[] args) => SettingsLoader.Load(args, new Hashtable());

    [Fact]
    public void By_default_metrics_go_to_prometheus_for_loopback_only()
    {
        var settings = Load().Settings!.Operations;

        Assert.Equal(MetricsExporter.Prometheus, settings.Metrics);
        Assert.Equal(["127.0.0.0/8", "::1"], settings.MetricsAllowed);
        Assert.Equal(64L << 20, settings.MinFreeDiskBytes);
    }

    [Fact]
    public void Metrics_off_and_an_allowed_list_are_taken_from_flags()
    {
        var settings = Load("--metrics", "off", "--metrics-allowed", "10.0.0.0/8, 192.168.1.7").Settings!.Operations;

        Assert.Equal(MetricsExporter.Off, settings.Metrics);
        Assert.Equal(["10.0.0.0/8", "192.168.1.7"], settings.MetricsAllowed);
    }

    [Fact]
    public void Otlp_takes_its_endpoint_from_the_flag()
    {
        var settings = Load("--metrics", "otlp", "--otlp-endpoint", "http://127.0.0.1:4318").Settings!.Operations;

        Assert.Equal(MetricsExporter.Otlp, settings.Metrics);
        Assert.Equal(new Uri("http://127.0.0.1:4318"), settings.OtlpEndpoint);
    }

    [Fact]
    public void Otlp_without_an_endpoint_is_refused_with_a_clear_error()
    {
        var load = Load("--metrics", "otlp");

        Assert.Null(load.Settings);
        Assert.Contains("otlp needs an endpoint (--otlp-endpoint URL", load.Error);
    }

    [Fact]
    public void An_unknown_exporter_and_a_bad_allowed_address_are_refused()
    {
        Assert.Contains("off, prometheus or otlp", Load("--metrics", "statsd").Error);
        Assert.NotNull(Load("--metrics-allowed", "not-an-address").Error);
        Assert.Contains("http:// or https:// URL", Load("--otlp-endpoint", "ftp://example").Error);
    }
}
