using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.Json.Serialization;
using ActorChat.Messages;

namespace ActorChat.Server.Operations;

/// <summary>
/// The server's meter, <c>ActorChat</c>, and every instrument on it (docs/operations.md lists them). One instance
/// per server, so in-process test servers side by side each count their own. No instrument carries a user or a
/// room: the tags are the transport, the close reason, the frame type and the error code, all from short fixed
/// lists, so a scrape stays small whatever the traffic. The tag lists are built once here; counting on the hot path
/// (a room's fan-out, a connection's writes) allocates nothing. The counters bumped for every frame, message and
/// delivery are observable: they add to a field here, and an exporter reads the totals when it collects, because
/// an exporter's work per measurement (prometheus-net's label lookup under a lock) was about 5 % of the server's CPU
/// under load (docs/benchmarks.md). Thread-safe.
/// </summary>
public sealed class ChatMetrics : IDisposable
{
    public const string MeterName = "ActorChat";

    /// <summary>Transports as tagged.</summary>
    public const string Tcp = "tcp", Tls = "tls", WebSocket = "websocket";

    /// <summary>Close reasons besides the bye reasons and error codes that end a connection.</summary>
    public const string PeerClosed = "peer_closed", Shutdown = "shutdown";

    /// <summary>Where a history read was answered from.</summary>
    public const string FromMemory = "memory", FromJournal = "journal";

    /// <summary>Histogram bucket boundaries of the two durations, in seconds (declared before <see cref="Detached"/>, which uses them).</summary>
    internal static readonly double[] LatencyBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>For the servers' defaults and unit tests: a meter of another name that no exporter of a server listens to.</summary>
    public static ChatMetrics Detached { get; } = new("ActorChat.Detached");

    private readonly Counter<long> _opened;
    private readonly Counter<long> _closed;
    private readonly UpDownCounter<long> _open;
    private long _openCount;
    private readonly long[] _framesIn; // by the index of the frame's type in _frameTypes; the last one is unreadable frames
    private readonly Counter<long> _errorsOut;
    private long _stored;
    private long _fannedOut;
    private long _deliveries;
    private readonly Histogram<double> _fanOutLatency;
    private readonly Histogram<double> _journalLatency;
    private readonly Counter<long> _paced;
    private readonly UpDownCounter<long> _roomsLive;
    private readonly Counter<long> _passivated;
    private readonly UpDownCounter<long> _usersOnline;
    private readonly Counter<long> _historyReads;
    private readonly Counter<long> _discoveryReplies;
    private readonly Counter<long> _discoveryRefused;

    private readonly FrozenDictionary<string, KeyValuePair<string, object?>[]> _transportTags;
    private readonly FrozenDictionary<Type, int> _frameTypes;
    private readonly KeyValuePair<string, object?>[][] _frameTags; // same index as _framesIn
    private readonly Tags _errorTags = new("code");
    private readonly Tags _closeTags = new("reason");
    private readonly Tags _historyTags = new("source");
    private readonly Tags _refusedTags = new("reason");

