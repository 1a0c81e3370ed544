using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorChat.Messages;

namespace ActorChat.Bench;

/// <summary>
/// The hostile scenario's guests beside the honest room: a flooder that says 4,000-character texts into the
/// readers' room as fast as its socket takes them, a never-reader in that room that stops reading once it has
/// joined (with a small receive buffer), and a canary alone in a room of its own that says and pings at a steady
/// rate. They start and stop with the honest send phase; what they saw goes into <see cref="HostileReport"/>.
/// </summary>
internal sealed class HostileCrowd : IAsyncDisposable
{
    public const int FlooderTextLength = 4000;
    public const int NeverReaderReceiveBuffer = 4096;
    /// <summary>Canary says per second; as many pings go out between them.</summary>
    public const double CanaryRate = 5;
    private const int CanaryTextLength = 100;

    private readonly BenchRun _run;
    private readonly HostileReport _report;
    private readonly string _canaryRoom;
    private readonly LineConnection _flooder = new(receiveBuffer: null);
    private readonly LineConnection _neverReader = new(NeverReaderReceiveBuffer);
    private readonly LineConnection _canary = new(receiveBuffer: null);
    private readonly Histogram _sayLatency = new();
    private readonly Histogram _pingLatency = new();
    private readonly ConcurrentQueue<long> _pingsInFlight = new();
    private readonly ConcurrentDictionary<string, long> _guestErrors = new();
    private readonly List<long> _flooderEchoTicks = [];
    private readonly CancellationTokenSource _stop = new();
    private SemaphoreSlim? _flooderWindow;
    private readonly List<Task> _loops = [];
    private long _startTicks;
    private long _cutOffLoggedTicks;
    private long _neverReaderClosedTicks;
    private int _honestCutOffsLogged;

    public HostileCrowd(BenchRun run, HostileReport report, string tag)
    {
        _run = run;
        _report = report;
        FlooderName = $"b{tag}-flooder";
        NeverReaderName = $"b{tag}-never";
        CanaryName = $"b{tag}-canary";
        _canaryRoom = $"b{tag}-canary";
        GuestNamesUtf8 = [Encoding.UTF8.GetBytes(FlooderName), Encoding.UTF8.GetBytes(NeverReaderName)];
    }

    public string FlooderName { get; }
    public string NeverReaderName { get; }
    public string CanaryName { get; }

    /// <summary>Senders in the honest room that are not the run's own (the honest readers count their messages apart).</summary>
    public byte[][] GuestNamesUtf8 { get; }

    /// <summary>Connects, identifies and joins the three; the never-reader reads up to its joined frame and no further.</summary>
    public async Task ConnectAsync(IPEndPoint target, IPAddress? source, CancellationToken ct)
    {
        var room = _run.RoomName(0);
        await _flooder.ConnectAsync(target, source, ct);
        await _flooder.IdentifyAndJoinAsync(FlooderName, room, ct);
        await _canary.ConnectAsync(target, source, ct);
        await _canary.IdentifyAndJoinAsync(CanaryName, _canaryRoom, ct);
        await _neverReader.ConnectAsync(target, source, ct);
        await _neverReader.IdentifyAndJoinAsync(NeverReaderName, room, ct);
        _run.Options.Log?.Invoke($"hostile guests joined: {FlooderName} and {NeverReaderName} (receive buffer {NeverReaderReceiveBuffer} B, reads no more) in {room}, {CanaryName} in {_canaryRoom}");
    }

    /// <summary>Starts flooding, the canary's beat and the watch on the never-reader.</summary>
    public void Start()
    {
        _startTicks = Stopwatch.GetTimestamp();
        var stop = _stop.Token;
        _loops.Add(Task.Run(() => _flooder.ReadAllAsync(OnFlooderFrame, stop), CancellationToken.None));
        _loops.Add(Task.Run(() => _canary.ReadAllAsync(OnCanaryFrame, stop), CancellationToken.None));
        _loops.Add(Task.Run(() => FloodAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => BeatAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => WatchNeverReaderAsync(stop), CancellationToken.None));
    }

    /// <summary>A line of the started server's log: its cut-off warnings say whom and why.</summary>
    public void OnServerLine(string line)
    {
        if (!line.Contains("Cutting off", StringComparison.Ordinal)) return;
        if (line.Contains(NeverReaderName, StringComparison.Ordinal))
        {
            if (Interlocked.CompareExchange(ref _cutOffLoggedTicks, Stopwatch.GetTimestamp(), 0) == 0)
                _report.NeverReaderCutOffReason = line[(line.IndexOf("Cutting off", StringComparison.Ordinal))..];
        }
        else if (!line.Contains(CanaryName, StringComparison.Ordinal) && !line.Contains(FlooderName, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _honestCutOffsLogged);
        }
        else
        {
            _guestErrors.AddOrUpdate("cut off (log): " + (line.Contains(CanaryName, StringComparison.Ordinal) ? "canary" : "flooder"), 1, (_, n) => n + 1);
        }
    }

