using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Akka.Actor;
using Xunit.Abstractions;

namespace ActorChat.Tests.Integration;

/// <summary>
/// Hostile clients against the server as a process, over loopback: what a flood costs the server and the honest
/// clients beside it, measured from outside (/proc). Each nested class runs one attack once and asserts one
/// behaviour per test; the measured values are written to the test output.
/// </summary>
public static class HostileLoadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>
    /// These attacks measure latency on 2 cores: they run one at a time, after the tests that run in parallel, so
    /// what they measure is the server under the attack, not the rest of the suite's servers and browsers.
    /// </summary>
    public const string Alone = "Hostile load, one attack at a time";

    /// <summary>A HOCON file layered over the defaults with --config; the caller deletes it.</summary>
    private static string WriteConfig(string hocon)
    {
        var path = Path.Combine(Path.GetTempPath(), $"actorchat-hostile-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, hocon);
        return path;
    }

    /// <summary>The server's warnings, to explain a failure.</summary>
    private static string Warnings(ServerProcess server) =>
        string.Join('\n', server.StandardOutput.Split('\n').Where(l => l.Contains(" warn: ")).Take(10));

    /// <summary>The nearest-rank percentile of the samples.</summary>
    private static double Percentile(IReadOnlyCollection<double> samples, double percent)
    {
        Assert.NotEmpty(samples);
        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static async Task<ChatConnection> IdentifiedAsync(int port, string name, string? room = null)
    {
        var connection = await ChatConnection.ConnectAsync("127.0.0.1", port);
        await connection.SendAsync(new HelloRequest(name));
        Assert.IsType<WelcomeFrame>(await NextAsync(connection));
        if (room is null) return connection;
        await connection.SendAsync(new JoinRequest(room));
        while (await NextAsync(connection) is not JoinedFrame)
        {
        }
        return connection;
    }

    private static async Task<ServerFrame> NextAsync(ChatConnection connection)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var frame = await connection.ReceiveAsync(timeout.Token);
        Assert.True(frame is not null, "the server closed the connection");
        return frame;
    }

    /// <summary>A raw IPv4 socket with a small receive buffer: a client that never reads fills up at once.</summary>
    private static async Task<Socket> NeverReaderAsync(int port, string? greeting = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        if (greeting is not null) await socket.SendAsync(Encoding.UTF8.GetBytes(greeting));
        return socket;
    }

    /// <summary>Waits (bounded) until the server has closed or reset the socket's connection; how long that took.</summary>
    private static async Task<TimeSpan?> WaitUntilServerClosesAsync((IPEndPoint Local, IPEndPoint Remote) connection, TimeSpan within)
    {
        var (local, remote) = connection;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (!ProcFs.IsEstablished(local, remote)) return clock.Elapsed;
            await Task.Delay(50);
        }
        return null;
    }

    /// <summary>
    /// One connection that never says hello floods pings, as fast as the server takes them, and never reads the
    /// pongs. The server must pace it (pings cost input bytes), bound what it queues for it, cut it off as a slow
    /// consumer, keep answering others promptly meanwhile, and go back to idle once it is gone.
    /// </summary>
    [Collection(Alone)]
    public sealed class PingFloodWithoutHello(PingFloodWithoutHello.Attack attack, ITestOutputHelper output)
        : IClassFixture<PingFloodWithoutHello.Attack>
    {
        public static readonly TimeSpan SlowConsumerTimeout = TimeSpan.FromSeconds(2);
        public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
        public static readonly TimeSpan AttackLength = TimeSpan.FromSeconds(3);
        private const long MaxAttackBytes = 200_000_000;
        private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan IdleCpuPerWindow = TimeSpan.FromSeconds(0.2);

        [Fact]
        public void The_server_memory_rises_by_less_than_64_MB()
        {
            var rise = attack.RssPeak - attack.RssBefore;
            output.WriteLine($"RSS before {attack.RssBefore / 1048576.0:0.0} MB, peak {attack.RssPeak / 1048576.0:0.0} MB, rise {rise / 1048576.0:0.0} MB; attacker wrote {attack.BytesSent / 1048576.0:0.0} MB over {attack.Connections} connections, {attack.DroppedMidAttack} dropped while it wrote");
            Assert.True(rise < 64L * 1024 * 1024, $"RSS rose by {rise / 1048576.0:0.0} MB");
        }

        [Fact]
        public void A_canary_in_a_room_gets_its_pongs_with_a_p99_under_100_ms()
        {
            var p50 = Percentile(attack.CanaryRoundTripsMs, 50);
            var p99 = Percentile(attack.CanaryRoundTripsMs, 99);
            output.WriteLine($"canary ping→pong over {attack.CanaryRoundTripsMs.Count} round trips: p50 {p50:0.0} ms, p99 {p99:0.0} ms, max {attack.CanaryRoundTripsMs.Max():0.0} ms");
            Assert.True(p99 < 100, $"canary p99 {p99:0.0} ms");
        }

        [Fact]
        public void The_attacker_is_closed_by_the_server_within_the_slow_consumer_timeout_and_close_grace()
        {
            output.WriteLine($"{attack.Connections} attacker connections, {attack.DroppedMidAttack} dropped while writing; the last closed by the server {attack.ClosedAfterAttack?.TotalSeconds:0.00} s after it stopped writing");
            output.WriteLine(string.Join('\n', attack.ServerLog.Split('\n').Where(l => l.Contains("warn")).Take(5)));
            Assert.NotNull(attack.ClosedAfterAttack);
            // The server still reads (paced) what the kernel buffered after the attacker stopped; allow for that.
            var margin = TimeSpan.FromSeconds(4);
            Assert.True(attack.ClosedAfterAttack < SlowConsumerTimeout + CloseGrace + margin, $"closed only after {attack.ClosedAfterAttack}");
        }

        [Fact]
        public void Once_the_attacker_is_gone_the_server_falls_back_to_idle_within_5_s()
        {
            output.WriteLine(attack.IdleAfterLeaving is { } idle
                ? $"CPU under {IdleCpuPerWindow.TotalSeconds} s per {IdleWindow.TotalSeconds} s window from {idle.TotalSeconds:0.00} s after the attacker left ({attack.CpuInIdleWindow.TotalSeconds:0.00} s in that window)"
                : "CPU never fell back");
            Assert.NotNull(attack.IdleAfterLeaving);
            Assert.True(attack.IdleAfterLeaving <= TimeSpan.FromSeconds(5), $"idle only {attack.IdleAfterLeaving} after");
        }

        public sealed class Attack : IAsyncLifetime
        {
            private readonly string _config = WriteConfig($$"""
                actorchat.sessions.slow-consumer-timeout = {{SlowConsumerTimeout.TotalSeconds}}s
                actorchat.sessions.close-grace-period = {{CloseGrace.TotalSeconds}}s
                """);

            private ServerProcess? _server;

            public long RssBefore { get; private set; }
            public long RssPeak { get; private set; }
            public long BytesSent { get; private set; }
            public int Connections { get; private set; }
            public int DroppedMidAttack { get; private set; }
            public string ServerLog => _server?.StandardOutput ?? "";
            public List<double> CanaryRoundTripsMs { get; } = [];
            public TimeSpan? ClosedAfterAttack { get; private set; }
            public TimeSpan? IdleAfterLeaving { get; private set; }
            public TimeSpan CpuInIdleWindow { get; private set; }

            public async Task InitializeAsync()
            {
                _server = await ServerProcess.StartReadyAsync("--outbound-limit", "64KiB", "--config", _config);
                var pid = _server.Pid;
                await using var canary = await IdentifiedAsync(_server.Port, "canary", "lobby");
                for (var i = 0; i < 50; i++) await RoundTripAsync(canary); // warm up before measuring
                RssBefore = RssPeak = ProcFs.RssBytes(pid);

                using var stop = new CancellationTokenSource();
                var canaryLoop = Task.Run(async () =>
                {
                    var samples = new List<double>();
                    while (!stop.IsCancellationRequested)
                    {
                        samples.Add(await RoundTripAsync(canary));
                        await Task.Delay(10);
                    }
                    return samples;
                });
                var memoryWatch = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        RssPeak = Math.Max(RssPeak, ProcFs.RssBytes(pid));
                        await Task.Delay(50);
                    }
                });

                // The attack goes on for its whole length: an attacker the server drops connects again.
                var attackClock = Stopwatch.StartNew();
                Socket? attacker = null;
                try
                {
                    while (attackClock.Elapsed < AttackLength && BytesSent < MaxAttackBytes)
                    {
                        attacker?.Dispose();
                        attacker = await NeverReaderAsync(_server.Port);
                        Connections++;
                        var ends = ((IPEndPoint)attacker.LocalEndPoint!, (IPEndPoint)attacker.RemoteEndPoint!);
                        // The flood blocks its thread, so it gets one of its own: run on the thread pool it left the canary's
                        // awaits waiting for the pool to grow, which showed as one 500-800 ms round trip per run.
                        var socket = attacker;
                        var (sent, stoppedBy) = await Task.Factory.StartNew(
                            () => Flood(socket, AttackLength - attackClock.Elapsed, MaxAttackBytes - BytesSent),
                            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                        BytesSent += sent;
                        if (stoppedBy != SocketError.Success) DroppedMidAttack++;
                        ClosedAfterAttack = stoppedBy != SocketError.Success
                            ? TimeSpan.Zero
                            : await WaitUntilServerClosesAsync(ends, TimeSpan.FromSeconds(30));
                    }
                }
                finally
                {
                    attacker?.Dispose(); // the attacker leaves
                }
                var leftAt = Stopwatch.StartNew();
                await stop.CancelAsync();
                CanaryRoundTripsMs.AddRange(await canaryLoop);
                await memoryWatch;
                RssPeak = Math.Max(RssPeak, ProcFs.RssBytes(pid));
                await WatchForIdleAsync(pid, leftAt);
            }

            private static async Task<double> RoundTripAsync(ChatConnection canary)
            {
                var clock = Stopwatch.StartNew();
                await canary.SendAsync(PingRequest.Instance);
                Assert.IsType<PongFrame>(await NextAsync(canary));
                return clock.Elapsed.TotalMilliseconds;
            }

            /// <summary>Writes pings without pause for the attack's length (or up to a byte cap); never reads.</summary>
            private static (long Sent, SocketError StoppedBy) Flood(Socket attacker, TimeSpan length, long maxBytes)
            {
                var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"type\":\"ping\"}\n", 4096)));
                attacker.Blocking = false;
                var clock = Stopwatch.StartNew();
                long sent = 0;
                var offset = 0;
                while (clock.Elapsed < length && sent < maxBytes)
                {
                    var written = attacker.Send(chunk, offset, chunk.Length - offset, SocketFlags.None, out var error);
                    if (error == SocketError.WouldBlock)
                    {
                        attacker.Poll(10_000, SelectMode.SelectWrite); // the server is not reading: wait a little
                        continue;
                    }
                    if (error != SocketError.Success) return (sent, error); // already cut off
                    sent += written;
                    offset = (offset + written) % chunk.Length;
                }
                return (sent, SocketError.Success);
            }

            /// <summary>Samples the server's CPU time until some window of a second used less than the idle budget.</summary>
            private async Task WatchForIdleAsync(int pid, Stopwatch sinceLeaving)
            {
                var samples = new List<(TimeSpan At, TimeSpan Cpu)> { (sinceLeaving.Elapsed, ProcFs.CpuTime(pid)) };
                while (sinceLeaving.Elapsed < TimeSpan.FromSeconds(8))
                {
                    await Task.Delay(100);
                    var now = (At: sinceLeaving.Elapsed, Cpu: ProcFs.CpuTime(pid));
                    samples.Add(now);
                    var start = samples.FindLastIndex(s => now.At - s.At >= IdleWindow);
                    if (start < 0) continue;
                    var used = now.Cpu - samples[start].Cpu;
                    if (used < IdleCpuPerWindow)
                    {
                        IdleAfterLeaving = now.At;
                        CpuInIdleWindow = used;
                        return;
                    }
                }
            }

            public async Task DisposeAsync()
            {
                if (_server is not null) await _server.DisposeAsync();
                File.Delete(_config);
            }
        }
    }

    /// <summary>
    /// A member floods a room with the longest messages allowed while honest members read and chat and one member
    /// never reads. Flood control paces the flooder without losing its messages; the readers get all of them and the
    /// chat stays timely; only the member that never reads is cut off.
    /// </summary>
    [Collection(Alone)]
    public sealed class RoomFlood(RoomFlood.Attack attack, ITestOutputHelper output) : IClassFixture<RoomFlood.Attack>
    {
        private const string Room = "flooded";
        private const string FloodOver = "flood over";
        private const string ChatOver = "chat over";
        private static readonly TimeSpan FloodLength = TimeSpan.FromSeconds(5);
        private const int FlooderWindow = 40;
        private static readonly TimeSpan ChatEvery = TimeSpan.FromMilliseconds(200);

        [Fact]
        public void Every_honest_reader_gets_every_accepted_message_in_seq_order_without_gaps()
        {
            output.WriteLine($"flooder: {attack.FloodAccepted} messages accepted, the last echoed {attack.FloodDrainedAfter.TotalSeconds:0.0} s after the flood began; room ended at seq {attack.LastSeq}");
            Assert.True(attack.FloodAccepted > 20, "the flooder got no more than its burst through");
            foreach (var (name, seqs) in attack.ReaderSeqs)
            {
                Assert.True(seqs.SequenceEqual(Enumerable.Range(1, (int)attack.LastSeq).Select(n => (long)n)),
                    $"{name} got {seqs.Count} messages, not seq 1..{attack.LastSeq} in order");
                Assert.Superset(attack.FlooderEchoSeqs.ToHashSet(), seqs.ToHashSet());
            }
        }

        [Fact]
        public void No_honest_reader_is_cut_off_or_sent_an_error()
        {
            foreach (var (name, trouble) in attack.ReaderTrouble) Assert.True(trouble is null, $"{name}: {trouble}");
        }

        [Fact]
        public void The_chatters_messages_reach_the_readers_with_a_p99_under_2_s()
        {
            var p50 = Percentile(attack.ChatLatenciesMs, 50);
            var p99 = Percentile(attack.ChatLatenciesMs, 99);
            output.WriteLine($"chatter → readers over {attack.ChatLatenciesMs.Count} deliveries: p50 {p50:0} ms, p99 {p99:0} ms, max {attack.ChatLatenciesMs.Max():0} ms");
            Assert.True(p99 < 2000, $"chat p99 {p99:0} ms");
        }

        [Fact]
        public void The_member_that_never_reads_is_cut_off()
        {
            output.WriteLine($"never-reader closed by the server {attack.NeverReaderClosedAfter?.TotalSeconds:0.0} s after the flood began");
            Assert.NotNull(attack.NeverReaderClosedAfter);
        }

        public sealed class Attack : IAsyncLifetime
        {
            // Small enough that the member that never reads is cut off within the test, as it would be in ~40 s by default.
            private readonly string _config = WriteConfig("""
                actorchat.sessions.slow-consumer-timeout = 2s
                actorchat.sessions.close-grace-period = 2s
                actorchat.tcp.send-buffer = 32 KiB
                """);

            private ServerProcess? _server;

            public Dictionary<string, List<long>> ReaderSeqs { get; } = [];
            public Dictionary<string, string?> ReaderTrouble { get; } = [];
            public List<long> FlooderEchoSeqs { get; } = [];
            public ConcurrentBag<double> ChatLatenciesMs { get; } = [];
            public int FloodAccepted => FlooderEchoSeqs.Count;
            public long LastSeq { get; private set; }
            public TimeSpan FloodDrainedAfter { get; private set; }
            public TimeSpan? NeverReaderClosedAfter { get; private set; }

            public async Task InitializeAsync()
            {
                _server = await ServerProcess.StartReadyAsync("--outbound-limit", "64KiB", "--config", _config);
                try
                {
                    await FloodAsync(_server.Port);
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"The room flood failed: {e.Message}; the server logged:\n{Warnings(_server)}", e);
                }
            }

            private async Task FloodAsync(int port)
            {
                var readers = new List<(string Name, ChatConnection Connection)>();
                for (var i = 1; i <= 3; i++) readers.Add(($"reader{i}", await IdentifiedAsync(port, $"reader{i}", Room)));
                await using var chatter = await IdentifiedAsync(port, "chatter", Room);
                await using var flooder = await IdentifiedAsync(port, "flooder", Room);
                using var neverReader = await NeverReaderAsync(port,
                    $"{{\"type\":\"hello\",\"name\":\"sleeper\"}}\n{{\"type\":\"join\",\"room\":\"{Room}\"}}\n");
                var neverReaderEnds = ((IPEndPoint)neverReader.LocalEndPoint!, (IPEndPoint)neverReader.RemoteEndPoint!);

                var clock = Stopwatch.StartNew();
                var chatSentAt = new ConcurrentDictionary<string, TimeSpan>();
                // Everyone is in the room once the readers have seen the last of them join. Only then do the readers'
                // own loops start: two readers of one connection would race for its frames.
                await Task.WhenAll(readers.Select(r => UntilAsync(r.Connection, f => f is PresenceFrame { User: "sleeper" })));
                clock.Restart();
                var readerTasks = readers.Select(r => Task.Run(() => ReadAsync(r.Name, r.Connection, clock, chatSentAt))).ToList();

                var closed = Task.Run(() => WaitUntilServerClosesAsync(neverReaderEnds, TimeSpan.FromSeconds(40)));
                using var flooding = new CancellationTokenSource();
                // The flooder keeps 40 messages in flight, twice the burst: always over budget, yet its own socket
                // buffers never hold megabytes that the server (reading at the flood rate) would need a minute for.
                using var window = new SemaphoreSlim(FlooderWindow);
                var flooderEchoes = Task.Run(() => FlooderReadsAsync(flooder, clock, window));
                var chat = Task.Run(() => ChatAsync(chatter, chatSentAt, clock, flooding.Token));

                var text = new string('f', Protocol.MaxTextLength);
                while (clock.Elapsed < FloodLength)
                {
                    Assert.True(await window.WaitAsync(Patience), "the server stopped reading the flooder");
                    await flooder.SendAsync(new SayRequest(Room, text)).WaitAsync(Patience); // paced: the server reads when budget allows
                }
                await flooder.SendAsync(new SayRequest(Room, FloodOver));
                await flooderEchoes;
                FloodDrainedAfter = clock.Elapsed;
                await flooding.CancelAsync();
                LastSeq = await chat;
                await Task.WhenAll(readerTasks);
                NeverReaderClosedAfter = await closed is null ? null : clock.Elapsed;
                foreach (var (_, connection) in readers) await connection.DisposeAsync();
            }

            private static async Task UntilAsync(ChatConnection connection, Func<ServerFrame, bool> match)
            {
                while (!match(await NextAsync(connection)))
                {
                }
            }

            /// <summary>A reader that takes everything as fast as it comes, until the chatter's last word.</summary>
            private async Task ReadAsync(string name, ChatConnection connection, Stopwatch clock, ConcurrentDictionary<string, TimeSpan> chatSentAt)
            {
                var seqs = new List<long>();
                lock (ReaderSeqs) ReaderSeqs[name] = seqs;
                string? trouble = null;
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                try
                {
                    while (true)
                    {
                        var frame = await connection.ReceiveAsync(deadline.Token);
                        if (frame is null) { trouble = "the server closed the connection"; break; }
                        if (frame is ErrorFrame error) { trouble = $"error {error.Code}: {error.Message}"; break; }
                        if (frame is not MessageFrame message) continue;
                        seqs.Add(message.Seq);
                        if (message.Sender == "chatter" && chatSentAt.TryGetValue(message.Text, out var sentAt))
                            ChatLatenciesMs.Add((clock.Elapsed - sentAt).TotalMilliseconds);
                        if (message.Text == ChatOver) break;
                    }
                }
                catch (OperationCanceledException)
                {
                    trouble = $"still waiting for the chat to end after 60 s (at seq {seqs.LastOrDefault()})";
                }
                lock (ReaderTrouble) ReaderTrouble[name] = trouble;
            }

            /// <summary>The flooder reads everything too (it is a member); it stops at the echo of its last message.</summary>
            private async Task FlooderReadsAsync(ChatConnection flooder, Stopwatch clock, SemaphoreSlim window)
            {
                while (clock.Elapsed < TimeSpan.FromSeconds(60))
                {
                    var frame = await NextAsync(flooder);
                    Assert.False(frame is ErrorFrame, $"the flooder got {frame}");
                    if (frame is not MessageFrame { Sender: "flooder" } echo) continue;
                    FlooderEchoSeqs.Add(echo.Seq);
                    window.Release();
                    if (echo.Text == FloodOver) return;
                }
                Assert.Fail("the flood was not over within 60 s");
            }

            /// <summary>One short message every 200 ms until the flood is over; then the last word. The room's last seq.</summary>
            private static async Task<long> ChatAsync(ChatConnection chatter, ConcurrentDictionary<string, TimeSpan> sentAt, Stopwatch clock, CancellationToken floodOver)
            {
                for (var i = 0; !floodOver.IsCancellationRequested && i < 1000; i++)
                {
                    var text = $"chat {i}";
                    sentAt[text] = clock.Elapsed;
                    await chatter.SendAsync(new SayRequest(Room, text));
                    try { await Task.Delay(ChatEvery, floodOver); } catch (OperationCanceledException) { }
                }
                await chatter.SendAsync(new SayRequest(Room, ChatOver));
                while (true)
                {
                    if (await NextAsync(chatter) is MessageFrame { Text: ChatOver } last) return last.Seq;
                }
            }

            public async Task DisposeAsync()
            {
                if (_server is not null) await _server.DisposeAsync();
                File.Delete(_config);
            }
        }
    }

    /// <summary>Direct messages sent flat out: the sender is paced, not refused, and the target gets them all in order.</summary>
    [Collection(Alone)]
    public sealed class DirectMessageFlood(ITestOutputHelper output)
    {
        private const int Messages = 80;

        [Fact(Timeout = 60_000)]
        public async Task A_target_gets_every_direct_message_in_order_while_the_sender_is_paced_without_errors()
        {
            await using var server = await ServerProcess.StartReadyAsync();
            await using var target = await IdentifiedAsync(server.Port, "target");
            await using var flooder = await IdentifiedAsync(server.Port, "dmflooder");

            // All of them in one write, far faster than the 10 a second (burst 20) flood control allows.
            var padding = new string('d', 200);
            var lines = Enumerable.Range(1, Messages).SelectMany(i => FrameCodec.EncodeLine(new DirectMessageRequest("target", $"{i} {padding}"))).ToArray();
            var clock = Stopwatch.StartNew();
            await flooder.SendRawAsync(lines);

            var echoedAt = new List<TimeSpan>();
            while (echoedAt.Count < Messages)
            {
                var frame = await NextAsync(flooder);
                Assert.False(frame is ErrorFrame, $"the flooder got {frame}");
                if (frame is DirectMessageFrame { From: "dmflooder" } echo)
                {
                    Assert.Equal($"{echoedAt.Count + 1} {padding}", echo.Text);
                    echoedAt.Add(clock.Elapsed);
                }
            }
            var received = new List<string>();
            while (received.Count < Messages)
            {
                if (await NextAsync(target) is DirectMessageFrame { From: "dmflooder" } dm) received.Add(dm.Text);
            }
            await target.SendAsync(PingRequest.Instance);
            Assert.IsType<PongFrame>(await NextAsync(target));

            Assert.Equal(Enumerable.Range(1, Messages).Select(i => $"{i} {padding}"), received);
            var spread = echoedAt[^1] - echoedAt[0];
            output.WriteLine($"{Messages} DMs accepted over {spread.TotalSeconds:0.0} s (the burst of 20, then 10 a second: {(Messages - 20) / 10.0:0.0} s)");
            Assert.True(spread >= TimeSpan.FromSeconds((Messages - 20) / 10.0 * 0.8), $"not paced: all accepted within {spread}");
        }
    }

    /// <summary>
    /// Searches sent flat out from several connections at once, each far faster than its flood budget, over an index
    /// of 20,000 messages that every search matches: each flooder is paced to its budget and answered in full, and a
    /// user beside them chats and searches about as fast as before the flood. In process, so the index can be
    /// filled straight through its feed (and the test's own clients share the thread pool with the server).
    /// </summary>
    [Collection(Alone)]
    public sealed class SearchFlood(ITestOutputHelper output)
    {
        private const int Flooders = 8;
        private const int SearchesEach = 60;

        [Fact(Timeout = 180_000)]
        public async Task Searches_flat_out_are_paced_and_another_user_chats_and_searches_as_fast_as_before()
        {
            await using var server = await TestServer.StartAsync();
            await using var alice = await TestClient.ConnectAsync(server, "alice");
            await alice.JoinAsync("general");
            await using var bob = await TestClient.ConnectAsync(server, "bob");
            var indexer = await server.System.ActorSelection("/user/search-indexer").ResolveOne(TimeSpan.FromSeconds(5));
            var start = DateTimeOffset.UtcNow.AddDays(-1);
            for (var chunk = 0; chunk < 4; chunk++)
            {
                for (var i = chunk * 5000; i < (chunk + 1) * 5000; i++)
                    server.System.EventStream.Publish(new ActorChat.Server.Search.MessageIndexed("general", 1_000_000 + i, $"seed{i}", "seeder",
                        $"report {i} on the weekly numbers word{i % 100}", start.AddSeconds(i), null));
                await indexer.Ask<ActorChat.Server.Search.SearchIndexer.Idle>(ActorChat.Server.Search.SearchIndexer.WaitUntilIdle.Instance, TimeSpan.FromSeconds(60));
            }

            var (chatBefore, searchBefore) = await HonestUseAsync(alice, bob, "before");

            var flooders = new List<TestClient>();
            for (var f = 0; f < Flooders; f++) flooders.Add(await TestClient.ConnectAsync(server, $"searcher{f}"));
            var lines = Enumerable.Range(0, SearchesEach)
                .SelectMany(i => FrameCodec.EncodeLine(new SearchRequest("rep*", Limit: 50) { Ref = $"f{i}" })).ToArray();
            var floods = flooders.Select(flooder => Task.Run(async () =>
            {
                var clock = Stopwatch.StartNew();
                await flooder.Connection.SendRawAsync(lines); // all of them in one write
                for (var i = 0; i < SearchesEach; i++)
                {
                    var answer = await flooder.NextAsync<SearchResultsFrame>(TimeSpan.FromSeconds(60));
                    Assert.Equal(($"f{i}", 50), (answer.Ref, answer.Results.Count));
                }
                return clock.Elapsed;
            })).ToArray();
            await Task.Delay(500); // the flood is under way
            var (chatDuring, searchDuring) = await HonestUseAsync(alice, bob, "during");
            var spreads = await Task.WhenAll(floods);
            foreach (var flooder in flooders) await flooder.DisposeAsync();

            output.WriteLine($"alice's say round trip: before p50 {Percentile(chatBefore, 50):0.0} max {chatBefore.Max():0.0} ms; during p50 {Percentile(chatDuring, 50):0.0} max {chatDuring.Max():0.0} ms");
            output.WriteLine($"bob's search: before p50 {Percentile(searchBefore, 50):0.0} max {searchBefore.Max():0.0} ms; during p50 {Percentile(searchDuring, 50):0.0} max {searchDuring.Max():0.0} ms");
            output.WriteLine($"each flooder's {SearchesEach} searches took {spreads.Min().TotalSeconds:0.0} to {spreads.Max().TotalSeconds:0.0} s (burst 20, then 10 a second: {(SearchesEach - 20) / 10.0:0.0} s)");
            foreach (var spread in spreads)
                Assert.True(spread >= TimeSpan.FromSeconds((SearchesEach - 20) / 10.0 * 0.8), $"not paced: {SearchesEach} searches answered within {spread}");
            Assert.True(chatDuring.Max() < 500, $"alice's say took up to {chatDuring.Max():0} ms during the flood");
            Assert.True(searchDuring.Max() < 1000, $"bob's search took up to {searchDuring.Max():0} ms during the flood");
        }

        /// <summary>Alice says 20 things and bob searches 10 times, one at a time; their round trips in ms.</summary>
        private static async Task<(List<double> Chat, List<double> Search)> HonestUseAsync(TestClient alice, TestClient bob, string phase)
        {
            var chat = new List<double>();
            var search = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var clock = Stopwatch.StartNew();
                await alice.SendAsync(new SayRequest("general", $"{phase} {i}"));
                await alice.ExpectAsync<MessageFrame>(m => m.Text == $"{phase} {i}");
                chat.Add(clock.Elapsed.TotalMilliseconds);
                if (i % 2 == 1) continue;
                clock.Restart();
                await bob.SendAsync(new SearchRequest($"word{i}") { Ref = $"{phase}{i}" });
                Assert.NotEmpty((await bob.ExpectAsync<SearchResultsFrame>(r => r.Ref == $"{phase}{i}")).Results);
                search.Add(clock.Elapsed.TotalMilliseconds);
                await Task.Delay(100); // within bob's own flood budget
            }
            return (chat, search);
        }
    }

    /// <summary>The hello and keep-alive timeouts over real TCP, with the smallest values the flags allow.</summary>
    [Collection(Alone)]
    public sealed class Timeouts(Timeouts.Server server) : IClassFixture<Timeouts.Server>
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

        [Fact(Timeout = 30_000)]
        public async Task A_connection_that_never_says_hello_gets_bye_timeout_and_is_closed()
        {
            using var silent = await NeverReaderAsync(server.Port);
            var (frames, after) = await ReadUntilClosedAsync(silent);
            Assert.Equal(new ByeFrame("timeout"), frames[^1]);
            Assert.All(frames.SkipLast(1), f => Assert.IsType<ServerPingFrame>(f));
            Assert.True(after < Interval * 4, $"closed only after {after}");
        }

        [Fact(Timeout = 30_000)]
        public async Task An_identified_connection_that_does_not_answer_pings_gets_bye_timeout_and_is_closed()
        {
            using var silent = await NeverReaderAsync(server.Port, "{\"type\":\"hello\",\"name\":\"mute\"}\n");
            var (frames, after) = await ReadUntilClosedAsync(silent);
            Assert.IsType<WelcomeFrame>(frames[0]);
            Assert.Contains(ServerPingFrame.Instance, frames);
            Assert.Equal(new ByeFrame("timeout"), frames[^1]);
            Assert.True(after < Interval * 5, $"closed only after {after}");
        }

        [Fact(Timeout = 30_000)]
        public async Task A_client_that_answers_pings_stays_connected_past_three_intervals()
        {
            await using var client = await IdentifiedAsync(server.Port, "keeper");
            // The time passing is the point here: three intervals in which the server pings and the client answers.
            await Task.Delay(Interval * 3.5);
            Assert.False(client.Frames.TryRead(out var unexpected), $"the client got {unexpected}");
            await client.SendAsync(PingRequest.Instance);
            Assert.IsType<PongFrame>(await NextAsync(client));
        }

        /// <summary>Reads (as a client that reads but never writes) until the server closes; the frames and how long it took.</summary>
        private static async Task<(List<ServerFrame> Frames, TimeSpan After)> ReadUntilClosedAsync(Socket socket)
        {
            var clock = Stopwatch.StartNew();
            var framer = new LineFramer(1 << 20);
            var frames = new List<ServerFrame>();
            var buffer = new byte[4096];
            using var deadline = new CancellationTokenSource(Patience);
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (read == 0) return (frames, clock.Elapsed);
                framer.Append(buffer.AsSpan(0, read));
                while (framer.TryReadLine(out var line))
                {
                    var decoded = FrameCodec.DecodeServerFrame(line);
                    Assert.True(decoded.IsSuccess, decoded.Error?.Message);
                    frames.Add(decoded.Frame!);
                }
            }
        }

        public sealed class Server : IAsyncLifetime
        {
            private ServerProcess? _process;

            public int Port => _process!.Port;

            public async Task InitializeAsync() =>
                _process = await ServerProcess.StartReadyAsync("--hello-timeout", "1", "--ping-interval", "1");

            public async Task DisposeAsync()
            {
                if (_process is not null) await _process.DisposeAsync();
            }
        }
    }
}

[CollectionDefinition(HostileLoadTests.Alone, DisableParallelization = true)]
public sealed class HostileLoadCollection;
