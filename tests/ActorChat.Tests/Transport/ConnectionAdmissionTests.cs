using System.Net;
using ActorChat.Server.Configuration;
using ActorChat.Server.Transport;
using Akka.Actor;

namespace ActorChat.Tests.Transport;

public sealed class ConnectionAdmissionTests
{
    private static readonly IPAddress Alice = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress Bob = IPAddress.Parse("192.0.2.20");

    private long _now = TimeSpan.FromHours(1).Ticks;

    private ConnectionAdmission Admission(int max = 3, double perSecond = 0, params string[] exempt) =>
        new(new ConnectionLimitSettings(max, perSecond, exempt), () => _now);

    private void Advance(TimeSpan by) => _now += by.Ticks;

    [Fact]
    public void An_address_may_hold_up_to_its_cap_and_the_next_is_refused_with_a_sentence()
    {
        var admission = Admission(max: 3);
        for (var i = 0; i < 3; i++) Assert.NotNull(admission.TryAdmit(Alice, out _));

        var fourth = admission.TryAdmit(Alice, out var refusal);

        Assert.Null(fourth);
        Assert.Contains("at most 3 at once", refusal);
    }

    [Fact]
    public void A_released_connection_makes_room_for_a_new_one_and_a_second_release_changes_nothing()
    {
        var admission = Admission(max: 2);
        var first = admission.TryAdmit(Alice, out _)!;
        admission.TryAdmit(Alice, out _);

        first.Release();
        first.Release();

        Assert.NotNull(admission.TryAdmit(Alice, out _));
        Assert.Null(admission.TryAdmit(Alice, out _));
    }

    [Fact]
    public void Each_address_has_its_own_cap()
    {
        var admission = Admission(max: 1);
        Assert.NotNull(admission.TryAdmit(Alice, out _));
        Assert.NotNull(admission.TryAdmit(Bob, out _));
        Assert.Null(admission.TryAdmit(Alice, out _));
    }

    [Fact]
    public void More_new_connections_than_the_rate_in_one_second_are_refused_until_time_passes()
    {
        var admission = Admission(max: 0, perSecond: 20);
        for (var i = 0; i < 20; i++) Assert.NotNull(admission.TryAdmit(Alice, out _));

        Assert.Null(admission.TryAdmit(Alice, out var refusal));
        Assert.Contains("20 a second", refusal);
        Advance(TimeSpan.FromMilliseconds(100));
        Assert.NotNull(admission.TryAdmit(Alice, out _));
        Assert.NotNull(admission.TryAdmit(Alice, out _));
        Assert.Null(admission.TryAdmit(Alice, out _));
        Assert.NotNull(admission.TryAdmit(Bob, out _));
    }

    [Fact]
    public void Exempt_addresses_and_ranges_are_never_limited()
    {
        var admission = Admission(1, 1, "127.0.0.0/8", "::1", "10.1.0.0/16", "2001:db8::/32", "192.0.2.20");
        string[] exempt = ["127.0.0.1", "127.9.9.9", "::1", "10.1.200.3", "2001:db8:1::5", "192.0.2.20", "::ffff:127.0.0.1"];
        foreach (var address in exempt)
            for (var i = 0; i < 5; i++)
                Assert.NotNull(admission.TryAdmit(IPAddress.Parse(address), out _));
        Assert.NotNull(admission.TryAdmit(IPAddress.Parse("10.2.0.1"), out _));
        Assert.Null(admission.TryAdmit(IPAddress.Parse("10.2.0.1"), out _));
    }

    [Fact]
    public void With_no_exemptions_loopback_is_limited_like_anyone()
    {
        var admission = Admission(max: 1);
        Assert.NotNull(admission.TryAdmit(IPAddress.Loopback, out _));
        Assert.Null(admission.TryAdmit(IPAddress.Loopback, out _));
        Assert.NotNull(admission.TryAdmit(IPAddress.IPv6Loopback, out _));
        Assert.Null(admission.TryAdmit(IPAddress.IPv6Loopback, out _));
    }

    [Fact]
    public void An_ipv4_address_seen_through_ipv6_counts_as_itself()
    {
        var admission = Admission(max: 1);
        Assert.NotNull(admission.TryAdmit(Alice, out _));
        Assert.Null(admission.TryAdmit(Alice.MapToIPv6(), out _));
    }

    [Fact]
    public void Ipv6_addresses_count_by_their_64_bit_prefix()
    {
        var admission = Admission(max: 2);
        Assert.NotNull(admission.TryAdmit(IPAddress.Parse("2001:db8:0:1::1"), out _));
        Assert.NotNull(admission.TryAdmit(IPAddress.Parse("2001:db8:0:1:ffff::2"), out _));
        Assert.Null(admission.TryAdmit(IPAddress.Parse("2001:db8:0:1:abcd::3"), out _));
        Assert.NotNull(admission.TryAdmit(IPAddress.Parse("2001:db8:0:2::1"), out _));
    }

    [Fact]
    public void Zero_turns_both_limits_off()
    {
        var admission = Admission(max: 0, perSecond: 0);
        for (var i = 0; i < 1000; i++) Assert.NotNull(admission.TryAdmit(Alice, out _));
        Assert.Equal(0, admission.TrackedAddresses);
    }

    [Fact]
    public void Addresses_with_nothing_open_and_a_full_bucket_are_forgotten()
    {
        var admission = Admission(max: 5, perSecond: 20);
        var tickets = Enumerable.Range(1, 100).Select(i => admission.TryAdmit(IPAddress.Parse($"198.51.100.{i}"), out _)!).ToList();
        Assert.Equal(100, admission.TrackedAddresses);

        foreach (var ticket in tickets) ticket.Release();
        Advance(TimeSpan.FromSeconds(11));
        admission.TryAdmit(Alice, out _);

        Assert.Equal(1, admission.TrackedAddresses);
    }

    [Theory]
    [InlineData("10.0.0.0/8")]
    [InlineData("::1")]
    [InlineData("fd00::/8")]
    [InlineData(" 192.168.1.7 ")]
    public void Exemptions_are_addresses_or_cidr_ranges(string text) => ConnectionAdmission.ParseNetwork(text);

    [Theory]
    [InlineData("localhost")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("")]
    public void Anything_else_as_an_exemption_is_a_clear_error(string text) =>
        Assert.Contains("address", Assert.Throws<ArgumentException>(() => ConnectionAdmission.ParseNetwork(text)).Message);

    [Fact]
    public void Concurrent_admits_and_releases_from_many_threads_keep_the_count_exact()
    {
        var admission = new ConnectionAdmission(new ConnectionLimitSettings(8, 0, []));
        var admittedAtOnce = 0;
        var most = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, attempt =>
        {
            var ticket = admission.TryAdmit(Alice, out _);
            if (ticket is null) return;
            var now = Interlocked.Increment(ref admittedAtOnce);
            InterlockedMax(ref most, now);
            Interlocked.Decrement(ref admittedAtOnce);
            ticket.Release();
        });

        Assert.InRange(most, 1, 8);
        for (var i = 0; i < 8; i++) Assert.NotNull(admission.TryAdmit(Alice, out _));
        Assert.Null(admission.TryAdmit(Alice, out _));
    }

    [Fact]
    public void Connection_actors_that_throw_are_stopped_never_restarted()
    {
        var decider = ConnectionSupervision.StopOnFailure.Decider;
        Assert.Equal(Directive.Stop, decider.Decide(new InvalidOperationException("boom")));
        Assert.Equal(Directive.Stop, decider.Decide(new ActorInitializationException("bad start")));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
