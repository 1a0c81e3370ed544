using System.Net;
using ActorChat.Server.Discovery;
using Xunit;

namespace ActorChat.Tests.Discovery;

public sealed class ReplyRateLimiterSpec
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");
    private long _now;

    private ReplyRateLimiter Limiter(int maxAddresses = 10) => new(perSecond: 2, burst: 3, maxAddresses, () => _now);

    [Fact]
    public void An_address_gets_a_burst_then_nothing_until_tokens_refill()
    {
        var limiter = Limiter();
        Assert.True(limiter.TryAcquire(A));
        Assert.True(limiter.TryAcquire(A));
        Assert.True(limiter.TryAcquire(A));
        Assert.False(limiter.TryAcquire(A));

        _now += TimeSpan.FromMilliseconds(500).Ticks; // 2 per second: one token back
        Assert.True(limiter.TryAcquire(A));
        Assert.False(limiter.TryAcquire(A));
    }

    [Fact]
    public void One_address_running_dry_does_not_limit_another()
    {
        var limiter = Limiter();
        for (var i = 0; i < 10; i++) limiter.TryAcquire(A);
        Assert.True(limiter.TryAcquire(B));
    }

    [Fact]
    public void Tokens_never_pile_up_beyond_the_burst()
    {
        var limiter = Limiter();
        limiter.TryAcquire(A);
        _now += TimeSpan.FromHours(1).Ticks;
        var granted = Enumerable.Range(0, 10).Count(_ => limiter.TryAcquire(A));
        Assert.Equal(3, granted);
    }

    [Fact]
    public void The_table_of_addresses_stays_bounded()
    {
        var limiter = Limiter(maxAddresses: 100);
        for (var i = 0; i < 10_000; i++) limiter.TryAcquire(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        Assert.Equal(100, limiter.TrackedAddresses);
    }
}
