using ActorChat.Server.Accounts;

namespace ActorChat.Tests.Accounts;

public sealed class SignInDelaySpec
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);
    private readonly SignInDelay _delay = new(First, Max);
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_failure_in_a_row_doubles_the_delay_up_to_the_cap()
    {
        var delays = Enumerable.Range(0, 10).Select(_ => _delay.Failed(_now, "name:alice")).ToList();
        Assert.Equal(TimeSpan.FromMilliseconds(250), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(500), delays[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), delays[2]);
        Assert.Equal(Max, delays[^1]);
        Assert.All(delays.Zip(delays.Skip(1)), pair => Assert.True(pair.Item2 >= pair.Item1));
    }

    [Fact]
    public void A_huge_count_stays_at_the_cap()
    {
        Assert.Equal(Max, _delay.DelayAfter(int.MaxValue));
    }

    [Fact]
    public void An_attempt_during_the_delay_waits_until_it_ends()
    {
        _delay.Failed(_now, "name:alice");
        Assert.Equal(First, _delay.WaitBefore(_now, "name:alice"));
        Assert.Equal(TimeSpan.FromMilliseconds(150), _delay.WaitBefore(_now + TimeSpan.FromMilliseconds(100), "name:alice"));
        Assert.Equal(TimeSpan.Zero, _delay.WaitBefore(_now + First, "name:alice"));
    }

    [Fact]
    public void The_name_and_the_address_are_counted_apart_and_the_longer_wait_counts()
    {
        for (var i = 0; i < 3; i++) _delay.Failed(_now, "name:alice", "address:192.0.2.7");
        var delay = _delay.Failed(_now, "name:bob", "address:192.0.2.7");
        Assert.Equal(TimeSpan.FromSeconds(2), delay); // the address's 4th failure, bob's 1st
        Assert.Equal(1, _delay.FailuresOf("name:bob", _now));
        Assert.Equal(TimeSpan.FromSeconds(2), _delay.WaitBefore(_now, "name:carol", "address:192.0.2.7"));
        Assert.Equal(TimeSpan.Zero, _delay.WaitBefore(_now, "name:carol", "address:198.51.100.1"));
    }

    [Fact]
    public void A_success_clears_the_count_of_the_name()
    {
        _delay.Failed(_now, "name:alice");
        _delay.Failed(_now, "name:alice");
        _delay.Succeeded("name:alice");
        Assert.Equal(First, _delay.Failed(_now, "name:alice"));
    }

    [Fact]
    public void A_count_is_forgotten_after_a_quiet_while()
    {
        for (var i = 0; i < 5; i++) _delay.Failed(_now, "name:alice");
        _now += _delay.ForgetAfter;
        Assert.Equal(0, _delay.FailuresOf("name:alice", _now));
        Assert.Equal(First, _delay.Failed(_now, "name:alice"));
    }

    [Fact]
    public void The_keys_it_remembers_are_bounded()
    {
        var small = new SignInDelay(First, Max, maxKeys: 100);
        for (var i = 0; i < 1000; i++) small.Failed(_now, $"name:user{i}");
        Assert.True(small.TrackedKeys <= 100);
    }
}
