using System.Net;

namespace ActorChat.Bench;

/// <summary>The bench as a library: runs one scenario and says what it measured. Never throws for a failed run.</summary>
public static class BenchRunner
{
    /// <summary>
    /// Runs <paramref name="options"/> against the server at <see cref="BenchOptions.Host"/>:<see cref="BenchOptions.Port"/>
    /// or, without a port, against a server it starts. <see cref="BenchReport.Passed"/> tells whether every phase
    /// finished in time and every member got every message of its room exactly once, in seq order.
    /// </summary>
    public static async Task<BenchReport> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var report = new BenchReport
        {
            Scenario = BenchOptions.NameOf(options.Scenario),
            StartedUtc = DateTime.UtcNow,
            Complete = true,
            Clients = options.Clients,
            Rooms = options.Rooms,
            Senders = options.Senders,
            MessagesPerSender = options.Messages,
            RatePerSender = options.Rate,
            Window = options.Window,
            TextLength = options.TextLength,
            ConnectConcurrency = options.ConnectConcurrency,
            DeadlineSeconds = options.DeadlineSeconds,
            ServerArgs = options.Port is null ? options.StartedServerArgs : options.ServerArgs,
            ServerFloodRate = options.ServerFloodRate,
            FullDecode = options.FullDecode,
            ProcessorCount = Environment.ProcessorCount,
        };
        if (options.Validate() is { } invalid)
        {
            report.Complete = false;
            report.Problems.Add(invalid);
            return report;
        }

        var benchCpuStart = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        ServerProcess? server = null;
        BenchCluster? cluster = null;
        try
        {
            // Each connection is a descriptor here and one in the server (which inherits this limit when started here).
            var wanted = (ulong)options.Clients + 1024;
            var limit = ProcStats.RaiseFileLimit(wanted);
            if (limit is { } l && l < wanted)
                options.Log?.Invoke($"warning: open-file limit is {l}, fewer than the {wanted} this run needs; run 'ulimit -n 65536' first");

            if (options.WaitQuietSeconds > 0) report.OtherBusyCoresBefore = await WaitQuietAsync(options, ct);

            if (options.Scenario == Scenario.Search)
            {
                // No server to start: the index is the server's class in this process.
                await Task.Run(() => SearchBench.Run(options, report, ct), ct);
                report.ClientsReady = report.Clients;
                report.Target = $"SQLite search index {report.Search!.IndexPath} (in process, ActorChat.Server's SqliteSearchIndex)";
                report.Complete = report.Problems.Count == 0;
                return Finish(report, options, benchCpuStart);
            }

            int port;
            int? pid;
            if (options.Nodes is { } count)
            {
                cluster = await BenchCluster.StartAsync(options, count, ct);
                server = cluster.Nodes[0];
                port = server.Port;
                pid = server.Pid;
                report.Nodes = count;
                report.ServerStartedByBench = true;
                report.Target = $"{count} cluster node(s) on {options.Host}: ports {string.Join(", ", cluster.Nodes.Select(n => n.Port))} "
                    + $"(dotnet {server.Dll}; server CPU and memory are the first node's)";
                options.Log?.Invoke($"cluster nodes listening on ports {string.Join(", ", cluster.Nodes.Select(n => n.Port))}");
            }
            else if (options.Port is { } p)
            {
                port = p;
                pid = options.ServerPid;
                report.Target = $"{options.Host}:{port}";
                if (options.ServerFloodRate is { } rate)
                    options.Log?.Invoke($"note: this scenario runs the server with --flood-rate {rate:0.###}; start the target server with it too");
            }
            else
            {
                options.Log?.Invoke("starting the server ...");
                server = await ServerProcess.StartAsync(options, TimeSpan.FromSeconds(60), ct);
                port = server.Port;
                pid = server.Pid;
                report.ServerStartedByBench = true;
                report.Target = $"{options.Host}:{port} (dotnet {server.Dll})";
                options.Log?.Invoke($"server pid {pid} listening on port {port}");
            }
            report.ServerPid = pid;

            var addresses = await Dns.GetHostAddressesAsync(options.Host, ct);
            var address = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                ?? throw new BenchException($"{options.Host} has no IPv4 address.");
            if (options.Scenario == Scenario.FirstJoin)
            {
                await FirstJoin.MeasureAsync(new IPEndPoint(address, port), report, options, ct);
            }
            else
            {
                var run = new BenchRun(options, report, pid) { ServerLogSeen = server is not null, NodeCount = cluster?.Nodes.Count ?? 1 };
                if (server is not null) server.LineReceived += run.OnServerLine;
                IReadOnlyList<IPEndPoint> targets = cluster is null
                    ? [new IPEndPoint(address, port)]
                    : cluster.Nodes.Select(n => new IPEndPoint(address, n.Port)).ToList();
                await run.ExecuteAsync(targets, ct);
            }
            if (server is { HasExited: true })
            {
                report.Complete = false;
                report.Problems.Add("the server exited during the run:\n" + server.Tail());
            }
            else if (server is not null && !report.Complete)
            {
                report.Problems.Add("the server's last output lines:\n" + server.Tail(8));
            }
        }
        catch (BenchException e)
        {
            report.Complete = false;
            report.Problems.Add(e.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            report.Complete = false;
            report.Problems.Add("cancelled");
        }
        finally
        {
            if (cluster is not null) await cluster.DisposeAsync();
            else if (server is not null) await server.DisposeAsync();
        }

        return Finish(report, options, benchCpuStart);
    }

