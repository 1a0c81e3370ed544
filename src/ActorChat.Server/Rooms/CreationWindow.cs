namespace ActorChat.Server.Rooms;

/// <summary>
/// How many rooms each creator (a connection) made within the last <c>window</c>: a sliding window, so a connection
/// cannot fill the server with rooms in a burst. Creators whose window is empty are forgotten now and then, so what
/// it remembers is bounded by the rooms created within one window.
/// </summary>
public sealed class CreationWindow<TCreator>(int limit, TimeSpan window) where TCreator : notnull
{
    private readonly Dictionary<TCreator, Queue<DateTime>> _recent = [];
    private DateTime _lastSweep = DateTime.MinValue;

    public int Limit => limit;

    public TimeSpan Window => window;

    /// <summary>Counts a creation and says yes, or says no (and counts nothing) when the creator is at the limit.</summary>
    public bool TryCreate(TCreator creator, DateTime now)
    {
        Sweep(now);
        if (!_recent.TryGetValue(creator, out var times)) _recent[creator] = times = new Queue<DateTime>();
        while (times.TryPeek(out var oldest) && now - oldest >= window) times.Dequeue();
        if (times.Count >= limit) return false;
        times.Enqueue(now);
        return true;
    }

    /// <summary>Creators remembered now (for tests of the bound).</summary>
    public int Remembered => _recent.Count;

    private void Sweep(DateTime now)
    {
        if (now - _lastSweep < window) return;
        _lastSweep = now;
        foreach (var (creator, times) in _recent)
        {
            if (times.Count == 0 || now - times.Last() >= window) _recent.Remove(creator);
        }
    }
}
