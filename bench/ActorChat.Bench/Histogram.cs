namespace ActorChat.Bench;

/// <summary>
/// Latency histogram in microseconds, log-linear: exact below 128 µs, then 64 buckets per power of two
/// (under 1.6 % error). Not thread-safe: each client keeps its own and they are merged at the end.
/// </summary>
public sealed class Histogram
{
    private const int Linear = 128;
    private const int SubBuckets = 64;
    private const int SubBits = 6;
    private const int Buckets = Linear + 58 * SubBuckets;

    private readonly long[] _counts = new long[Buckets];

    public long Count { get; private set; }
    public long Max { get; private set; }

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        _counts[IndexOf(micros)]++;
        Count++;
        if (micros > Max) Max = micros;
    }

    public void Add(Histogram other)
    {
        for (var i = 0; i < Buckets; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at quantile q (0..1) in microseconds; 0 when empty.</summary>
    public long Quantile(double q)
    {
        if (Count == 0) return 0;
        var rank = (long)Math.Ceiling(q * Count);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(ValueOf(i), Max);
        }
        return Max;
    }

    private static int IndexOf(long v)
    {
        if (v < Linear) return (int)v;
        var msb = 63 - (int)long.LeadingZeroCount(v);
        var shift = msb - SubBits;
        var mantissa = (int)(v >> shift);
        var index = Linear + (shift - 1) * SubBuckets + (mantissa - SubBuckets);
        return Math.Min(index, Buckets - 1);
    }

    /// <summary>The middle of a bucket.</summary>
    private static long ValueOf(int index)
    {
        if (index < Linear) return index;
        var shift = (index - Linear) / SubBuckets + 1;
        long mantissa = (index - Linear) % SubBuckets + SubBuckets;
        return (mantissa << shift) + (1L << (shift - 1));
    }
}