    public ChatMetrics(string name = MeterName)
    {
        Meter = new Meter(name);
        _open = Meter.CreateUpDownCounter<long>("connections.open", "{connection}", "Connections open now, by transport");
        _opened = Meter.CreateCounter<long>("connections.opened", "{connection}", "Connections accepted or refused, by transport");
        _closed = Meter.CreateCounter<long>("connections.closed", "{connection}", "Connections ended, by transport and reason");
        var frameTypes = typeof(ClientFrame).GetCustomAttributes<JsonDerivedTypeAttribute>().ToArray();
        _frameTypes = frameTypes.Select((a, index) => (a.DerivedType, index)).ToFrozenDictionary(t => t.DerivedType, t => t.index);
        _frameTags = frameTypes.Select(a => (string)a.TypeDiscriminator!).Append("unreadable")
            .Select(type => new KeyValuePair<string, object?>[] { new("type", type) }).ToArray();
        _framesIn = new long[_frameTags.Length];
        Meter.CreateObservableCounter("frames.received", ObserveFramesIn, "{frame}", "Client frames handed to sessions, by type");
        _errorsOut = Meter.CreateCounter<long>("errors.sent", "{frame}", "Error frames sent to clients, by code");
        Meter.CreateObservableCounter("messages.stored", () => Interlocked.Read(ref _stored), "{message}", "Room messages the journal confirmed");
        Meter.CreateObservableCounter("messages.fanned_out", () => Interlocked.Read(ref _fannedOut), "{message}", "Stored room messages sent out to their rooms' members");
        Meter.CreateObservableCounter("deliveries", () => Interlocked.Read(ref _deliveries), "{delivery}", "Batches of frames for everyone (messages, presence) a connection queued");
        _fanOutLatency = Meter.CreateHistogram<double>("fanout.duration", "s",
            "From a post reaching its room to a member's connection handing the message to its transport",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBoundaries });
        _journalLatency = Meter.CreateHistogram<double>("journal.write.duration", "s",
            "From a room handing a message to the journal to the journal confirming it",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBoundaries });
        _paced = Meter.CreateCounter<long>("flood.paced", "{event}", "Times a connection was paused for going over its flood budget");
        _roomsLive = Meter.CreateUpDownCounter<long>("rooms.live", "{room}", "Room actors running now");
        _passivated = Meter.CreateCounter<long>("rooms.passivated", "{room}", "Idle rooms stopped to free memory");
        _usersOnline = Meter.CreateUpDownCounter<long>("users.online", "{user}", "Identified users online now");
        _historyReads = Meter.CreateCounter<long>("history.reads", "{read}", "History requests answered, by source (memory or journal)");
        _discoveryReplies = Meter.CreateCounter<long>("discovery.replies", "{datagram}", "LAN discovery requests answered");
        _discoveryRefused = Meter.CreateCounter<long>("discovery.refused", "{datagram}", "LAN discovery requests left unanswered, by reason");

        _transportTags = new[] { Tcp, Tls, WebSocket }.ToFrozenDictionary(t => t, t => new KeyValuePair<string, object?>[] { new("transport", t) });
    }

    /// <summary>A series per frame type seen so far (as a counter bumped on use would have).</summary>
    private IEnumerable<Measurement<long>> ObserveFramesIn()
    {
        for (var index = 0; index < _framesIn.Length; index++)
        {
            var count = Interlocked.Read(ref _framesIn[index]);
            if (count > 0) yield return new Measurement<long>(count, _frameTags[index]);
        }
    }

    public Meter Meter { get; }

    /// <summary>The transport tag of a connection's kind as the wires name it ("TCP", "TLS", "WebSocket").</summary>
    public static string TransportOf(string kind) => kind switch
    {
        "TLS" => Tls,
        "WebSocket" => WebSocket,
        _ => Tcp,
    };

    public void ConnectionOpened(string transport)
    {
        var tags = _transportTags[transport];
        _opened.Add(1, tags);
        _open.Add(1, tags);
        Interlocked.Increment(ref _openCount);
    }

    /// <summary>Connections open now on every transport, as the connections.open instrument counts them (for a cluster's nodes section).</summary>
    public long OpenConnections => Interlocked.Read(ref _openCount);

    public void ConnectionClosed(string transport, string reason)
    {
        _open.Add(-1, _transportTags[transport]);
        Interlocked.Decrement(ref _openCount);
        _closed.Add(1, _closeTags.With(reason, "transport", transport));
    }

    /// <summary>A connection refused at the door (too many from its address): opened and closed at once, never open.</summary>
    public void ConnectionRefused(string transport, string reason)
    {
        _opened.Add(1, _transportTags[transport]);
        _closed.Add(1, _closeTags.With(reason, "transport", transport));
    }

    /// <summary>A frame handed to a session; null is one that could not be read.</summary>
    public void FrameReceived(ClientFrame? frame) =>
        Interlocked.Increment(ref _framesIn[frame is not null && _frameTypes.TryGetValue(frame.GetType(), out var index) ? index : _framesIn.Length - 1]);

    public void ErrorSent(string code) => _errorsOut.Add(1, _errorTags.Of(code));

    /// <summary>The journal confirmed a message, <paramref name="handedOverAt"/> (a <see cref="Stopwatch"/> timestamp) after the room wrote it.</summary>
    public void MessageStored(long handedOverAt)
    {
        Interlocked.Increment(ref _stored);
        _journalLatency.Record(Stopwatch.GetElapsedTime(handedOverAt).TotalSeconds);
    }

    /// <summary>Room messages the journal confirmed since the start, as messages.stored reports.</summary>
    public long MessagesStored => Interlocked.Read(ref _stored);

    /// <summary>Batches connections queued since the start, as deliveries reports.</summary>
    public long Deliveries => Interlocked.Read(ref _deliveries);

    public void MessagesFannedOut(int messages) => Interlocked.Add(ref _fannedOut, messages);

    public void Delivered() => Interlocked.Increment(ref _deliveries);

    /// <summary>A member's connection handed a message to its transport; <paramref name="postedAt"/> is when the post reached its room.</summary>
    public void FannedOutTo(long postedAt) => _fanOutLatency.Record(Stopwatch.GetElapsedTime(postedAt).TotalSeconds);

    public void FloodPaced() => _paced.Add(1);

    public void RoomStarted() => _roomsLive.Add(1);

    public void RoomStopped() => _roomsLive.Add(-1);

    public void RoomPassivated() => _passivated.Add(1);

    public void UserOnline() => _usersOnline.Add(1);

    public void UserOffline() => _usersOnline.Add(-1);

    public void HistoryRead(string source) => _historyReads.Add(1, _historyTags.Of(source));

    public void DiscoveryReplied() => _discoveryReplies.Add(1);

    public void DiscoveryRefused(string reason) => _discoveryRefused.Add(1, _refusedTags.Of(reason));

    public void Dispose() => Meter.Dispose();

    /// <summary>
    /// Tag lists of one key, built the first time a value is seen and kept: values come from fixed lists (error
    /// codes, close reasons), so there are few and after warm-up a lookup allocates nothing.
    /// </summary>
    private sealed class Tags(string key)
    {
        private volatile FrozenDictionary<string, KeyValuePair<string, object?>[]> _lists = FrozenDictionary<string, KeyValuePair<string, object?>[]>.Empty;
        private readonly Dictionary<(string, string), KeyValuePair<string, object?>[]> _pairs = [];
        private readonly Lock _lock = new();

        public KeyValuePair<string, object?>[] Of(string value)
        {
            if (_lists.TryGetValue(value, out var tags)) return tags;
            lock (_lock)
            {
                if (_lists.TryGetValue(value, out tags)) return tags;
                tags = [new(key, value)];
                _lists = new Dictionary<string, KeyValuePair<string, object?>[]>(_lists) { [value] = tags }.ToFrozenDictionary();
                return tags;
            }
        }

        /// <summary>The list of this key's value and a second tag (e.g. reason and transport).</summary>
        public KeyValuePair<string, object?>[] With(string value, string otherKey, string otherValue)
        {
            lock (_lock)
            {
                if (_pairs.TryGetValue((value, otherValue), out var tags)) return tags;
                tags = [new(otherKey, otherValue), new(key, value)];
                _pairs[(value, otherValue)] = tags;
                return tags;
            }
        }
    }
}
