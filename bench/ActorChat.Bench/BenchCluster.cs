using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace ActorChat.Bench;

/// <summary>
/// <c>--nodes N</c>: a throw-away PostgreSQL (scripts/test-postgres.sh, as the cluster tests use) and N servers
/// in cluster mode on loopback, the first forming the cluster and the others joining it, each ready once its
/// <c>/healthz/ready</c> says it is Up. Discovery, TLS and HTTPS are off so that the nodes never meet on a port.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly string _postgresDir = Path.Combine(Path.GetTempPath(), $"actorchat-bench-pg-{Guid.NewGuid():N}"[..34]);
    private readonly string _script;
    private bool _postgresStarted;

    private BenchCluster(string script) => _script = script;

    public List<ServerProcess> Nodes { get; } = [];

    public static async Task<BenchCluster> StartAsync(BenchOptions options, int count, CancellationToken ct)
    {
        var root = ServerProcess.FindRepositoryRoot() ?? throw new BenchException("--nodes needs the repository's scripts/test-postgres.sh: run from the repository.");
        var cluster = new BenchCluster(Path.Combine(root, "scripts", "test-postgres.sh"));
        try
        {
            var pgPort = ServerProcess.FreePort();
            options.Log?.Invoke($"starting PostgreSQL on port {pgPort} ...");
            await cluster.RunScriptAsync(ct, "start", cluster._postgresDir, pgPort.ToString(CultureInfo.InvariantCulture));
            cluster._postgresStarted = true;
            var postgres = $"Host=127.0.0.1;Port={pgPort};Database=actorchat;Username=postgres;Timeout=5";
            var remotePorts = Enumerable.Range(0, count).Select(_ => ServerProcess.FreePort()).ToArray();
            var webPorts = Enumerable.Range(0, count).Select(_ => ServerProcess.FreePort()).ToArray();
            BenchOptions NodeOptions(int node) => options with
            {
                ServerArgs =
                [
                    "--cluster", "--cluster-host", "127.0.0.1", "--cluster-port", remotePorts[node].ToString(CultureInfo.InvariantCulture),
                    "--seed-nodes", $"127.0.0.1:{remotePorts[0]}", "--postgres", postgres,
                    "--web-port", webPorts[node].ToString(CultureInfo.InvariantCulture), "--udp-port", "0", "--tls-port", "0", "--web-tls-port", "0",
                    .. options.ServerArgs,
                ],
            };
            // The first node creates the tables and forms the cluster; the others join it.
            options.Log?.Invoke($"starting {count} cluster nodes ...");
            cluster.Nodes.Add(await ServerProcess.StartAsync(NodeOptions(0), TimeSpan.FromSeconds(90), ct, "node 1"));
            await WaitUpAsync(webPorts[0], ct);
            var joining = Enumerable.Range(1, count - 1).Select(n => ServerProcess.StartAsync(NodeOptions(n), TimeSpan.FromSeconds(90), ct, $"node {n + 1}")).ToList();
            foreach (var node in joining) cluster.Nodes.Add(await node);
            for (var n = 1; n < count; n++) await WaitUpAsync(webPorts[n], ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits (at most 60 s) until the node's readiness says 200: it is Up in the cluster.</summary>
    private static async Task WaitUpAsync(int webPort, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var until = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < until)
        {
            try
            {
                var response = await http.GetAsync($"http://127.0.0.1:{webPort}/healthz/ready", ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(250, ct);
        }
        throw new BenchException($"The node with web port {webPort} was not Up in the cluster within 60 s.");
    }

    private async Task RunScriptAsync(CancellationToken ct, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(_script);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new BenchException("Could not start bash.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new BenchException($"test-postgres.sh {args[0]} failed: {await stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        if (_postgresStarted) await RunScriptAsync(CancellationToken.None, "stop", _postgresDir);
        try { Directory.Delete(_postgresDir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
