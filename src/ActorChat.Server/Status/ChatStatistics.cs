using System.Collections.Concurrent;
using System.Diagnostics;

namespace ActorChat.Server.Status;

/// <summary>
/// Counters of the whole server since it started, bumped by actors and read by the status endpoint.
/// Lock-free and safe to share between threads; one instance per server.
/// </summary>
public sealed class ChatStatistics
{
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private long _messages;

    /// <summary>The server's meter, which rooms count on too; the default is one no server exports (unit tests).</summary>
    public Operations.ChatMetrics Metrics { get; init; } = Operations.ChatMetrics.Detached;

    public TimeSpan Uptime => Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>Messages said in any room since the server started.</summary>
    public long MessagesSinceStart => Interlocked.Read(ref _messages);

    /// <summary>Rooms and posters counted for the operator dashboard at most; past these the rest go uncounted there.</summary>
    public const int MaxRoomsCounted = 1000, MaxPostersCounted = 200;

    private readonly ConcurrentDictionary<string, RoomCounts> _rooms = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A room accepted a message and sent it to its members.</summary>
    public void CountMessage() => Interlocked.Increment(ref _messages);

    /// <summary>A room accepted a message of <paramref name="sender"/>: counted overall and, within bounds, per room and poster.</summary>
    public void CountMessage(string room, string sender)
    {
        CountMessage();
        if (!_rooms.TryGetValue(room, out var counts))
        {
            if (_rooms.Count >= MaxRoomsCounted) return;
            counts = _rooms.GetOrAdd(room, _ => new RoomCounts());
        }
        counts.Add(sender);
    }

    /// <summary>Messages per room since the server started, each with its posters' counts (for the dashboard).</summary>
    public IReadOnlyDictionary<string, (long Total, Dictionary<string, long> PerUser)> MessagesPerRoom() =>
        _rooms.ToDictionary(entry => entry.Key, entry => entry.Value.Read(), StringComparer.OrdinalIgnoreCase);

    private sealed class RoomCounts
    {
        private readonly Dictionary<string, long> _perUser = new(StringComparer.OrdinalIgnoreCase);
        private long _total;

        public void Add(string sender)
        {
            lock (_perUser)
            {
                _total++;
                if (_perUser.TryGetValue(sender, out var count)) _perUser[sender] = count + 1;
                else if (_perUser.Count < MaxPostersCounted) _perUser[sender] = 1;
            }
        }

        public (long Total, Dictionary<string, long> PerUser) Read()
        {
            lock (_perUser) return (_total, new Dictionary<string, long>(_perUser));
        }
    }
}
