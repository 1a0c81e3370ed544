namespace ActorChat.Server.Accounts;

/// <summary>
/// The slow-down of password guessing, per name and per source address. After the n-th failure in a row of a key,
/// the key is held for <c>first × 2^(n-1)</c>, at most <c>max</c>: the answer to the failed attempt comes that
/// late, and any attempt for that key meanwhile waits until then. Attempts are delayed, never refused, so the owner
/// of a name gets in at worst <c>max</c> late. A success of a name clears the name's count (not the address's: an
/// attacker's own account must not reset it). A key that failed nothing for <see cref="ForgetAfter"/> starts over.
/// A plain class with the clock passed in; the account book calls it from its own thread.
/// </summary>
public sealed class SignInDelay(TimeSpan first, TimeSpan max, int maxKeys = 100_000)
{
    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset HeldUntil;
    }

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>A count that old is forgotten: the max delay and then some.</summary>
    public TimeSpan ForgetAfter => max * 4 > TimeSpan.FromMinutes(15) ? max * 4 : TimeSpan.FromMinutes(15);

    public int TrackedKeys => _entries.Count;

    /// <summary>The delay after <paramref name="failures"/> failures in a row (zero for none).</summary>
    public TimeSpan DelayAfter(int failures)
    {
        if (failures <= 0) return TimeSpan.Zero;
        var exponent = Math.Min(failures - 1, 30);
        var ticks = first.Ticks * (double)(1L << exponent);
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>How long an attempt for these keys must wait before it is checked.</summary>
    public TimeSpan WaitBefore(DateTimeOffset now, params string[] keys)
    {
        var wait = TimeSpan.Zero;
        foreach (var key in keys)
            if (Current(key, now) is { } entry && entry.HeldUntil - now > wait) wait = entry.HeldUntil - now;
        return wait;
    }

    /// <summary>Counts a failure for every key; returns how long its answer waits.</summary>
    public TimeSpan Failed(DateTimeOffset now, params string[] keys)
    {
        var delay = TimeSpan.Zero;
        foreach (var key in keys)
        {
            var entry = Current(key, now);
            if (entry is null)
            {
                if (_entries.Count >= maxKeys) Sweep(now);
                entry = _entries[key] = new Entry();
            }
            entry.Failures++;
            entry.LastFailure = now;
            var keyDelay = DelayAfter(entry.Failures);
            if (keyDelay > delay) delay = keyDelay;
        }
        // Every key is held as long as the answer, so a parallel guess through another key gains nothing.
        foreach (var key in keys)
            if (_entries.TryGetValue(key, out var entry) && entry.HeldUntil < now + delay) entry.HeldUntil = now + delay;
        return delay;
    }

    public void Succeeded(string key) => _entries.Remove(key);

    /// <summary>Failures in a row of <paramref name="key"/> still counted.</summary>
    public int FailuresOf(string key, DateTimeOffset now) => Current(key, now)?.Failures ?? 0;

    private Entry? Current(string key, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var entry)) return null;
        if (now - entry.LastFailure < ForgetAfter || entry.HeldUntil > now) return entry;
        _entries.Remove(key);
        return null;
    }

    /// <summary>Forgets old keys, and when all are recent, the oldest half (bounded memory under a spread-out attack).</summary>
    private void Sweep(DateTimeOffset now)
    {
        foreach (var key in _entries.Where(e => now - e.Value.LastFailure >= ForgetAfter && e.Value.HeldUntil <= now).Select(e => e.Key).ToList())
            _entries.Remove(key);
        if (_entries.Count < maxKeys) return;
        foreach (var key in _entries.OrderBy(e => e.Value.LastFailure).Take(_entries.Count / 2).Select(e => e.Key).ToList())
            _entries.Remove(key);
    }
}
