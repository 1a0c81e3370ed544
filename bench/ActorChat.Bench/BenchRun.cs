using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ActorChat.Messages;

namespace ActorChat.Bench;

/// <summary>
/// One run against one server: the clients, who is in which room, who sends, and the phases
/// connect → settle → (idle | send and deliver), each bounded by the deadline.
/// </summary>
internal sealed class BenchRun
{
    private const int MaxNotes = 25;

    private readonly BenchReport _report;
    private readonly int? _serverPid;
    private readonly string _tag;
    private readonly string[] _roomNames;
    private readonly byte[][] _roomNamesUtf8;
    private readonly BenchClient?[] _clients;
    private readonly ConcurrentDictionary<string, long> _errorCodes = new();
    private readonly TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstDisconnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _notes = [];
    private int _pending;
    private long _disconnects;
    private volatile bool _sendPhase;
    private long _peakRssSampled;
    private volatile HostileCrowd? _hostile;

    public BenchRun(BenchOptions options, BenchReport report, int? serverPid)
    {
        Options = options;
        _report = report;
        _serverPid = serverPid;
        _tag = Random.Shared.Next(0x100000, 0xFFFFFF).ToString("x6", CultureInfo.InvariantCulture);
        _roomNames = new string[options.Rooms];
        _roomNamesUtf8 = new byte[options.Rooms][];
        for (var r = 0; r < options.Rooms; r++)
        {
            _roomNames[r] = $"b{_tag}-r{r}";
            _roomNamesUtf8[r] = Encoding.UTF8.GetBytes(_roomNames[r]);
        }
        _clients = new BenchClient?[options.Clients];
    }

    public BenchOptions Options { get; }

    /// <summary>The bench started the server and reads its log (the hostile scenario learns its cut-offs from it).</summary>
    public bool ServerLogSeen { get; init; }

    public void OnServerLine(string line) => _hostile?.OnServerLine(line);

    /// <summary>Whether <paramref name="sender"/> is a hostile guest in the readers' room rather than one of the run's clients.</summary>
    public bool IsGuest(ReadOnlySpan<byte> sender)
    {
        if (_hostile is not { } h) return false;
        foreach (var name in h.GuestNamesUtf8)
            if (sender.SequenceEqual(name)) return true;
        return false;
    }

    /// <summary>Whether clients wait for data with zero-byte receives and hold a pooled buffer only while reading.</summary>
    public bool ZeroByteReceives => Options.ZeroByteReceives ?? (Options.Clients >= 4000 || Options.Senders == 0);

    public string NameOf(int client) => $"b{_tag}-{client}";
    public byte[] NameUtf8Of(int client) => _clients[client]?.NameUtf8 ?? Encoding.UTF8.GetBytes(NameOf(client));
    public int RoomOf(int client) => client % Options.Rooms;

    /// <summary>The servers the clients connect to (one, or the nodes of a cluster).</summary>
    public int NodeCount { get; init; } = 1;

    /// <summary>The node client i connects to: a room's members (i, i + rooms, i + 2 rooms…) go round the nodes.</summary>
    public int NodeOf(int client) => client / Options.Rooms % NodeCount;
    public string RoomName(int room) => _roomNames[room];
    public byte[] RoomNameUtf8(int room) => _roomNamesUtf8[room];

    /// <summary>Senders are clients 0 .. Senders-1; sender i is the (i / Rooms)-th sender of room i % Rooms.</summary>
    public int SenderSlot(int sender) => sender / Options.Rooms;

    public int SendersInRoom(int room) =>
        Options.Senders / Options.Rooms + (room < Options.Senders % Options.Rooms ? 1 : 0);

    public int MembersOfRoom(int room) =>
        Options.Clients / Options.Rooms + (room < Options.Clients % Options.Rooms ? 1 : 0);

    public void Note(string note)
    {
        lock (_notes)
        {
            if (_notes.Count < MaxNotes) _notes.Add(note);
            else if (_notes.Count == MaxNotes) _notes.Add("(more problems left out)");
        }
        Options.Log?.Invoke("  ! " + note);
    }

    public void Fault(Exception e) => Note($"bench fault: {e}");

