using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ActorChat.Bench;
using ActorChat.CommandLine;

return await BenchProgram.MainAsync(args);

internal static class BenchProgram
{
    public static async Task<int> MainAsync(string[] args)
    {
        // Socket completions run on the socket engine's thread instead of hopping to the thread pool: fewer
        // context switches per read, and the bench's receive work stays on one thread, leaving the other core
        // to the server. Read by the runtime when the first socket is made, so it must be set before that.
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null
            && !args.Contains("--no-inline-completions"))
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

        var commandLine = Parse(args);
        if (commandLine.Output is not null)
        {
            Console.WriteLine(commandLine.Output);
            return 0;
        }
        if (commandLine.Error is not null)
        {
            Console.Error.WriteLine($"actorchat-bench: {commandLine.Error} Run with --help for the options.");
            return 2;
        }
        var (options, jsonPath, repeat) = (commandLine.Options!, commandLine.JsonPath, commandLine.Repeat);
        if (options.Validate() is { } invalid)
        {
            Console.Error.WriteLine($"actorchat-bench: {invalid} Run with --help for the options.");
            return 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        var reports = new List<BenchReport>();
        for (var run = 1; run <= repeat && !cts.IsCancellationRequested; run++)
        {
            if (repeat > 1) Console.WriteLine($"=== run {run} of {repeat}");
            var report = await BenchRunner.RunAsync(options, cts.Token);
            report.CommandLine = string.Join(' ', args);
            reports.Add(report);
            Console.WriteLine();
            Console.Write(Format(report));

            var path = jsonPath ?? Path.Combine("bench-results",
                $"{report.Scenario}-{report.StartedUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.json");
            if (jsonPath is not null && repeat > 1)
                path = Path.Combine(Path.GetDirectoryName(jsonPath) ?? "", $"{Path.GetFileNameWithoutExtension(jsonPath)}-{run}{Path.GetExtension(jsonPath)}");
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null) Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, JsonOptions));
            Console.WriteLine($"results: {path}");
        }
        if (reports.Count > 1)
        {
            Console.WriteLine();
            Console.Write(Summary(reports));
        }
        return reports.Count == repeat && reports.All(r => r.Passed) ? 0 : 1;
    }

    /// <summary>Median and range of the headline figures over repeated runs.</summary>
    internal static string Summary(IReadOnlyList<BenchReport> reports)
    {
        var rows = new List<(string, Func<BenchReport, double?>, string)>
        {
            ("connect+hello+join s", r => r.ClientsReady == r.Clients && r.FirstJoin is null ? r.ConnectSeconds : null, "0.00"),
            ("first-join: hello ms", r => r.FirstJoin?.HelloMs, "0.0"),
            ("first-join: first join ms", r => r.FirstJoin?.JoinMs, "0.0"),
            ("first-join: second join ms", r => r.FirstJoin?.SecondJoinMs, "0.0"),
            ("deliveries/s", r => r.Senders > 0 ? r.DeliveriesPerSecond : null, "N0"),
            ("deliveries/s to others", r => r.Senders > 0 ? r.DeliveriesToOthersPerSecond : null, "N0"),
            ("latency p50 ms", r => r.Latency?.P50, "0.0##"),
            ("latency p99 ms", r => r.Latency?.P99, "0.0##"),
            ("latency p99.9 ms", r => r.Latency?.P999, "0.0##"),
            ("server cpu while sending, cores", r => r.ServerCpuUtilizationSend, "0.00"),
            ("bench cpu while sending, cores", r => r.Senders > 0 ? r.BenchCpuUtilizationSend : null, "0.00"),
            ("server cpu µs per delivery", r => r.ServerCpuMicrosPerDelivery, "0.00"),
            ("bench cpu µs per delivery", r => r.BenchCpuMicrosPerDelivery, "0.00"),
            ("other processes while sending, cores", r => r.OtherBusyCoresSend, "0.00"),
            ("other processes while connecting, cores", r => r.OtherBusyCoresConnect, "0.00"),
            ("server cpu while connecting, s", r => r.ServerCpuSecondsConnect, "0.00"),
            ("bench cpu while connecting, s", r => r.BenchCpuSecondsConnect, "0.00"),
            ("server peak rss MiB", r => r.ServerPeakRssBytes / 1048576.0, "0.0"),
            ("hostile: canary say->echo p50 ms", r => r.Hostile?.CanarySayLatency?.P50, "0.0##"),
            ("hostile: canary say->echo p99 ms", r => r.Hostile?.CanarySayLatency?.P99, "0.0##"),
            ("hostile: canary ping->pong p50 ms", r => r.Hostile?.CanaryPingLatency?.P50, "0.0##"),
            ("hostile: canary ping->pong p99 ms", r => r.Hostile?.CanaryPingLatency?.P99, "0.0##"),
            ("hostile: honest readers cut off", r => r.Hostile?.HonestReadersCutOff, "0"),
            ("hostile: never-reader cut off at s", r => r.Hostile?.NeverReaderCutOffSeconds, "0.0"),
            ("hostile: never-reader socket closed at s", r => r.Hostile?.NeverReaderClosedSeconds, "0.0"),
            ("hostile: flooder accepted /s", r => r.Hostile?.FlooderAcceptedPerSecond, "0.0"),
            ("hostile: flooder accepted /s after 5 s", r => r.Hostile?.FlooderSteadyPerSecond, "0.0"),
            ("hostile: flooder dropped at s", r => r.Hostile?.FlooderClosedSeconds, "0.00"),
            ("server rss/connection added KiB", r => r.Scenario == "idle" ? r.ServerRssPerConnectionDeltaBytes / 1024 : null, "0.0"),
            ("server rss/connection total KiB", r => r.Scenario == "idle" ? r.ServerRssPerConnectionTotalBytes / 1024 : null, "0.0"),
        };
        var sb = new StringBuilder();
        sb.Append($"summary of {reports.Count} runs ({reports.Count(r => r.Passed)} passed; lost {reports.Sum(r => r.Lost)}, ")
          .Append($"duplicated {reports.Sum(r => r.Duplicated)}, out of order {reports.Sum(r => r.OutOfOrder)}): median [min - max]\n");
        foreach (var (name, get, format) in rows)
        {
            var values = reports.Select(get).Where(v => v is not null).Select(v => v!.Value).Order().ToArray();
            if (values.Length == 0) continue;
            var median = values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
            sb.Append($"  {name,-42} {median.ToString(format, CultureInfo.InvariantCulture)} [{values[0].ToString(format, CultureInfo.InvariantCulture)} - {values[^1].ToString(format, CultureInfo.InvariantCulture)}]\n");
        }
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private const string Description = """
        Drives an ActorChat server over loopback TCP (wire protocol v1) and measures it.
        Run: dotnet run -c Release --project bench/ActorChat.Bench -- --scenario NAME [options]
        Scenarios: fanout | many-rooms | light | idle | hostile | first-join | smoke (default smoke); the workload options default to the scenario's.
        first-join: a fresh server, one client: hello, then the round trip of the first join (use --repeat N).
        Without --target it starts src/ActorChat.Server/bin/Release/net10.0/ActorChat.Server.dll on a free port.
        Exit code: 0 = complete and correct, 1 = incomplete or something lost/duplicated/out of order, 2 = bad usage.
        10,000 connections need ~20,000 descriptors (bench + server): run 'ulimit -n 65536' first if the bench warns.
        """;

    /// <summary>What the command line asked for: a run (options, result file, repeats), an error, or a text to print.</summary>
    internal sealed record BenchCommandLine(BenchOptions? Options, string? JsonPath, int Repeat, string? Error, string? Output);

    internal static BenchCommandLine Parse(string[] args)
    {
        var cli = new CommandLineDefinition("ActorChat.Bench", Description, typeof(BenchProgram).Assembly);
        var scenarioNames = string.Join(", ", Enum.GetValues<Scenario>().Select(BenchOptions.NameOf));
        var scenario = cli.Value<Scenario>("--scenario", "NAME", "the workload: fanout, many-rooms, light, idle, hostile, first-join, search or smoke (default smoke)",
            $"one of {scenarioNames}", BenchOptions.TryParseScenario);

        // server
        var serverDll = cli.Text("--server-dll", "PATH", "the server to start (default: the repository's Release build, built first if stale)", "a path");
        var noBuild = cli.Switch("--no-build", "do not build the server; use the Release build as it is");
        var serverArgs = cli.Repeatable<string>("--server-arg", "ARG", "extra server argument (repeatable), e.g. --server-arg=--outbound-limit=4096",
            "a server argument such as --server-arg=--outbound-limit=4096", NonEmpty);
        var floodRate = cli.Value<double?>("--flood-rate", "R|default",
            "the started server's flood control, frames/s per connection (0 = off); the scenario decides by default (off for fanout, many-rooms and smoke)",
            "a whole number of frames per second (0 = off) or 'default'", FloodRate);
        var serverLog = cli.Switch("--server-log", "print the started server's output");
        var target = cli.Value<(string Host, int Port)>("--target", "HOST:PORT", "use a running server instead of starting one",
            "HOST:PORT such as 127.0.0.1:12345", HostAndPort);
        var serverPid = Int(cli, "--server-pid", "PID", "with --target: the server's pid, for CPU and memory from /proc", 1);
        var nodes = Int(cli, "--nodes", "N", "start N servers as one cluster on loopback with one PostgreSQL, spread each room's members over them, and report the latency of deliveries within a node and across nodes", 1, 5);

        // workload
        var clients = Int(cli, "--clients", "N", "clients to connect", 1);
        var rooms = Int(cli, "--rooms", "N", "rooms; client i joins room i % rooms", 1);
        var senders = Int(cli, "--senders", "N", "clients that send (default: the scenario's; every client when the scenario has all send)", 0);
        var messages = Int(cli, "--messages", "N", "messages each sender says (search: messages in the big room, 1,000,000)", 0);
        var indexPath = cli.Text("--index", "PATH", $"search: the SQLite index file to build, or reuse when complete (default {SearchBench.DefaultIndexPath})", "a path");
        var rate = Number(cli, "--rate", "R", "messages/s per sender, paced; 0 = as fast as the window allows", positive: false);
        var window = Int(cli, "--window", "W", "with --rate 0: own messages in flight per sender", 1);
        var textLength = Int(cli, "--text-length", "N", $"characters per message (min {Payload.MinTextLength})", Payload.MinTextLength, ActorChat.Messages.Protocol.MaxTextLength);
        var connectConcurrency = Int(cli, "--connect-concurrency", "N", "connections being set up at once (64)", 1);
        var flooderWindow = Int(cli, "--flooder-window", "N", "hostile: own says the flooder may have in flight (0 = flat out, the default)", 0);
        var idleSeconds = Number(cli, "--idle-seconds", "S", "idle time before reading memory (idle scenario)", positive: false);
        var deadlineSeconds = Number(cli, "--deadline-seconds", "S", "hard limit per phase; past it the run is incomplete", positive: true);
        var sourceAddresses = Int(cli, "--source-addresses", "N", "spread client sockets over 127.0.0.2..127.0.0.(1+N) (50; 0 = off)", 0, 250);
        var fullDecode = cli.Switch("--full-decode", "decode every frame with FrameCodec (measures the client's decoding cost)");
        // Read as text: a bool option would leave a word that is not true or false unread, rather than name its flag.
        var zeroByteReceives = cli.Value<string>("--zero-byte-receives", "B", "true/false: wait for data without holding a buffer (default: on from 4,000 clients)",
            "true or false", (string text, [MaybeNullWhen(false)] out string value) =>
            {
                value = text;
                return bool.TryParse(text, out _);
            });
        cli.Switch("--no-inline-completions", "let socket completions hop to the thread pool (default: run them inline)");

        // output
        var json = cli.Text("--json", "PATH", "result file (default bench-results/<scenario>-<utc time>.json)", "a path");
        var repeat = Int(cli, "--repeat", "N", "run N times (a fresh server each time) and print median and range", 1);
        var quiet = cli.Switch("--quiet", "no progress lines");
        var waitQuiet = Number(cli, "--wait-quiet", "S", "first wait up to S seconds until other processes use < 0.3 cores (shared machines)", positive: false);

        var parsed = cli.Parse(args);
        if (parsed.Output is not null || parsed.Error is not null) return new BenchCommandLine(null, null, 1, parsed.Error, parsed.Output);
        var r = parsed.Result;
        bool Given(System.CommandLine.Option option) => CommandLineDefinition.Given(r, option);

        var chosen = Given(scenario) ? r.GetValue(scenario) : Scenario.Smoke;
        var defaults = BenchOptions.ForScenario(chosen);
        var o = defaults with { Log = Console.WriteLine };
        if (Given(clients)) o = o with { Clients = r.GetValue(clients) };
        if (Given(rooms)) o = o with { Rooms = r.GetValue(rooms) };
        if (Given(senders)) o = o with { Senders = r.GetValue(senders) };
        // With the defaults of a scenario, "senders = every client" follows --clients.
        else if (defaults.Senders == defaults.Clients) o = o with { Senders = o.Clients };
        if (Given(messages)) o = o with { Messages = r.GetValue(messages) };
        if (Given(rate)) o = o with { Rate = r.GetValue(rate) };
        if (Given(window)) o = o with { Window = r.GetValue(window) };
        if (Given(textLength)) o = o with { TextLength = r.GetValue(textLength) };
        if (Given(connectConcurrency)) o = o with { ConnectConcurrency = r.GetValue(connectConcurrency) };
        if (Given(flooderWindow)) o = o with { FlooderWindow = r.GetValue(flooderWindow) };
        if (Given(idleSeconds)) o = o with { IdleSeconds = r.GetValue(idleSeconds) };
        if (Given(deadlineSeconds)) o = o with { DeadlineSeconds = r.GetValue(deadlineSeconds) };
        if (Given(sourceAddresses)) o = o with { SourceAddresses = r.GetValue(sourceAddresses) };
        if (Given(fullDecode)) o = o with { FullDecode = true };
        if (Given(noBuild)) o = o with { NoBuild = true };
        if (Given(waitQuiet)) o = o with { WaitQuietSeconds = r.GetValue(waitQuiet) };
        if (Given(zeroByteReceives)) o = o with { ZeroByteReceives = bool.Parse(r.GetValue(zeroByteReceives)!) };
        if (Given(serverLog)) o = o with { ServerLog = true };
        if (Given(quiet)) o = o with { Log = null };
        if (Given(serverDll)) o = o with { ServerDll = Path.GetFullPath(r.GetValue(serverDll)!) };
        if (Given(serverArgs)) o = o with { ServerArgs = r.GetValue(serverArgs)! };
        if (Given(floodRate)) o = o with { ServerFloodRate = r.GetValue(floodRate) };
        if (Given(serverPid)) o = o with { ServerPid = r.GetValue(serverPid) };
        if (Given(indexPath)) o = o with { IndexPath = r.GetValue(indexPath) };
        if (Given(nodes)) o = o with { Nodes = r.GetValue(nodes) };
        if (Given(target)) o = o with { Host = r.GetValue(target).Host, Port = r.GetValue(target).Port };
        return new BenchCommandLine(o, Given(json) ? r.GetValue(json) : null, Given(repeat) ? r.GetValue(repeat) : 1, null, null);
    }

    private static System.CommandLine.Option<int> Int(CommandLineDefinition cli, string flag, string helpName, string help, int minimum, int maximum = int.MaxValue) =>
        cli.Value(flag, helpName, help, $"a whole number from {minimum} to {maximum}", (string text, out int value) =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= minimum && value <= maximum);

    private static System.CommandLine.Option<double> Number(CommandLineDefinition cli, string flag, string helpName, string help, bool positive) =>
        cli.Value(flag, helpName, help, positive ? "a number above 0, such as 30 or 0.5" : "a number of 0 or more, such as 5 or 0.5", (string text, out double value) =>
            double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value) && (positive ? value > 0 : value >= 0));

    private static bool NonEmpty(string text, [MaybeNullWhen(false)] out string value)
    {
        value = text;
        return text.Length > 0;
    }

    private static bool FloodRate(string text, out double? rate)
    {
        rate = null;
        if (text == "default") return true;
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value != Math.Floor(value)) return false;
        rate = value;
        return true;
    }

    private static bool HostAndPort(string text, out (string Host, int Port) target)
    {
        target = default;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return false;
        target = (text[..colon].Trim('[', ']'), port);
        return true;
    }

    internal static string Format(BenchReport r)
    {
        var rows = new List<(string, string)>
        {
            ("scenario", $"{r.Scenario}  ({(r.Passed ? "PASSED" : r.Complete ? "FAILED: correctness" : "INCOMPLETE")})"),
            ("target", r.Target),
            ("server flood control", r.ServerFloodRate switch { null => "server default (10 frames/s, burst 20)", 0 => "off (--flood-rate 0)", var f => $"--flood-rate {f:0.###}" }
                + (r.ServerStartedByBench ? "" : " asked for; the target server's own setting applies")),
            ("workload", r.FirstJoin is not null ? "one client on a fresh server: hello, join a new room, join another" : $"{r.Clients:N0} clients, {r.Rooms:N0} rooms, {r.Senders:N0} senders x {r.MessagesPerSender:N0} msgs, "
                + (r.RatePerSender > 0 ? $"{r.RatePerSender:0.##} msg/s each" : $"window {r.Window}") + $", {r.TextLength} chars"),
            ("connect+hello+join", $"{r.ClientsReady:N0}/{r.Clients:N0} ready in {r.ConnectSeconds:0.000} s"
                + (r.ClientSetupMs is { } s ? $"  (per client p50 {s.P50:0.#} ms, p99 {s.P99:0.#} ms)" : "")
                + (r.OtherBusyCoresConnect is { } oc ? $"; bench cpu {r.BenchCpuSecondsConnect:0.00} s, other processes {oc:0.00} cores" : "")),
        };
        if (r.Search is { } search)
        {
            rows[3] = ("workload", $"search index of {search.Messages:N0} messages ({search.BigRoomMessages:N0} in one room, the rest in {search.OtherRooms} others)");
            rows.RemoveAt(4); // no connections
            rows.RemoveAt(2); // and no server, so no flood control
            rows.Add(("index", (search.Reused ? "reused" : $"built in {search.BuildSeconds:0.0} s") + $", {search.IndexBytes / 1048576.0:0.0} MiB: {search.IndexPath}"));
            foreach (var k in search.Kinds)
                rows.Add(($"search: {k.Kind} ms", k.Latency is { } sl
                    ? $"p50 {sl.P50:0.00}  p90 {sl.P90:0.00}  p99 {sl.P99:0.00}  max {sl.Max:0.00}  ({k.Queries} queries, {k.MinHits}+ hits each: {k.Example})"
                    : "not measured"));
        }
        if (r.FirstJoin is { } fj)
            rows.Add(("first join", $"hello {fj.HelloMs:0.0} ms, first join {fj.JoinMs:0.0} ms, second join {fj.SecondJoinMs:0.0} ms (round trips)"));
        if (r.Senders > 0)
        {
            rows.Add(("messages sent", $"{r.MessagesSent:N0} in {r.SendSeconds:0.000} s"));
            rows.Add(("deliveries", $"{r.Deliveries:N0} of {r.ExpectedDeliveries:N0} expected ({r.DeliveriesToOthers:N0} to others)"));
            rows.Add(("delivery time", $"{r.DeliverySeconds:0.000} s (first send to last delivery)"));
            rows.Add(("deliveries/s", $"{r.DeliveriesPerSecond:N0}  ({r.DeliveriesToOthersPerSecond:N0} to others)"
                + (r.OfferedDeliveriesPerSecond > 0 ? $"  offered {r.OfferedDeliveriesPerSecond:N0}" : "")));
            if (r.RatePerSender > 0) rows.Add(("max send lag", $"{r.MaxSendLagMs:0.0} ms"));
            if (r.Latency is { } l)
                rows.Add(("latency ms", $"p50 {l.P50:0.###}  p90 {l.P90:0.###}  p99 {l.P99:0.###}  p99.9 {l.P999:0.###}  max {l.Max:0.###}"));
            if (r.LatencySameNode is { } same)
                rows.Add(("  within a node", $"p50 {same.P50:0.###}  p90 {same.P90:0.###}  p99 {same.P99:0.###}  max {same.Max:0.###}  ({same.Count:N0} deliveries)"));
            if (r.LatencyCrossNode is { } cross)
                rows.Add(("  across nodes", $"p50 {cross.P50:0.###}  p90 {cross.P90:0.###}  p99 {cross.P99:0.###}  max {cross.Max:0.###}  ({cross.Count:N0} deliveries)"));
            rows.Add(("lost / duplicated", $"{r.Lost:N0} / {r.Duplicated:N0}"));
            rows.Add(("seq out of order / gaps", $"{r.OutOfOrder:N0} / {r.SeqGaps:N0}"));
        }
        if (r.Hostile is { } h)
        {
            rows.Add(("hostile guests", $"flooder ({h.FlooderTextLength:N0}-character says " + (h.FlooderWindow > 0 ? $"with {h.FlooderWindow} in flight" : "flat out") + $") and never-reader (receive buffer {h.NeverReaderReceiveBuffer} B) "
                + $"in the readers' room, canary alone in another (say + ping {h.CanaryRate:0.#}/s each), {h.Seconds:0.0} s"));
            rows.Add(("honest readers cut off", $"{h.HonestReadersCutOff} of {r.Clients}" + (h.HonestCutOffsLogged > 0 ? $" ({h.HonestCutOffsLogged} cut-offs in the server log)" : "")));
            rows.Add(("never-reader", !h.NeverReaderCutOff ? $"NOT cut off (socket {h.NeverReaderTcpStateAtEnd})"
                : "cut off" + (h.NeverReaderCutOffSeconds is { } cs2 ? $" at {cs2:0.0} s" : "")
                  + (h.NeverReaderClosedSeconds is { } cl ? $", socket closed at {cl:0.0} s" : $", socket {h.NeverReaderTcpStateAtEnd}")
                  + (h.NeverReaderCutOffReason is { } why ? $"  [{why}]" : "")));
            rows.Add(("flooder", $"{h.FlooderAccepted:N0} messages accepted ({h.FlooderAcceptedPerSecond:0.0}/s over the run, "
                + (h.FlooderSteadyPerSecond is { } st ? $"{st:0.0}/s after the first 5 s" : "-") + $"), {h.FlooderFramesWritten:N0} handed to its socket"
                + (h.FlooderClosed is { } fc ? $"; disconnected at {h.FlooderClosedSeconds:0.00} s: {fc}" : "")));
            rows.Add(("canary say -> echo ms", h.CanarySayLatency is { } sl ? $"p50 {sl.P50:0.###}  p99 {sl.P99:0.###}  max {sl.Max:0.###}  ({h.CanaryEchoes}/{h.CanarySays})" : $"none ({h.CanarySays} sent)"));
            rows.Add(("canary ping -> pong ms", h.CanaryPingLatency is { } pl ? $"p50 {pl.P50:0.###}  p99 {pl.P99:0.###}  max {pl.Max:0.###}  ({h.CanaryPongs}/{h.CanaryPings})" : $"none ({h.CanaryPings} sent)"));
            if (h.GuestErrors.Count > 0) rows.Add(("guest errors", string.Join(", ", h.GuestErrors.Select(kv => $"{kv.Key} x{kv.Value}"))));
            rows.Add(("guest deliveries", $"{r.GuestDeliveries:N0} flooder messages delivered to honest readers"));
        }
        rows.Add(("corrupt / misrouted", $"{r.Corrupt:N0} / {r.Misrouted:N0}"));
        rows.Add(("error frames", r.ErrorFrames == 0 ? "0" : string.Join(", ", r.ErrorCodes.Select(kv => $"{kv.Key} x{kv.Value}"))));
        rows.Add(("disconnects", $"{r.Disconnects:N0}"));
        if (r.ServerCpuSeconds is { } cpu)
        {
            rows.Add(("server cpu", $"{cpu:0.00} s total, {r.ServerCpuSecondsConnect:0.00} s connecting"
                + (r.ServerCpuSecondsSend is { } cs ? $", {cs:0.00} s sending ({r.ServerCpuUtilizationSend * 100:0}% of a core, {r.ServerKernelCpuSecondsSend:0.00} s in the kernel)" : "")));
            rows.Add(("server rss", $"before {Mib(r.ServerRssBeforeConnectBytes)}, ready {Mib(r.ServerRssAfterReadyBytes)}, "
                + $"end {Mib(r.ServerRssEndBytes)}, peak {Mib(r.ServerPeakRssBytes)} (VmHWM), threads {r.ServerThreads}"));
            if (r.ServerRssPerConnectionDeltaBytes is { } delta)
                rows.Add(("server rss/connection", $"{delta / 1024:0.0} KiB added, {r.ServerRssPerConnectionTotalBytes / 1024:0.0} KiB total"));
        }
        else
        {
            rows.Add(("server cpu/rss", "not measured (no server pid)"));
        }
        rows.Add(("bench cpu", $"{r.BenchCpuSeconds:0.00} s total"
            + (r.Senders > 0 ? $", {r.BenchCpuSecondsSend:0.00} s sending ({r.BenchCpuUtilizationSend * 100:0}% of a core, {r.BenchKernelCpuSecondsSend:0.00} s in the kernel)" : "")
            + (r.FullDecode ? ", full decode" : "") + (r.InlineCompletions ? ", inline completions" : "")
            + (r.ZeroByteReceives ? ", zero-byte receives" : "")));
        if (r.ServerCpuMicrosPerDelivery is { } perDelivery)
            rows.Add(("cpu per delivery", $"server {perDelivery:0.00} µs, bench {r.BenchCpuMicrosPerDelivery:0.00} µs"));
        if (r.MachineBusyCoresSend is { } machine)
            rows.Add(("machine while sending", $"{machine:0.00} of {r.ProcessorCount} cores busy, {r.OtherBusyCoresSend:0.00} by other processes"));
        foreach (var p in r.Problems) rows.Add(("problem", p));

        var width = rows.Max(x => x.Item1.Length);
        var sb = new StringBuilder();
        foreach (var (k, v) in rows) sb.Append(k.PadRight(width)).Append("  ").Append(v).Append('\n');
        return sb.ToString();
    }

    private static string Mib(long? bytes) => bytes is { } b ? $"{b / 1048576.0:0.0} MiB" : "-";
}
