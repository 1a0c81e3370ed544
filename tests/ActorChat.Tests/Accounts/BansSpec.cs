using System.Net;
using ActorChat.Server.Accounts;

namespace ActorChat.Tests.Accounts;

public sealed class BansSpec
{
    private readonly Bans _bans = new();
    private readonly DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private BanPlaced Ban(string kind, string target, TimeSpan? length, string reason = "spam") =>
        new(kind, target, length is { } l ? (_now + l).ToUnixTimeMilliseconds() : null, reason, "op");

    [Fact]
    public void A_banned_account_is_found_until_its_ban_ends()
    {
        _bans.Apply(Ban(Bans.AccountKind, "mallory", TimeSpan.FromMinutes(10)));
        Assert.NotNull(_bans.Find("mallory", null, _now));
        Assert.NotNull(_bans.Find("mallory", null, _now + TimeSpan.FromMinutes(9)));
        Assert.Null(_bans.Find("mallory", null, _now + TimeSpan.FromMinutes(10)));
        Assert.Null(_bans.Find("alice", null, _now));
    }

    [Fact]
    public void A_ban_for_good_does_not_end()
    {
        _bans.Apply(Ban(Bans.AccountKind, "mallory", null));
        Assert.NotNull(_bans.Find("mallory", null, _now + TimeSpan.FromDays(10_000)));
    }

    [Fact]
    public void An_address_range_bans_every_address_in_it_also_when_mapped_to_IPv6()
    {
        _bans.Apply(Ban(Bans.AddressKind, Bans.NormalizeAddress("192.0.2.0/24"), null));
        Assert.NotNull(_bans.Find("alice", IPAddress.Parse("192.0.2.77"), _now));
        Assert.NotNull(_bans.Find("alice", IPAddress.Parse("::ffff:192.0.2.77"), _now));
        Assert.Null(_bans.Find("alice", IPAddress.Parse("198.51.100.1"), _now));
    }

    [Fact]
    public void A_lifted_ban_no_longer_counts()
    {
        _bans.Apply(Ban(Bans.AccountKind, "mallory", null));
        Assert.True(_bans.Apply(new BanLifted(Bans.AccountKind, "mallory")));
        Assert.Null(_bans.Find("mallory", null, _now));
    }

    [Fact]
    public void The_banned_read_the_time_left_and_the_reason()
    {
        var text = Bans.Describe(Ban(Bans.AccountKind, "mallory", TimeSpan.FromMinutes(10), "flooding"), _now);
        Assert.Equal("This account is banned for 10 min more: flooding", text);
        Assert.Equal("Your address is banned for good.", Bans.Describe(Ban(Bans.AddressKind, "192.0.2.7/32", null, ""), _now));
    }

    [Fact]
    public void A_single_address_is_kept_as_a_range_of_one()
    {
        Assert.Equal("192.0.2.7/32", Bans.NormalizeAddress("192.0.2.7"));
        Assert.Throws<ArgumentException>(() => Bans.NormalizeAddress("not-an-address"));
    }
}
