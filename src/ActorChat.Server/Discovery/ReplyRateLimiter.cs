using ActorChat.Server.Transport;
using System.Net;

namespace ActorChat.Server.Discovery;

/// <summary>What the rate limits say about one discovery request.</summary>
public enum ReplyDecision
{
    Answer,

    /// <summary>This source address had its share; others may still be answered.</summary>
    AddressTooFast,

    /// <summary>The server sent all the answers it sends per second, to whichever addresses.</summary>
    ServerTooBusy,
}

/// <summary>
/// A token bucket per source address: each address may have <c>burst</c> answers at once, refilled at
/// <c>perSecond</c>. At most <c>maxAddresses</c> buckets are kept; when full, the least recently used one is
/// dropped (an address that comes back starts with a full bucket, which still bounds what one address gets).
/// Optionally one more bucket for all addresses together, because spoofed requests can come from any number of
/// addresses and the table of buckets only remembers so many.
/// Not thread-safe: the discovery actor is its only user.
/// </summary>
public sealed class ReplyRateLimiter
{
    private sealed class Entry(IPAddress address, TokenBucket bucket)
    {
        public IPAddress Address { get; } = address;
        public TokenBucket Bucket { get; } = bucket;
    }

    private readonly double _perSecond;
    private readonly int _burst;
    private readonly int _maxAddresses;
    private readonly Func<long> _nowTicks;
    private readonly TokenBucket? _global;
    private readonly Dictionary<IPAddress, LinkedListNode<Entry>> _buckets = new();
    private readonly LinkedList<Entry> _byUse = new(); // most recently used first

    /// <param name="nowTicks">The clock in <see cref="TimeSpan"/> ticks; tests pass their own.</param>
    public ReplyRateLimiter(double perSecond, int burst, int maxAddresses, Func<long>? nowTicks = null)
        : this(perSecond, burst, maxAddresses, globalLimit: null, nowTicks)
    {
    }

    /// <param name="globalPerSecond">Answers per second to all addresses together, after a burst of <paramref name="globalBurst"/>.</param>
    public ReplyRateLimiter(double perSecond, int burst, int maxAddresses, double globalPerSecond, int globalBurst, Func<long>? nowTicks = null)
        : this(perSecond, burst, maxAddresses, (globalPerSecond, globalBurst), nowTicks)
    {
    }

    private ReplyRateLimiter(double perSecond, int burst, int maxAddresses, (double PerSecond, int Burst)? globalLimit, Func<long>? nowTicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxAddresses);
        _perSecond = perSecond;
        _burst = burst;
        _maxAddresses = maxAddresses;
        _nowTicks = nowTicks ?? (() => Environment.TickCount64 * TimeSpan.TicksPerMillisecond);
        if (globalLimit is { } limit) _global = new TokenBucket(limit.PerSecond, limit.Burst, _nowTicks());
    }

    /// <summary>Addresses currently remembered.</summary>
    public int TrackedAddresses => _buckets.Count;

    /// <summary>True when the address may get one more answer now (and counts it).</summary>
    public bool TryAcquire(IPAddress address) => Decide(address) == ReplyDecision.Answer;

    /// <summary>Whether the address may get one more answer now; an answer is counted against both limits.</summary>
    public ReplyDecision Decide(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var now = _nowTicks();
        // The global bucket is only looked at first and taken from last: one address over its own limit must not
        // use up the answers meant for everyone else, and when the server is saturated the table stays as it is.
        if (_global is not null && !_global.HasToken(now)) return ReplyDecision.ServerTooBusy;
        if (!BucketOf(address, now).TryTake(now)) return ReplyDecision.AddressTooFast;
        _global?.TryTake(now);
        return ReplyDecision.Answer;
    }

    private TokenBucket BucketOf(IPAddress address, long now)
    {
        if (_buckets.TryGetValue(address, out var node))
        {
            _byUse.Remove(node);
            _byUse.AddFirst(node);
            return node.Value.Bucket;
        }

        if (_buckets.Count >= _maxAddresses)
        {
            var oldest = _byUse.Last!;
            _byUse.RemoveLast();
            _buckets.Remove(oldest.Value.Address);
        }
        var entry = new Entry(address, new TokenBucket(_perSecond, _burst, now));
        _buckets[address] = _byUse.AddFirst(entry);
        return entry.Bucket;
    }
}
