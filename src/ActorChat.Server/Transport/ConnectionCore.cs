using System.Diagnostics;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Operations;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Transport;

/// <summary>
/// The part of a connection that every transport shares, hosted by the transport's actor: it turns input into
/// frames for the <see cref="ChatSession"/> no faster than the session handles them and the flood budget allows,
/// queues what goes out with one write in flight, applies the slow-consumer rule and the hello and keep-alive
/// timeouts, and closes cleanly within the close grace. A transport only says how to read, write and close
/// (<see cref="IConnectionWire"/>). Not thread-safe: called only from the hosting actor.
/// </summary>
public sealed class ConnectionCore : ISessionTransport
{
    /// <summary>Input that may still arrive after reading was paused (reads already under way), beyond one frame.</summary>
    private const int InFlightInputSlack = 256 * 1024;

    private static readonly TimeSpan MinTick = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxTick = TimeSpan.FromSeconds(10);

    /// <summary>Timer messages of the core; the hosting actor hands every message to <see cref="Handle"/>.</summary>
    private sealed class ResumeInput
    {
        public static readonly ResumeInput Instance = new();
    }

    private sealed class CloseDeadline
    {
        public static readonly CloseDeadline Instance = new();
    }

    private sealed class SlowConsumerDeadline
    {
        public static readonly SlowConsumerDeadline Instance = new();
    }

    private sealed class HelloDeadline
    {
        public static readonly HelloDeadline Instance = new();
    }

    private sealed class KeepAliveTick
    {
        public static readonly KeepAliveTick Instance = new();
    }

    private readonly IConnectionWire _wire;
    private readonly IActorContext _context;
    private readonly ITimerScheduler _timers;
    private readonly SessionSettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly string _remote;
    private readonly Func<long> _clock;
    private readonly OutboundQueue _outbound = new();
    private readonly FloodGate _flood;
    private readonly LineFramer? _framer;
    private readonly ChatMetrics _metrics;
    private readonly WarningRateLimit _warnings;
    private readonly string _transport;
    private string? _abortReason; // why the connection was dropped without a final frame, if it was
    private (DecodeResult<ClientFrame> Decoded, int Bytes)? _held; // a frame waiting for the flood budget
    private bool _paced;
    private Timer? _resumeTimer; // ends a flood-budget pause; see PauseInput
    private bool _readRequested;
    private bool _overSoftLimit;
    private bool _closing;
    private bool _closeSent;
    private ServerFrame? _finalFrame;
    private long _lastHeardTicks;
    private bool _pinged;
    private long _pingedAtTicks;

    /// <param name="framesAreLines">True for byte streams (TCP), whose frames are '\n'-ended lines; false for
    /// message transports (WebSocket), which hand over one frame per message.</param>
    /// <param name="clock">Ticks (<see cref="TimeSpan.TicksPerSecond"/> per second); tests pass their own.</param>
    public ConnectionCore(IConnectionWire wire, IActorContext context, ITimerScheduler timers, SessionServices services,
        ILoggingAdapter log, string remote, bool framesAreLines, Func<long>? clock = null)
    {
        _wire = wire;
        _context = context;
        Self = context.Self;
        _timers = timers;
        _settings = services.Settings;
        _log = log;
        _remote = remote;
        RemoteAddress = AddressOf(remote);
        _clock = clock ?? MonotonicTicks;
        _flood = new FloodGate(_settings.Flood, _clock());
        _framer = framesAreLines ? new LineFramer(_settings.MaxFrameBytes, initialCapacity: 256) : null;
        _metrics = services.Metrics;
        _warnings = services.Warnings;
        _transport = ChatMetrics.TransportOf(wire.Kind);
        Session = new ChatSession(services, this);
    }

    public ChatSession Session { get; }

    public IActorRef Self { get; }

    public System.Net.IPAddress? RemoteAddress { get; }

