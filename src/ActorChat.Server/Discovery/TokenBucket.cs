namespace ActorChat.Server.Discovery;

/// <summary>
/// Up to <c>burst</c> tokens, refilled at <c>perSecond</c>; each answer takes one. Time comes from the caller in
/// <see cref="TimeSpan"/> ticks, so one clock serves many buckets. Not thread-safe.
/// </summary>
public sealed class TokenBucket
{
    private readonly double _perSecond;
    private readonly int _burst;
    private double _tokens;
    private long _lastRefill;

    /// <summary>A full bucket at <paramref name="nowTicks"/>.</summary>
    public TokenBucket(double perSecond, int burst, long nowTicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _perSecond = perSecond;
        _burst = burst;
        _tokens = burst;
        _lastRefill = nowTicks;
    }

    /// <summary>True when a token is there now; takes nothing.</summary>
    public bool HasToken(long nowTicks)
    {
        Refill(nowTicks);
        return _tokens >= 1;
    }

    /// <summary>True when a token was there, and takes it.</summary>
    public bool TryTake(long nowTicks)
    {
        if (!HasToken(nowTicks)) return false;
        _tokens -= 1;
        return true;
    }

    private void Refill(long nowTicks)
    {
        var elapsed = TimeSpan.FromTicks(Math.Max(0, nowTicks - _lastRefill)).TotalSeconds;
        _tokens = Math.Min(_burst, _tokens + elapsed * _perSecond);
        _lastRefill = Math.Max(_lastRefill, nowTicks);
    }
}
