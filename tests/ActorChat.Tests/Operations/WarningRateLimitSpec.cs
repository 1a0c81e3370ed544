using ActorChat.Server.Operations;

namespace ActorChat.Tests.Operations;

public sealed class WarningRateLimitSpec
{
    private long _now;

    private WarningRateLimit Limit(int lines) => new(lines, TimeSpan.FromSeconds(10), () => _now);

    [Fact]
    public void At_most_the_allowed_lines_are_written_in_one_interval()
    {
        var limit = Limit(3);

        var written = Enumerable.Range(0, 10).Count(i => limit.TryWrite(out var ignored));

        Assert.Equal(3, written);
    }

    [Fact]
    public void The_first_line_of_a_later_interval_says_how_many_were_left_out()
    {
        var limit = Limit(2);
        for (var i = 0; i < 7; i++) limit.TryWrite(out _);

        _now += TimeSpan.FromSeconds(10).Ticks;
        Assert.True(limit.TryWrite(out var suppressed));
        Assert.True(limit.TryWrite(out var afterThat));

        Assert.Equal(5, suppressed);
        Assert.Equal(0, afterThat);
    }

    [Fact]
    public void Nothing_is_reported_left_out_while_the_budget_suffices()
    {
        var limit = Limit(5);

        Assert.True(limit.TryWrite(out var suppressed));
        Assert.Equal(0, suppressed);
    }
}