    /// <summary>The address in "address:port" as transports write it ("[::1]:5000", "::1:5000", "127.0.0.1:5000").</summary>
    private static System.Net.IPAddress? AddressOf(string remote)
    {
        var colon = remote.LastIndexOf(':');
        var text = (colon > 0 ? remote[..colon] : remote).Trim('[', ']');
        if (!System.Net.IPAddress.TryParse(text, out var address)) return null;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    public bool Closing => _closing;

    /// <summary>Starts the timeouts and the first read.</summary>
    public void Start()
    {
        _metrics.ConnectionOpened(_transport);
        _log.Info("{0} connection from {1} opened", _wire.Kind, _remote);
        _lastHeardTicks = _clock();
        if (_settings.HelloTimeout > TimeSpan.Zero)
            _timers.StartSingleTimer(HelloDeadline.Instance, HelloDeadline.Instance, _settings.HelloTimeout);
        var tick = _settings.PingInterval > TimeSpan.Zero ? _settings.PingInterval / 4 : MaxTick;
        tick = tick < MinTick ? MinTick : tick > MaxTick ? MaxTick : tick;
        _timers.StartPeriodicTimer(KeepAliveTick.Instance, KeepAliveTick.Instance, tick);
        RequestRead();
    }

    /// <summary>Messages for the core (timers, deliveries, shutdown) and for its session; false when neither takes it.</summary>
    public bool Handle(object message)
    {
        switch (message)
        {
            case Deliver deliver:
                // Counted before the bytes go, so a client that has them also sees them counted.
                if (deliver.Answers == 0) _metrics.Delivered();
                if (deliver.PostedAt != 0 && !_closing) _metrics.FannedOutTo(deliver.PostedAt);
                Send(deliver.Line);
                if (deliver.Answers > 0) Session.Answered(deliver.Answers);
                return true;
            case ResumeInput: _paced = false; Pump(); return true;
            case CloseDeadline: _wire.Abort(); return true;
            case SlowConsumerDeadline: if (_overSoftLimit) CutOff("behind for longer than the slow-consumer timeout"); return true;
            case HelloDeadline: OnHelloDeadline(); return true;
            case KeepAliveTick: OnKeepAliveTick(); return true;
            case CloseGracefully: CloseAfterFlush(new ByeFrame(ByeFrame.ServerShutdown)); return true;
            default: return Session.Handle(message);
        }
    }

    /// <summary>A read of a byte stream (TCP): bytes of any number of lines, the last one maybe incomplete.</summary>
    public void OnBytes(ReadOnlySpan<byte> chunk)
    {
        Heard();
        if (_closing)
        {
            RequestRead(); // a closing connection reads on only to throw input away until the peer closes
            return;
        }
        _framer!.Append(chunk);
        if (_framer.Buffered > _settings.MaxFrameBytes + InFlightInputSlack)
        {
            // Reading is paused while input waits, so this much can only come from a transport that did not pause.
            _log.Warning("{0} connection from {1} sent {2} bytes it was not asked for; dropping it", _wire.Kind, _remote, _framer.Buffered);
            _abortReason = "input_overflow";
            _wire.Abort();
            return;
        }
        Pump();
    }

    /// <summary>One whole message of a message transport (WebSocket): one frame, or nothing when blank.</summary>
    public void OnMessage(ReadOnlySpan<byte> message)
    {
        Heard();
        if (_closing)
        {
            RequestRead();
            return;
        }
        if (message.Trim((byte)' ').IsEmpty)
        {
            Pump(); // an empty message is not a frame, as a blank line on TCP
            return;
        }
        _held = (Decode(message), message.Length);
        Pump();
    }

    /// <summary>A message transport got a message that is not a frame (a binary WebSocket message).</summary>
    public void OnUnreadableMessage(int bytes, string why)
    {
        Heard();
        if (_closing)
        {
            RequestRead();
            return;
        }
        _held = (DecodeResult<ClientFrame>.Fail(ErrorCodes.BadRequest, why), bytes);
        Pump();
    }

    /// <summary>A read came in: the one asked for is done, and the client is alive (anything counts, not just a pong).</summary>
    private void Heard()
    {
        _readRequested = false;
        _lastHeardTicks = _clock();
        _pinged = false;
    }

    /// <summary>A message transport saw a frame longer than the limit: the peer broke the protocol.</summary>
    public void OnFrameTooLarge()
    {
        _readRequested = false;
        CloseAfterFlush(FrameTooLarge());
    }

    public void OnWriteCompleted()
    {
        _outbound.WriteCompleted();
        WatchBacklog();
        WriteNext();
    }

    /// <summary>
    /// Hands frames to the session while the flood budget allows and the session takes them; then reads more, or
    /// waits for the budget or for the session (which says <see cref="InputReady"/>).
    /// </summary>
    private void Pump()
    {
        while (!_closing && !_paced && Session.ReadyForInput)
        {
            if (_held is null && !TryTakeLine()) break;
            var (decoded, bytes) = _held!.Value;
            if (!_flood.TryAdmit(decoded.Frame, bytes, _clock(), out var wait))
            {
                // Over budget: stop reading this connection until the budget has refilled; nothing is lost.
                PauseInput(wait);
                _metrics.FloodPaced();
                Warn("Pacing {0} {1} ({2}): over its flood budget, not reading for {3} ms", (int)Math.Ceiling(wait.TotalMilliseconds));
                return;
            }
            _held = null;
            _metrics.FrameReceived(decoded.Frame);
            Session.Receive(decoded);
        }
        if (_closing) return;
        if (_framer is { Overflowed: true })
        {
            CloseAfterFlush(FrameTooLarge());
            return;
        }
        if (!_paced && Session.ReadyForInput) RequestRead();
    }

    /// <summary>
    /// Stops reading for <paramref name="wait"/>, on a .NET timer rather than Akka's scheduler: Akka's timers fire on
    /// its scheduler's ticks (every 50 ms here, hocon/actorchat.conf), which would stretch a 39 ms pause to 100 ms and
    /// hold a client well under the flood budget it was promised. A late or stale resume is harmless: it only pumps.
    /// </summary>
    private void PauseInput(TimeSpan wait)
    {
        _paced = true;
        _resumeTimer?.Dispose();
        _resumeTimer = new Timer(static self => ((IActorRef)self!).Tell(ResumeInput.Instance, ActorRefs.NoSender), Self, wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The session can take frames again: hand it what is buffered, then read on.</summary>
    public void InputReady() => Pump();

    private bool TryTakeLine()
    {
        if (_framer is null) return false;
        while (_framer.TryReadLine(out var line))
        {
            if (line.Trim((byte)' ').IsEmpty) continue; // a blank line is not a frame
            _held = (Decode(line), line.Length + 1);
            return true;
        }
        return false;
    }

    private DecodeResult<ClientFrame> Decode(ReadOnlySpan<byte> json)
    {
        try
        {
            return FrameCodec.DecodeClientFrame(json);
        }
        catch (Exception e)
        {
            // The codec is meant never to throw; if it does, the client gets an answer and the connection lives on.
            _log.Warning("Frame from {0} could not be decoded: {1}", _remote, e.Message);
            return DecodeResult<ClientFrame>.Fail(ErrorCodes.BadJson, "The frame could not be read.");
        }
    }

    private void RequestRead()
    {
        if (_readRequested) return;
        _readRequested = true;
        _wire.ReadMore();
    }

    public void Send(ServerFrame frame)
    {
        if (frame is ErrorFrame error && !_closing) _metrics.ErrorSent(error.Code);
        Send(FrameCodec.EncodeLine(frame));
    }

    /// <summary>The hosting actor's context, captured at its start; the core is only called from that actor.</summary>
    public void Watch(IActorRef actor) => _context.Watch(actor);

    public void Unwatch(IActorRef actor) => _context.Unwatch(actor);

    private void Send(byte[] chunk)
    {
        if (_closing) return;
        _outbound.Enqueue(chunk);
        if (_outbound.PendingBytes > _settings.OutboundHardLimitBytes)
        {
            CutOff($"{_outbound.PendingBytes} bytes behind, past the hard limit");
            return;
        }
        WatchBacklog();
        WriteNext();
    }

    /// <summary>
    /// The slow-consumer rule: a client may fall behind by more than the outbound limit for a while (a burst), but
    /// not for longer than the slow-consumer timeout, and never by more than the hard limit.
    /// </summary>
    private void WatchBacklog()
    {
        var over = _outbound.PendingBytes > _settings.OutboundLimitBytes;
        if (over == _overSoftLimit || _closing) return;
        _overSoftLimit = over;
        if (over) _timers.StartSingleTimer(SlowConsumerDeadline.Instance, SlowConsumerDeadline.Instance, _settings.SlowConsumerTimeout);
        else _timers.Cancel(SlowConsumerDeadline.Instance);
    }

    private void CutOff(string why)
    {
        Warn("Cutting off {0} {1} ({2}): {3}", why);
        _outbound.Clear();
        CloseAfterFlush(new ErrorFrame(ErrorCodes.SlowConsumer, "You are not reading fast enough to keep up; disconnecting."));
    }

    /// <summary>Queues <paramref name="finalFrame"/> after what is queued, flushes, closes; aborts if that takes longer than the grace.</summary>
    public void CloseAfterFlush(ServerFrame finalFrame)
    {
        if (_closing) return;
        if (finalFrame is ErrorFrame error) _metrics.ErrorSent(error.Code);
        _closing = true;
        _finalFrame = finalFrame;
        _held = null;
        CancelTimers();
        _outbound.Enqueue(FrameCodec.EncodeLine(finalFrame));
        WriteNext();
        // A client that does not read would hold a graceful close open for ever: give it a deadline.
        _timers.StartSingleTimer(CloseDeadline.Instance, CloseDeadline.Instance, _settings.CloseGracePeriod);
        RequestRead(); // go on reading (and discarding) so that the peer's own close is seen
    }

    /// <summary>The peer began the close and the transport answers it: nothing more goes out; abort if it hangs.</summary>
    public void OnPeerClosing()
    {
        if (_closing) return;
        _closing = _closeSent = true;
        _held = null;
        _outbound.Clear();
        CancelTimers();
        _timers.StartSingleTimer(CloseDeadline.Instance, CloseDeadline.Instance, _settings.CloseGracePeriod);
    }

    private void CancelTimers()
    {
        _resumeTimer?.Dispose();
        _timers.Cancel(SlowConsumerDeadline.Instance);
        _timers.Cancel(HelloDeadline.Instance);
        _timers.Cancel(KeepAliveTick.Instance);
    }

    private void WriteNext()
    {
        var next = _outbound.TakeNextWrite();
        if (next.Count > 0)
        {
            _wire.Write(next);
        }
        else if (_closing && !_outbound.WriteInFlight && !_closeSent)
        {
            _closeSent = true;
            _wire.Close(_finalFrame!);
        }
    }

    private void OnHelloDeadline()
    {
        if (_closing || Session.UserName is not null) return;
        _log.Info("{0} connection from {1} did not say hello within {2} s; closing it", _wire.Kind, _remote, _settings.HelloTimeout.TotalSeconds);
        CloseAfterFlush(new ByeFrame(ByeFrame.Timeout));
    }

    /// <summary>
    /// A connection silent for the ping interval is pinged; silent for as long again, it is closed. The same tick
    /// (at most every 10 s) repeats an outstanding read request.
    /// </summary>
    private void OnKeepAliveTick()
    {
        if (_closing) return;
        // Ask again for the read still outstanding: harmless when one is under way, and it restarts reading if the
        // transport lost the request (one connection in a few hundred was seen never to read its hello).
        if (_readRequested) _wire.ReadMore();
        var now = _clock();
        Session.OnTick(now); // answers overdue are reported, and the frames behind them go on
        if (_closing || _settings.PingInterval <= TimeSpan.Zero) return;
        var silence = TimeSpan.FromTicks(now - _lastHeardTicks);
        if (_paced || _held is not null || !Session.ReadyForInput) return; // it is talking; we are the ones not reading
        if (_pinged && TimeSpan.FromTicks(now - _pingedAtTicks) >= _settings.PingInterval)
        {
            _log.Info("{0} connection from {1} ({2}) was silent for {3} s; closing it", _wire.Kind, _remote,
                Session.UserName ?? "not identified", (int)silence.TotalSeconds);
            CloseAfterFlush(new ByeFrame(ByeFrame.Timeout));
        }
        else if (silence >= _settings.PingInterval && !_pinged)
        {
            // Closed only a whole interval after the ping, however late this tick comes: the client gets its chance.
            _pinged = true;
            _pingedAtTicks = now;
            Send(ServerPingFrame.Instance);
        }
    }

    /// <summary>
    /// The hosting actor stopped: the connection is over. Counted and logged once, with the reason: the bye's or the
    /// error's that ended it, or how it ended without one.
    /// </summary>
    public void Stopped()
    {
        _resumeTimer?.Dispose();
        var reason = CloseReason;
        _metrics.ConnectionClosed(_transport, reason);
        _log.Info("{0} connection from {1} ({2}) closed: {3}", _wire.Kind, _remote, Session.UserName ?? "not identified", reason);
    }

    /// <summary>Why the connection ended, as the close reason of the metrics and the log (docs/operations.md).</summary>
    public string CloseReason => _finalFrame switch
    {
        ByeFrame { Reason: ByeFrame.ServerShutdown } => ChatMetrics.Shutdown,
        ByeFrame bye => bye.Reason,
        ErrorFrame error => error.Code,
        _ => _abortReason ?? ChatMetrics.PeerClosed,
    };

    /// <summary>A warning about this connection (flood, slow consumer) within the server's budget of such lines.</summary>
    private void Warn(string format, object detail)
    {
        if (!_warnings.TryWrite(out var suppressed)) return;
        if (suppressed > 0)
            _log.Warning("{0} warnings about floods and slow consumers were left out since the last one (at most {1} every {2} s)", suppressed, _warnings.LinesPerInterval, _warnings.Interval.TotalSeconds);
        _log.Warning(format, _wire.Kind, _remote, Session.UserName ?? "not identified", detail);
    }

    private static long MonotonicTicks() => (long)(Stopwatch.GetTimestamp() * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));

    private ErrorFrame FrameTooLarge() => new(ErrorCodes.FrameTooLarge,
        $"A frame is at most {_settings.MaxFrameBytes} bytes; closing the connection.");
}
