using System.Net;
using ActorChat.Tests.Discovery;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Operations;

/// <summary>
/// /metrics tells an attacker a lot, so it answers loopback and --metrics-allowed only. The server runs in one
/// network namespace and the scrapes come from the other, across a veth pair: nothing leaves this machine.
/// </summary>
[Collection(nameof(NetworkNamespaceTests))]
public sealed class MetricsAccessSpec
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(30);
    private const int WebPort = 18080; // free: the namespace is new

    [RootFact]
    public async Task A_scrape_from_an_address_not_allowed_is_refused_with_403_while_loopback_gets_the_metrics()
    {
        using var lan = NetworkNamespaces.Create();
        await using var server = ChildProcess.Start("ip", NetworkNamespaces.DotnetIn(lan.First, BuiltApps.ServerDll,
            "--bind", "0.0.0.0", "--port", "auto", "--udp-port", "0", "--web-port", $"{WebPort}", "--in-memory", "--tls-port", "0"));
        await server.WaitForAsync("ready:", Startup);

        var fromOtherHost = await GetAsync(lan.Second, lan.FirstAddress);
        var fromLoopback = await GetAsync(lan.First, "127.0.0.1");

        Assert.Equal(403, StatusOf(fromOtherHost));
        Assert.DoesNotContain("prometheus_net", fromOtherHost);
        Assert.Equal(200, StatusOf(fromLoopback));
        Assert.Contains("prometheus_net_meteradapter_instruments_connected", fromLoopback); // no client yet: the adapter's own gauge
    }

    [RootFact]
    public async Task An_address_in_metrics_allowed_may_scrape_from_another_host()
    {
        using var lan = NetworkNamespaces.Create();
        await using var server = ChildProcess.Start("ip", NetworkNamespaces.DotnetIn(lan.First, BuiltApps.ServerDll,
            "--bind", "0.0.0.0", "--port", "auto", "--udp-port", "0", "--web-port", $"{WebPort}", "--in-memory", "--tls-port", "0",
            "--metrics-allowed", $"{lan.SecondAddress}/32"));
        await server.WaitForAsync("ready:", Startup);

        var fromOtherHost = await GetAsync(lan.Second, lan.FirstAddress);
        var fromLoopback = await GetAsync(lan.First, "127.0.0.1");

        Assert.Equal(200, StatusOf(fromOtherHost));
        Assert.Contains("prometheus_net_meteradapter_instruments_connected", fromOtherHost);
        Assert.Equal(403, StatusOf(fromLoopback)); // the list replaces the default, loopback included
    }

    /// <summary>The status code of "HTTP/1.1 403 Forbidden".</summary>
    private static int StatusOf(string response) => int.Parse(response.Split('\n')[0].Split(' ')[1]);

    /// <summary>GET /metrics from inside a namespace, with bash's own /dev/tcp (no HTTP client needed there).</summary>
    private static async Task<string> GetAsync(string ns, string host)
    {
        var script = $"exec 3<>/dev/tcp/{host}/{WebPort} && printf 'GET /metrics HTTP/1.0\\r\\nHost: {host}\\r\\n\\r\\n' >&3 && timeout 10 cat <&3";
        await using var get = ChildProcess.Start("ip", ["netns", "exec", ns, "bash", "-c", script]);
        Assert.Equal(0, await get.WaitForExitAsync(Startup));
        return get.Output;
    }
}