    public void OnErrorFrame(BenchClient client, ErrorFrame error)
    {
        if (_errorCodes.AddOrUpdate(error.Code, 1, (_, n) => n + 1) <= 3)
            Note($"{client.Name} got error {error.Code}: {error.Message}");
    }

    public void ClientDone(BenchClient client)
    {
        if (Interlocked.Decrement(ref _pending) == 0) _allDone.TrySetResult();
    }

    public void ClientClosed(BenchClient client)
    {
        if (Interlocked.Increment(ref _disconnects) <= 3) Note($"{client.Name} disconnected: {client.CloseReason}");
        _firstDisconnect.TrySetResult();
        // A closed client gets nothing more: do not wait for it.
        if (_sendPhase && !client.Done && client.Expected > 0) ClientDone(client);
    }

    public Task ExecuteAsync(IPEndPoint target, CancellationToken ct) => ExecuteAsync([target], ct);

    /// <summary>Runs against one server, or the nodes of a cluster (client i on targets[NodeOf(i)]).</summary>
    public async Task ExecuteAsync(IReadOnlyList<IPEndPoint> targets, CancellationToken ct)
    {
        var target = targets[0];
        var o = Options;
        var benchProcess = Process.GetCurrentProcess();
        if (_serverPid is { } pid) ProcStats.ResetPeak(pid);
        using var samplerStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = SampleServerAsync(samplerStop.Token);
        var serverStart = ServerSample();
        _report.ZeroByteReceives = ZeroByteReceives;
        _report.InlineCompletions = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is "1" or "true";
        _report.ServerRssBeforeConnectBytes = serverStart?.RssBytes;

        try
        {
            // Phase 1: connect, hello, join — ConnectConcurrency at a time.
            var connected = await ConnectAllAsync(targets, ct);
            var afterConnect = ServerSample();
            _report.ServerCpuSecondsConnect = afterConnect?.CpuSeconds - serverStart?.CpuSeconds;
            if (!connected) return;

            // Settle: a ping round trip per client drains the presence frames of the joins before measuring.
            if (!await SettleAsync(ct)) return;
            if (o.Scenario == Scenario.Hostile)
            {
                var crowd = new HostileCrowd(this, _report.Hostile = new HostileReport(), _tag);
                _hostile = crowd;
                await crowd.ConnectAsync(target, null, ct);
            }
            _report.ServerRssAfterReadyBytes = ServerSample()?.RssBytes;

            if (o.IdleSeconds > 0)
            {
                o.Log?.Invoke($"idle for {o.IdleSeconds:0.#} s ...");
                await Task.Delay(TimeSpan.FromSeconds(o.IdleSeconds), ct);
                _report.IdleSeconds = o.IdleSeconds;
            }

            if (o.Senders > 0) await SendPhaseAsync(benchProcess, ct);
        }
        finally
        {
            var end = ServerSample();
            _report.ServerRssEndBytes = end?.RssBytes;
            _report.ServerPeakRssBytes = end?.PeakRssBytes;
            _report.ServerThreads = end?.Threads;
            _report.ServerCpuSeconds = end?.CpuSeconds - serverStart?.CpuSeconds;
            if (end is { } e && serverStart is { } s && _report.ClientsReady > 0)
            {
                _report.ServerRssPerConnectionDeltaBytes = (double)(e.RssBytes - s.RssBytes) / _report.ClientsReady;
                _report.ServerRssPerConnectionTotalBytes = (double)e.RssBytes / _report.ClientsReady;
            }
            await samplerStop.CancelAsync();
            await sampler;
            _report.ServerPeakRssSampledBytes = _serverPid is null ? null : Interlocked.Read(ref _peakRssSampled);

            o.Log?.Invoke("closing connections ...");
            if (_hostile is { } crowd) await crowd.DisposeAsync();
            await Task.WhenAll(_clients.Where(c => c is not null).Select(c => c!.DisposeAsync().AsTask()));
            CollectCounters();
        }
    }