    private static BenchReport Finish(BenchReport report, BenchOptions options, TimeSpan benchCpuStart)
    {
        report.BenchCpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - benchCpuStart).TotalSeconds;
        report.Passed = report.Complete && report.Lost == 0 && report.Duplicated == 0 && report.OutOfOrder == 0
            && report.SeqGaps == 0 && report.Corrupt == 0 && report.Misrouted == 0 && report.ErrorFrames == 0
            && report.Disconnects == 0 && report.ClientsReady == report.Clients
            && (report.Hostile is null || HostileVerdict(options, report));
        return report;
    }

    /// <summary>The hostile scenario's own rules: no honest reader cut off, the never-reader cut off, the canary answered, the flooder paced.</summary>
    private static bool HostileVerdict(BenchOptions options, BenchReport report)
    {
        var h = report.Hostile!;
        var ok = true;
        void Problem(string why)
        {
            report.Problems.Add(why);
            ok = false;
        }
        if (h.HonestReadersCutOff > 0 || h.HonestCutOffsLogged > 0)
            Problem($"{h.HonestReadersCutOff} honest readers were cut off ({h.HonestCutOffsLogged} cut-offs in the server log)");
        if (!h.NeverReaderCutOff) Problem($"the never-reader was not cut off within {h.Seconds:0.#} s");
        if (h.CanaryEchoes < h.CanarySays - 2 || h.CanaryPongs < h.CanaryPings - 2)
            Problem($"the canary got {h.CanaryEchoes} of {h.CanarySays} echoes and {h.CanaryPongs} of {h.CanaryPings} pongs");
        if (h.CanaryClosed is not null) Problem($"the canary was disconnected: {h.CanaryClosed}");
        // Flood control paces a flooder (the server stops reading it); it has no reason to drop it.
        if (h.FlooderClosed is not null)
            Problem($"the flooder was dropped at {h.FlooderClosedSeconds:0.00} s ({h.FlooderClosed}, after {h.FlooderAccepted} accepted) instead of being paced");
        // Flood control on: the flooder gets the rate and no more (the burst is spent in the first seconds).
        var rate = options.ServerFloodRate ?? 10;
        if (rate > 0 && h.FlooderSteadyPerSecond > rate * 1.25)
            Problem($"the flooder got {h.FlooderSteadyPerSecond:0.0} messages/s accepted, more than the flood rate {rate:0.#}/s");
        return ok;
    }

    /// <summary>Waits (bounded) until processes other than this one use under 0.3 cores for two seconds in a row.</summary>
    private static async Task<double?> WaitQuietAsync(BenchOptions options, CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(options.WaitQuietSeconds);
        var quietSeconds = 0;
        double others = 0;
        while (DateTime.UtcNow < until)
        {
            var m0 = ProcStats.ReadMachine();
            var s0 = ProcStats.Read(Environment.ProcessId)?.CpuSeconds ?? 0;
            await Task.Delay(1000, ct);
            var m1 = ProcStats.ReadMachine();
            var s1 = ProcStats.Read(Environment.ProcessId)?.CpuSeconds ?? 0;
            if (m0 is null || m1 is null) return null;
            others = Math.Max(0, m1.Value.Busy - m0.Value.Busy - (s1 - s0));
            if (others < 0.3)
            {
                if (++quietSeconds >= 2) return others;
            }
            else
            {
                quietSeconds = 0;
                options.Log?.Invoke($"waiting for a quiet machine: other processes use {others:0.00} cores");
            }
        }
        if (others >= 0.3) options.Log?.Invoke($"warning: the machine is still busy ({others:0.00} cores used by others); measuring anyway");
        return others;
    }
}
