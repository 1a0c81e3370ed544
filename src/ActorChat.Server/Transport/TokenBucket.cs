namespace ActorChat.Server.Transport;

/// <summary>
/// A budget that refills at <c>rate</c> per second up to <c>burst</c>. Time comes from the caller (a tick count),
/// so the rule is a plain function of its inputs and its tests need no clock.
/// </summary>
public sealed class TokenBucket
{
    private readonly double _rate;
    private readonly double _burst;
    private double _tokens;
    private long _lastTicks;

    /// <param name="rate">Tokens added per second; 0 or less means no limit.</param>
    /// <param name="burst">The most tokens saved up; a cost of at most this much always fits eventually.</param>
    public TokenBucket(double rate, double burst, long nowTicks)
    {
        _rate = rate;
        _burst = Math.Max(burst, 1);
        _tokens = _burst;
        _lastTicks = nowTicks;
    }

    public bool Unlimited => _rate <= 0;

    /// <summary>Takes <paramref name="cost"/> tokens if there are that many (a cost above the burst needs a full bucket).</summary>
    public bool TryTake(double cost, long nowTicks)
    {
        if (Unlimited) return true;
        Refill(nowTicks);
        var needed = Math.Min(cost, _burst);
        if (_tokens < needed) return false;
        _tokens -= cost; // a cost above the burst leaves a debt, paid back before the next one
        return true;
    }

    /// <summary>True when one token is there now; takes nothing.</summary>
    public bool HasToken(long nowTicks) => TimeUntil(1, nowTicks) == TimeSpan.Zero;

    /// <summary>True when the bucket has refilled to its burst (always, without a limit): it remembers nothing.</summary>
    public bool IsFull(long nowTicks)
    {
        if (Unlimited) return true;
        Refill(nowTicks);
        return _tokens >= _burst;
    }

    /// <summary>Takes one token if there is one.</summary>
    public bool TryTake(long nowTicks) => TryTake(1, nowTicks);

    /// <summary>How long until <paramref name="cost"/> tokens are there (zero when they are now).</summary>
    public TimeSpan TimeUntil(double cost, long nowTicks)
    {
        if (Unlimited) return TimeSpan.Zero;
        Refill(nowTicks);
        var missing = Math.Min(cost, _burst) - _tokens;
        // Rounded up, never to zero: waiting that long is always enough, even for a tiny floating-point shortfall.
        return missing <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling(missing / _rate * TimeSpan.TicksPerSecond)));
    }

    private void Refill(long nowTicks)
    {
        var elapsed = nowTicks - _lastTicks;
        if (elapsed <= 0) return;
        _lastTicks = nowTicks;
        _tokens = Math.Min(_burst, _tokens + elapsed * _rate / TimeSpan.TicksPerSecond);
    }
}
