using System.Net;

namespace ActorChat.Server.Discovery;

/// <summary>
/// A token bucket per source address: each address may have <c>burst</c> answers at once, refilled at
/// <c>perSecond</c>. At most <c>maxAddresses</c> buckets are kept; when full, the least recently used one is
/// dropped (an address that comes back starts with a full bucket, which still bounds what one address gets).
/// Not thread-safe: the discovery actor is its only user.
/// </summary>
public sealed class ReplyRateLimiter
{
    private sealed class Bucket(IPAddress address, double tokens, long lastRefill)
    {
        public IPAddress Address { get; } = address;
        public double Tokens { get; set; } = tokens;
        public long LastRefill { get; set; } = lastRefill;
    }

    private readonly double _perSecond;
    private readonly int _burst;
    private readonly int _maxAddresses;
    private readonly Func<long> _nowTicks;
    private readonly Dictionary<IPAddress, LinkedListNode<Bucket>> _buckets = new();
    private readonly LinkedList<Bucket> _byUse = new(); // most recently used first

    /// <param name="nowTicks">The clock in <see cref="TimeSpan"/> ticks; tests pass their own.</param>
    public ReplyRateLimiter(double perSecond, int burst, int maxAddresses, Func<long>? nowTicks = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAddresses);
        _perSecond = perSecond;
        _burst = burst;
        _maxAddresses = maxAddresses;
        _nowTicks = nowTicks ?? (() => Environment.TickCount64 * TimeSpan.TicksPerMillisecond);
    }

    /// <summary>Addresses currently remembered.</summary>
    public int TrackedAddresses => _buckets.Count;

    /// <summary>True when the address may get one more answer now (and counts it).</summary>
    public bool TryAcquire(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var now = _nowTicks();
        if (_buckets.TryGetValue(address, out var node))
        {
            _byUse.Remove(node);
            _byUse.AddFirst(node);
            var bucket = node.Value;
            var elapsed = TimeSpan.FromTicks(Math.Max(0, now - bucket.LastRefill)).TotalSeconds;
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + elapsed * _perSecond);
            bucket.LastRefill = now;
            if (bucket.Tokens < 1) return false;
            bucket.Tokens -= 1;
            return true;
        }

        if (_buckets.Count >= _maxAddresses)
        {
            var oldest = _byUse.Last!;
            _byUse.RemoveLast();
            _buckets.Remove(oldest.Value.Address);
        }
        _buckets[address] = _byUse.AddFirst(new Bucket(address, _burst - 1, now));
        return true;
    }
}