    private async Task<bool> ConnectAllAsync(IReadOnlyList<IPEndPoint> targets, CancellationToken ct)
    {
        var target = targets[0];
        var o = Options;
        o.Log?.Invoke($"connecting {o.Clients} clients to {string.Join(", ", targets.Select(t => t.ToString()))} ({o.Rooms} rooms, {o.ConnectConcurrency} at a time) ...");
        var bindSources = o.SourceAddresses > 0 && IPAddress.IsLoopback(target.Address)
            && target.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var setup = new Histogram();
        var ready = 0;
        var failed = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(o.DeadlineSeconds));
        var machineBefore = ProcStats.ReadMachine();
        var benchBefore = ProcStats.Read(Environment.ProcessId);
        var serverBefore = ServerSample();
        var started = Stopwatch.GetTimestamp();
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var progress = StartProgress("ready", () => Volatile.Read(ref ready), o.Clients, stopProgress.Token);
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, o.Clients),
                new ParallelOptions { MaxDegreeOfParallelism = o.ConnectConcurrency, CancellationToken = deadline.Token },
                async (i, token) =>
                {
                    var client = new BenchClient(this, i);
                    _clients[i] = client;
                    var t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        var source = bindSources ? new IPAddress(new byte[] { 127, 0, 0, (byte)(2 + i % o.SourceAddresses) }) : null;
                        await client.ConnectAsync(targets[NodeOf(i) % targets.Count], source, token);
                        await client.IdentifyAndJoinAsync(token);
                        var micros = (Stopwatch.GetTimestamp() - t0) * 1_000_000 / Stopwatch.Frequency;
                        lock (setup) setup.Record(micros);
                        Interlocked.Increment(ref ready);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        if (Interlocked.Increment(ref failed) <= 5) Note($"client {i} could not get ready: {e.Message}");
                    }
                });
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The deadline: reported below.
        }
        var seconds = Seconds(Stopwatch.GetTimestamp() - started);
        if (machineBefore is { } mb && ProcStats.ReadMachine() is { } ma && seconds > 0)
        {
            var bench = (ProcStats.Read(Environment.ProcessId)?.CpuSeconds - benchBefore?.CpuSeconds) ?? 0;
            var server = (ServerSample()?.CpuSeconds - serverBefore?.CpuSeconds) ?? 0;
            _report.BenchCpuSecondsConnect = bench;
            _report.OtherBusyCoresConnect = Math.Max(0, ma.Busy - mb.Busy - bench - server) / seconds;
        }
        await stopProgress.CancelAsync();
        await progress;
        _report.ClientsReady = ready;
        _report.ConnectSeconds = seconds;
        _report.ClientSetupMs = Summarize(setup);
        o.Log?.Invoke($"{ready}/{o.Clients} clients ready in {seconds:0.00} s");
        if (ready == o.Clients) return true;
        ReportStuck(c => c.Stage != "joined");
        Incomplete(deadline.IsCancellationRequested
            ? $"connect phase hit the {o.DeadlineSeconds:0.#} s deadline with {ready}/{o.Clients} clients ready"
            : $"{failed} of {o.Clients} clients could not connect, identify or join");
        return false;
    }

    private void ReportStuck(Func<BenchClient, bool> stuck)
    {
        var shown = 0;
        foreach (var c in _clients)
        {
            if (c is null || !stuck(c)) continue;
            if (++shown > 10) break;
            Note($"{c.Name} stuck: {c.Stage}; {c.FramesReceived} frames / {c.BytesReceived} bytes received"
                + (c.Closed ? $", closed ({c.CloseReason})" : ""));
        }
    }

    private async Task<bool> SettleAsync(CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(Options.DeadlineSeconds));
        try
        {
            await Parallel.ForEachAsync(_clients,
                new ParallelOptions { MaxDegreeOfParallelism = 256, CancellationToken = deadline.Token },
                async (client, token) => await client!.PingAsync(token));
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Incomplete($"settling (ping round trip of every client) hit the {Options.DeadlineSeconds:0.#} s deadline");
            ReportStuck(c => c.Stage != "ready");
        }
        catch (BenchException e)
        {
            Incomplete($"settling failed: {e.Message}");
        }
        return false;
    }

    private async Task SendPhaseAsync(Process benchProcess, CancellationToken ct)
    {
        var o = Options;
        var clients = _clients.Select(c => c!).ToArray();
        var senders = clients.Take(o.Senders).ToArray();
        Volatile.Write(ref _pending, clients.Length);
        _sendPhase = true;
        foreach (var c in clients) c.ExpectMessages(SendersInRoom(c.Room), o.Messages);
        if (o.Rate == 0)
            foreach (var s in senders) s.Window = new SemaphoreSlim(o.Window);

        _report.ExpectedDeliveries = clients.Sum(c => c.Expected);
        _report.OfferedDeliveriesPerSecond = o.Rate * senders.Sum(s => MembersOfRoom(s.Room));
        o.Log?.Invoke(o.Rate > 0
            ? $"sending: {senders.Length} senders x {o.Messages} messages at {o.Rate:0.##}/s each, {_report.ExpectedDeliveries:N0} deliveries expected ..."
            : $"sending: {senders.Length} senders x {o.Messages} messages, window {o.Window}, {_report.ExpectedDeliveries:N0} deliveries expected ...");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(o.DeadlineSeconds));
        var serverBefore = ServerSample();
        var benchBefore = ProcStats.Read(Environment.ProcessId);
        var benchCpuBefore = benchBefore?.CpuSeconds ?? benchProcess.TotalProcessorTime.TotalSeconds;
        var machineBefore = ProcStats.ReadMachine();
        _hostile?.Start();
        var started = Stopwatch.GetTimestamp();
        long lastSend = started;
        double maxLagTicks = 0;

        Task sending;
        if (o.Rate > 0)
        {
            sending = Task.Run(async () =>
            {
                (maxLagTicks, lastSend) = await PaceAsync(senders, deadline.Token);
            }, CancellationToken.None);
        }
        else
        {
            sending = Task.WhenAll(senders.Select(s => Task.Run(() => SendWindowedAsync(s, deadline.Token), CancellationToken.None)))
                .ContinueWith(_ => lastSend = Stopwatch.GetTimestamp(), TaskScheduler.Default);
        }

        var delivered = () => clients.Sum(c => c.Distinct);
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var progress = StartProgress("deliveries", () => delivered(), _report.ExpectedDeliveries, stopProgress.Token);
        // A disconnect means deliveries are lost for good: give the rest a moment, then stop waiting.
        var disconnectGrace = _firstDisconnect.Task.ContinueWith(_ => Task.Delay(3000), TaskScheduler.Default).Unwrap();
        var finished = await Task.WhenAny(_allDone.Task, Task.Delay(Timeout.Infinite, deadline.Token), disconnectGrace);
        var stopped = Stopwatch.GetTimestamp();
        await stopProgress.CancelAsync();
        await deadline.CancelAsync(); // stops senders still going
        try { await sending; } catch (OperationCanceledException) { } catch (BenchException e) { Note(e.Message); }
        await progress;

        var serverAfter = ServerSample();
        var machineAfter = ProcStats.ReadMachine();
        benchProcess.Refresh();
        var benchAfter = ProcStats.Read(Environment.ProcessId);
        var benchCpu = (benchAfter?.CpuSeconds ?? benchProcess.TotalProcessorTime.TotalSeconds) - benchCpuBefore;
        _report.BenchKernelCpuSecondsSend = benchAfter?.SystemSeconds - benchBefore?.SystemSeconds;
        var allDone = finished == _allDone.Task && Interlocked.Read(ref _disconnects) == 0;
        var lastDelivery = clients.Max(c => c.LastDeliveryTicks);
        var end = allDone ? Math.Max(lastDelivery, started) : stopped;
        if (!allDone)
        {
            Incomplete(finished == disconnectGrace
                ? "clients were disconnected during the send phase"
                : $"send phase hit the {o.DeadlineSeconds:0.#} s deadline before every delivery arrived");
        }

        _report.DeliverySeconds = Seconds(end - started);
        _report.SendSeconds = Seconds(Math.Max(lastSend, started) - started);
        _report.MaxSendLagMs = maxLagTicks * 1000.0 / Stopwatch.Frequency;
        var cpuWall = Seconds(stopped - started);
        _report.BenchCpuSecondsSend = benchCpu;
        _report.BenchCpuUtilizationSend = cpuWall > 0 ? benchCpu / cpuWall : 0;
        double serverCpu = 0;
        if (serverBefore is { } sb && serverAfter is { } sa)
        {
            serverCpu = sa.CpuSeconds - sb.CpuSeconds;
            _report.ServerKernelCpuSecondsSend = sa.SystemSeconds - sb.SystemSeconds;
            _report.ServerCpuSecondsSend = serverCpu;
            _report.ServerCpuUtilizationSend = cpuWall > 0 ? serverCpu / cpuWall : 0;
        }
        if (machineBefore is { } mb && machineAfter is { } ma && cpuWall > 0)
        {
            var busy = ma.Busy - mb.Busy;
            _report.MachineBusyCoresSend = busy / cpuWall;
            // In-process server (no pid): its CPU is already in the bench's.
            _report.OtherBusyCoresSend = Math.Max(0, busy - benchCpu - serverCpu) / cpuWall;
        }

        if (_hostile is { } crowd)
        {
            o.Log?.Invoke("stopping the hostile guests ...");
            await crowd.StopAsync(ServerLogSeen);
            _report.Hostile!.HonestReadersCutOff = clients.Count(c => c.CloseReason is not null || c.ErrorCode is not null);
        }
    }

    private async Task SendWindowedAsync(BenchClient sender, CancellationToken ct)
    {
        var o = Options;
        var room = RoomName(sender.Room);
        for (var n = 0; n < o.Messages; n++)
        {
            await sender.Window!.WaitAsync(ct);
            if (sender.Closed) throw new BenchException($"{sender.Name} was disconnected while sending");
            var text = Payload.Format(Stopwatch.GetTimestamp(), sender.Index, n, o.TextLength);
            await sender.SendAsync(FrameCodec.EncodeLine(new SayRequest(room, text)), ct);
            sender.Sent++;
        }
    }

    /// <summary>
    /// Open-loop pacing from one loop: sender i says message k at start + (i / senders + k) / rate, whatever the
    /// replies. A sender whose previous send has not completed waits (its lag is reported). Returns the largest lag in ticks.
    /// </summary>
    private async Task<(double MaxLag, long LastSend)> PaceAsync(BenchClient[] senders, CancellationToken ct)
    {
        var o = Options;
        var interval = Stopwatch.Frequency / o.Rate;
        var start = Stopwatch.GetTimestamp();
        var due = new double[senders.Length];
        var busy = new int[senders.Length];
        for (var i = 0; i < senders.Length; i++) due[i] = start + interval * i / senders.Length;
        var remaining = senders.Length;
        double maxLag = 0;
        long lastSend = start;
        while (remaining > 0)
        {
            ct.ThrowIfCancellationRequested();
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < senders.Length; i++)
            {
                var s = senders[i];
                while (s.Sent < o.Messages && due[i] <= now && Volatile.Read(ref busy[i]) == 0 && !s.Closed)
                {
                    maxLag = Math.Max(maxLag, now - due[i]);
                    var text = Payload.Format(Stopwatch.GetTimestamp(), s.Index, s.Sent, o.TextLength);
                    var line = FrameCodec.EncodeLine(new SayRequest(RoomName(s.Room), text));
                    s.Sent++;
                    lastSend = Stopwatch.GetTimestamp();
                    due[i] += interval;
                    if (s.Sent == o.Messages) remaining--;
                    var send = s.SendAsync(line, ct);
                    if (send.IsCompleted)
                    {
                        try { send.GetAwaiter().GetResult(); }
                        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException) { }
                    }
                    else
                    {
                        Volatile.Write(ref busy[i], 1);
                        _ = CompleteSendAsync(send, busy, i);
                    }
                }
                if (s.Closed && s.Sent < o.Messages)
                {
                    s.Sent = o.Messages; // gives up: its messages count as lost
                    remaining--;
                }
            }
            await Task.Delay(1, ct);
        }
        return (maxLag, lastSend);

        static async Task CompleteSendAsync(ValueTask<int> send, int[] busy, int i)
        {
            try { await send; }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException or OperationCanceledException) { }
            finally { Volatile.Write(ref busy[i], 0); }
        }
    }

    private void CollectCounters()
    {
        var latency = new Histogram();
        var sameNode = new Histogram();
        var crossNode = new Histogram();
        foreach (var c in _clients)
        {
            if (c is null) continue;
            if (c.LatencySameNode is { } s) sameNode.Add(s);
            if (c.LatencyCrossNode is { } x) crossNode.Add(x);
            _report.MessagesSent += c.Sent;
            _report.Deliveries += c.Deliveries;
            _report.DeliveriesToOthers += c.DeliveriesToOthers;
            _report.Duplicated += c.Duplicates;
            _report.OutOfOrder += c.OutOfOrder;
            _report.SeqGaps += c.SeqGaps;
            _report.Corrupt += c.Corrupt;
            _report.Misrouted += c.Misrouted;
            _report.GuestDeliveries += c.GuestDeliveries;
            if (c.Expected > 0) _report.Lost += c.Expected - c.Distinct;
            if (c.Latency is { } h) latency.Add(h);
        }
        _report.Latency = latency.Count > 0 ? Summarize(latency) : null;
        if (NodeCount > 1)
        {
            _report.LatencySameNode = sameNode.Count > 0 ? Summarize(sameNode) : null;
            _report.LatencyCrossNode = crossNode.Count > 0 ? Summarize(crossNode) : null;
        }
        _report.Disconnects = Interlocked.Read(ref _disconnects);
        foreach (var (code, count) in _errorCodes) _report.ErrorCodes[code] = count;
        _report.ErrorFrames = _errorCodes.Values.Sum();
        if (_report.Deliveries > 0)
        {
            _report.ServerCpuMicrosPerDelivery = _report.ServerCpuSecondsSend * 1e6 / _report.Deliveries;
            _report.BenchCpuMicrosPerDelivery = _report.BenchCpuSecondsSend * 1e6 / _report.Deliveries;
        }
        if (_report.DeliverySeconds > 0)
        {
            _report.DeliveriesPerSecond = _report.Deliveries / _report.DeliverySeconds;
            _report.DeliveriesToOthersPerSecond = _report.DeliveriesToOthers / _report.DeliverySeconds;
            _report.MessagesPerSecond = _report.MessagesSent / _report.DeliverySeconds;
        }
        lock (_notes) _report.Problems.AddRange(_notes);
    }

    private void Incomplete(string why)
    {
        _report.Complete = false;
        _report.Problems.Add(why);
        Options.Log?.Invoke("  ! " + why);
    }

    private ProcSample? ServerSample() => _serverPid is { } pid ? ProcStats.Read(pid) : null;

    private async Task SampleServerAsync(CancellationToken ct)
    {
        if (_serverPid is null) return;
        while (!ct.IsCancellationRequested)
        {
            if (ServerSample() is { } s && s.RssBytes > Interlocked.Read(ref _peakRssSampled))
                Interlocked.Exchange(ref _peakRssSampled, s.RssBytes);
            try { await Task.Delay(200, ct); } catch (OperationCanceledException) { }
        }
    }

    private Task StartProgress(string what, Func<long> done, long total, CancellationToken ct)
    {
        if (Options.Log is not { } log) return Task.CompletedTask;
        return Task.Run(async () =>
        {
            var started = Stopwatch.GetTimestamp();
            while (!ct.IsCancellationRequested)
            {
                try { await Task.Delay(1000, ct); } catch (OperationCanceledException) { return; }
                var n = done();
                log($"  {Seconds(Stopwatch.GetTimestamp() - started),5:0.0} s  {n:N0}/{total:N0} {what}"
                    + (ServerSample() is { } s ? $"  server cpu {s.CpuSeconds:0.0} s rss {s.RssBytes / 1048576.0:0} MiB" : ""));
                if (n >= total) return;
            }
        }, CancellationToken.None);
    }

    private static double Seconds(double ticks) => ticks / Stopwatch.Frequency;

    internal static LatencySummary Summarize(Histogram h) => new(
        h.Count, Ms(h.Quantile(0.50)), Ms(h.Quantile(0.90)), Ms(h.Quantile(0.99)), Ms(h.Quantile(0.999)), Ms(h.Max));

    private static double Ms(long micros) => Math.Round(micros / 1000.0, 3);
}