    /// <summary>Stops the guests; waits (bounded) for a never-reader the server has decided to cut off to be closed.</summary>
    public async Task StopAsync(bool serverLogSeen)
    {
        var seconds = Seconds(Stopwatch.GetTimestamp() - _startTicks);
        // A cut-off is closed after the server's close grace (5 s); without the server's log, wait for the socket alone.
        var waitForClose = Interlocked.Read(ref _cutOffLoggedTicks) != 0 ? 7.0 : serverLogSeen ? 0 : 15;
        for (var waited = 0.0; waited < waitForClose && Interlocked.Read(ref _neverReaderClosedTicks) == 0; waited += 0.1)
            await Task.Delay(100);
        await _stop.CancelAsync();
        foreach (var loop in _loops)
        {
            try { await loop; }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        }

        var r = _report;
        r.Seconds = seconds;
        r.FlooderTextLength = FlooderTextLength;
        r.FlooderWindow = _run.Options.FlooderWindow;
        r.NeverReaderReceiveBuffer = NeverReaderReceiveBuffer;
        r.CanaryRate = CanaryRate;
        var cutLogged = Interlocked.Read(ref _cutOffLoggedTicks);
        var closed = Interlocked.Read(ref _neverReaderClosedTicks);
        r.NeverReaderCutOffSeconds = cutLogged != 0 ? Seconds(cutLogged - _startTicks) : null;
        r.NeverReaderClosedSeconds = closed != 0 ? Seconds(closed - _startTicks) : null;
        r.NeverReaderCutOff = cutLogged != 0 || closed != 0;
        r.NeverReaderTcpStateAtEnd = TcpStateName(TcpState(_neverReader.Socket));
        r.HonestCutOffsLogged = Volatile.Read(ref _honestCutOffsLogged);
        lock (_flooderEchoTicks)
        {
            r.FlooderAccepted = _flooderEchoTicks.Count;
            r.FlooderAcceptedPerSecond = seconds > 0 ? _flooderEchoTicks.Count / seconds : 0;
            // After the first 5 s the burst allowance is spent: what is left is the sustained rate.
            var steadyFrom = _startTicks + 5 * Stopwatch.Frequency;
            var steady = _flooderEchoTicks.Count(t => t >= steadyFrom);
            r.FlooderSteadyPerSecond = seconds > 6 ? steady / (seconds - 5) : null;
        }
        r.CanarySayLatency = _sayLatency.Count > 0 ? BenchRun.Summarize(_sayLatency) : null;
        r.CanaryPingLatency = _pingLatency.Count > 0 ? BenchRun.Summarize(_pingLatency) : null;
        r.CanaryEchoes = _sayLatency.Count;
        r.CanaryPongs = _pingLatency.Count;
        r.FlooderClosed = _flooder.CloseReason;
        r.FlooderClosedSeconds = _flooder.ClosedTicks != 0 ? Seconds(_flooder.ClosedTicks - _startTicks) : null;
        r.CanaryClosed = _canary.CloseReason;
        foreach (var (code, n) in _guestErrors) r.GuestErrors[code] = n;
    }

    private async Task FloodAsync(CancellationToken ct)
    {
        var room = _run.RoomName(0);
        var padding = new string('y', FlooderTextLength);
        if (_run.Options.FlooderWindow > 0) _flooderWindow = new SemaphoreSlim(_run.Options.FlooderWindow);
        for (var n = 0L; !ct.IsCancellationRequested && _flooder.CloseReason is null; n++)
        {
            if (_flooderWindow is { } window) await window.WaitAsync(ct);
            var text = $"flood:{n:D9}:" + padding[..(FlooderTextLength - 16)];
            await _flooder.SendAsync(FrameCodec.EncodeLine(new SayRequest(room, text)), ct);
            _report.FlooderFramesWritten = n + 1;
        }
    }

