using ActorChat.Server.Transport.Web;

namespace ActorChat.Tests.Web;

/// <summary>The web page's sign-in sessions: random, expiring, bounded in number, revocable.</summary>
public sealed class WebSessionTokensSpec
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void A_token_stands_for_its_account_until_revoked()
    {
        var tokens = new WebSessionTokens();
        var token = tokens.Issue("alice");

        Assert.Equal("alice", tokens.Resolve(token));
        Assert.True(tokens.Revoke(token));
        Assert.Null(tokens.Resolve(token));
        Assert.False(tokens.Revoke(token));
    }

    [Fact]
    public void Tokens_are_32_random_bytes_in_base64url_and_never_repeat()
    {
        var tokens = new WebSessionTokens();
        var issued = Enumerable.Range(0, 100).Select(_ => tokens.Issue("alice")).ToList();

        Assert.Equal(100, issued.Distinct().Count());
        Assert.All(issued, token => Assert.Matches("^[A-Za-z0-9_-]{43}$", token));
    }

    [Fact]
    public void A_token_expires_after_its_lifetime()
    {
        var clock = new ManualClock();
        var tokens = new WebSessionTokens(TimeSpan.FromDays(7), clock: clock);
        var token = tokens.Issue("alice");

        clock.Now += TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1);
        Assert.Equal("alice", tokens.Resolve(token));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.Null(tokens.Resolve(token));
    }

    [Fact]
    public void When_full_the_token_expiring_first_makes_way()
    {
        var clock = new ManualClock();
        var tokens = new WebSessionTokens(capacity: 2, clock: clock);
        var oldest = tokens.Issue("alice");
        clock.Now += TimeSpan.FromMinutes(1);
        var middle = tokens.Issue("bob");
        clock.Now += TimeSpan.FromMinutes(1);
        var newest = tokens.Issue("carol");

        Assert.Equal(2, tokens.Count);
        Assert.Null(tokens.Resolve(oldest));
        Assert.Equal("bob", tokens.Resolve(middle));
        Assert.Equal("carol", tokens.Resolve(newest));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("made-up")]
    public void An_unknown_token_stands_for_nobody(string? token) => Assert.Null(new WebSessionTokens().Resolve(token));
}
