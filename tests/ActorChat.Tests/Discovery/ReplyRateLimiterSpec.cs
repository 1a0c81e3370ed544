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

    private ReplyRateLimiter GloballyCapped(double globalPerSecond = 10, int globalBurst = 5) =>
        new(perSecond: 2, burst: 3, maxAddresses: 100, globalPerSecond, globalBurst, () => _now);

    private static IPAddress Address(int i) => new(BitConverter.GetBytes(0x0A000000 + i));

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

    [Fact]
    public void All_addresses_together_get_only_the_global_burst_then_the_global_rate()
    {
        var limiter = GloballyCapped(globalPerSecond: 10, globalBurst: 5);
        Assert.Equal(5, Enumerable.Range(0, 50).Count(i => limiter.TryAcquire(Address(i))));

        _now += TimeSpan.FromMilliseconds(300).Ticks; // 10 per second: three more, to whichever addresses ask
        Assert.Equal(3, Enumerable.Range(50, 50).Count(i => limiter.TryAcquire(Address(i))));
    }

    [Fact]
    public void A_request_over_the_global_cap_is_told_that_the_server_is_too_busy()
    {
        var limiter = GloballyCapped(globalBurst: 1);
        Assert.Equal(ReplyDecision.Answer, limiter.Decide(A));
        Assert.Equal(ReplyDecision.ServerTooBusy, limiter.Decide(B));
    }

    [Fact]
    public void Requests_refused_to_one_address_leave_the_global_answers_to_the_others()
    {
        var limiter = GloballyCapped(globalBurst: 5);
        var toA = Enumerable.Range(0, 100).Count(_ => limiter.TryAcquire(A));
        Assert.Equal(3, toA); // A's own burst
        Assert.Equal(ReplyDecision.AddressTooFast, limiter.Decide(A));
        Assert.True(limiter.TryAcquire(B));
        Assert.True(limiter.TryAcquire(Address(7)));
    }

    [Fact]
    public void A_server_at_its_global_cap_remembers_no_new_addresses()
    {
        var limiter = GloballyCapped(globalBurst: 2);
        for (var i = 0; i < 1000; i++) limiter.TryAcquire(Address(i));
        Assert.Equal(2, limiter.TrackedAddresses);
    }
}