    /// <summary>Open-loop: every 1 / (2 × rate) s a say and a ping in turn.</summary>
    private async Task BeatAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / (2 * CanaryRate)));
        var beat = 0;
        while (await timer.WaitForNextTickAsync(ct) && _canary.CloseReason is null)
        {
            if (beat++ % 2 == 0)
            {
                var text = Payload.Format(Stopwatch.GetTimestamp(), 0, _report.CanarySays, CanaryTextLength);
                _report.CanarySays++;
                await _canary.SendAsync(FrameCodec.EncodeLine(new SayRequest(_canaryRoom, text)), ct);
            }
            else
            {
                _pingsInFlight.Enqueue(Stopwatch.GetTimestamp());
                _report.CanaryPings++;
                await _canary.SendAsync(FrameCodec.EncodeLine(PingRequest.Instance), ct);
            }
        }
    }

    private async Task WatchNeverReaderAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (TcpState(_neverReader.Socket) is not (1 or -1))
            {
                Interlocked.CompareExchange(ref _neverReaderClosedTicks, Stopwatch.GetTimestamp(), 0);
                return;
            }
            await Task.Delay(100, ct);
        }
    }

    private void OnFlooderFrame(ServerFrame frame, long now)
    {
        switch (frame)
        {
            case MessageFrame m when m.Sender == FlooderName:
                lock (_flooderEchoTicks) _flooderEchoTicks.Add(now);
                _flooderWindow?.Release();
                break;
            case ErrorFrame e:
                _guestErrors.AddOrUpdate("flooder: " + e.Code, 1, (_, n) => n + 1);
                break;
            case ServerPingFrame:
                _ = _flooder.SendAsync(FrameCodec.EncodeLine(PongRequest.Instance), CancellationToken.None);
                break;
        }
    }

    private void OnCanaryFrame(ServerFrame frame, long now)
    {
        switch (frame)
        {
            case MessageFrame m when m.Sender == CanaryName:
                if (Payload.TryParse(Encoding.UTF8.GetBytes(m.Text), out var sent, out _, out _))
                    _sayLatency.Record((now - sent) * 1_000_000 / Stopwatch.Frequency);
                break;
            case PongFrame:
                if (_pingsInFlight.TryDequeue(out var pinged))
                    _pingLatency.Record((now - pinged) * 1_000_000 / Stopwatch.Frequency);
                break;
            case ErrorFrame e:
                _guestErrors.AddOrUpdate("canary: " + e.Code, 1, (_, n) => n + 1);
                break;
        }
    }

    /// <summary>The socket's TCP state from TCP_INFO (Linux): 1 = established, 7 = closed, 8 = close-wait; -1 = unknown.</summary>
    private static int TcpState(Socket socket)
    {
        if (!OperatingSystem.IsLinux()) return -1;
        try
        {
            var info = new byte[8];
            return socket.GetRawSocketOption(6 /* IPPROTO_TCP */, 11 /* TCP_INFO */, info) > 0 ? info[0] : -1;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return 7;
        }
    }

    private static string TcpStateName(int state) => state switch
    {
        1 => "established", 7 => "closed", 8 => "close-wait", -1 => "unknown", _ => $"state {state}",
    };

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _flooder.DisposeAsync();
        await _neverReader.DisposeAsync();
        await _canary.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>A plain line connection for the hostile guests: every frame decoded with <see cref="FrameCodec"/>.</summary>
internal sealed class LineConnection(int? receiveBuffer) : IAsyncDisposable
{
    private readonly LineFramer _framer = new(1024 * 1024, 512);

    public Socket Socket { get; } = NewSocket(receiveBuffer);
    public string? CloseReason { get; private set; }
    public long ClosedTicks { get; private set; }

    private static Socket NewSocket(int? receiveBuffer)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // Before connect, so that the window the server sees is small from the start.
        if (receiveBuffer is { } size) socket.ReceiveBufferSize = size;
        return socket;
    }

    public async Task ConnectAsync(IPEndPoint target, IPAddress? source, CancellationToken ct)
    {
        if (source is not null) Socket.Bind(new IPEndPoint(source, 0));
        await Socket.ConnectAsync(target, ct);
    }

    public async Task IdentifyAndJoinAsync(string name, string room, CancellationToken ct)
    {
        await SendAsync(FrameCodec.EncodeLine(new HelloRequest(name)), ct);
        var welcome = await ReadUntilAsync(f => f is WelcomeFrame or ErrorFrame, ct);
        if (welcome is not WelcomeFrame) throw new BenchException($"{name}: hello got {welcome}");
        await SendAsync(FrameCodec.EncodeLine(new JoinRequest(room)), ct);
        var joined = await ReadUntilAsync(f => f is JoinedFrame j && j.Room == room || f is ErrorFrame, ct);
        if (joined is not JoinedFrame) throw new BenchException($"{name}: join got {joined}");
    }

    public async ValueTask SendAsync(byte[] line, CancellationToken ct) => await Socket.SendAsync(line, SocketFlags.None, ct);

    /// <summary>Reads until a frame matches; frames before it are dropped (presence, history).</summary>
    private async Task<ServerFrame> ReadUntilAsync(Func<ServerFrame, bool> match, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                while (_framer.TryReadLine(out var line))
                {
                    var decoded = FrameCodec.DecodeServerFrame(line);
                    if (decoded.IsSuccess && match(decoded.Frame!)) return decoded.Frame!;
                }
                var read = await Socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct);
                if (read == 0) throw new BenchException("the server closed the connection");
                _framer.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads on until the connection closes or <paramref name="ct"/>, handing every frame over with its receive time.</summary>
    public async Task ReadAllAsync(Action<ServerFrame, long> onFrame, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var now = Stopwatch.GetTimestamp();
            while (true)
            {
                while (_framer.TryReadLine(out var line))
                {
                    var decoded = FrameCodec.DecodeServerFrame(line);
                    if (decoded.IsSuccess) onFrame(decoded.Frame!, now);
                }
                var read = await Socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct);
                now = Stopwatch.GetTimestamp();
                if (read == 0)
                {
                    CloseReason = "server closed the connection";
                    ClosedTicks = now;
                    return;
                }
                _framer.Append(buffer.AsSpan(0, read));
            }
        }
        catch (SocketException e)
        {
            CloseReason = $"socket error {e.SocketErrorCode}";
            ClosedTicks = Stopwatch.GetTimestamp();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public ValueTask DisposeAsync()
    {
        try { Socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
