using System.Net;
using ActorChat.Server.Transport;

namespace ActorChat.Server.Accounts;

/// <summary>
/// The bans in force: of accounts (by lowercase name) and of address ranges. A ban with an end stops counting once
/// it has passed; one without lasts until lifted. A plain class with the time passed in.
/// </summary>
public sealed class Bans
{
    public const string AccountKind = "account";
    public const string AddressKind = "address";

    private readonly Dictionary<(string Kind, string Target), BanPlaced> _bans = [];

    public int Count => _bans.Count;

    public IEnumerable<BanPlaced> All => _bans.Values;

    /// <summary>An address or range in the form bans keep (192.0.2.7/32, 10.0.0.0/8); throws ArgumentException when it is neither.</summary>
    public static string NormalizeAddress(string text) => ConnectionAdmission.ParseNetwork(text).ToString();

    public void Apply(BanPlaced ban) => _bans[(ban.Kind, ban.Target)] = ban;

    public bool Apply(BanLifted lifted) => _bans.Remove((lifted.Kind, lifted.Target));

    /// <summary>The ban that keeps the account or the address out now, or null.</summary>
    public BanPlaced? Find(string? accountKey, IPAddress? address, DateTimeOffset now)
    {
        if (accountKey is not null && _bans.TryGetValue((AccountKind, accountKey), out var onAccount) && InForce(onAccount, now))
            return onAccount;
        if (address is null) return null;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var ban in _bans.Values)
            if (ban.Kind == AddressKind && InForce(ban, now) && IPNetwork.TryParse(ban.Target, out var network) && network.Contains(address))
                return ban;
        return null;
    }

    /// <summary>Forgets bans that have ended.</summary>
    public void Prune(DateTimeOffset now)
    {
        foreach (var key in _bans.Where(b => !InForce(b.Value, now)).Select(b => b.Key).ToList()) _bans.Remove(key);
    }

    public static bool InForce(BanPlaced ban, DateTimeOffset now) => ban.UntilUnixMs is not { } until || now.ToUnixTimeMilliseconds() < until;

    /// <summary>What the banned client reads: the time left and the reason.</summary>
    public static string Describe(BanPlaced ban, DateTimeOffset now)
    {
        var what = ban.Kind == AccountKind ? "This account" : "Your address";
        var left = ban.UntilUnixMs is { } until
            ? $"banned for {Left(TimeSpan.FromMilliseconds(Math.Max(0, until - now.ToUnixTimeMilliseconds())))} more"
            : "banned for good";
        return string.IsNullOrWhiteSpace(ban.Reason) ? $"{what} is {left}." : $"{what} is {left}: {ban.Reason}";
    }

    private static string Left(TimeSpan left) => left.TotalSeconds < 90
        ? $"{Math.Max(1, (int)Math.Ceiling(left.TotalSeconds))} s"
        : left.TotalMinutes < 90 ? $"{(int)Math.Ceiling(left.TotalMinutes)} min"
        : left.TotalHours < 48 ? $"{(int)Math.Ceiling(left.TotalHours)} h"
        : $"{(int)Math.Ceiling(left.TotalDays)} days";
}
