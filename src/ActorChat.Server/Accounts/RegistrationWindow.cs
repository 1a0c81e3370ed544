using System.Net;
using ActorChat.Server.Transport;

namespace ActorChat.Server.Accounts;

/// <summary>
/// How many accounts each source address registered within the last window: at most <c>limit</c> each. Addresses in
/// the exempt ranges (those the connection limits exempt) are never limited. It remembers a bounded number of
/// addresses, so a flood from many addresses costs bounded memory: past that, the address registered longest ago is
/// forgotten first. Not thread-safe: the account book's own.
/// </summary>
public sealed class RegistrationWindow(int limit, TimeSpan window, IReadOnlyList<string> exempt, int maxAddresses = 10_000)
{
    private readonly IPNetwork[] _exempt = exempt.Select(ConnectionAdmission.ParseNetwork).ToArray();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _byAddress = new(StringComparer.Ordinal);

    public int TrackedAddresses => _byAddress.Count;

    /// <summary>Counts a registration from <paramref name="address"/> and says whether it is within the limit.</summary>
    public bool TryRegister(string? address, DateTimeOffset now)
    {
        if (limit <= 0 || address is null || IsExempt(address)) return true;
        if (!_byAddress.TryGetValue(address, out var times))
        {
            if (_byAddress.Count >= maxAddresses) Forget(now);
            times = _byAddress[address] = new Queue<DateTimeOffset>(limit);
        }
        while (times.TryPeek(out var oldest) && now - oldest >= window) times.Dequeue();
        if (times.Count >= limit) return false;
        times.Enqueue(now);
        return true;
    }

    private bool IsExempt(string address) =>
        IPAddress.TryParse(address, out var ip) && Array.Exists(_exempt, network => network.Contains(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip));

    /// <summary>Forgets the addresses whose window is over, or else the one that registered longest ago.</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (address, times) in _byAddress.ToList())
            if (times.Count == 0 || now - times.Last() >= window) _byAddress.Remove(address);
        if (_byAddress.Count >= maxAddresses)
            _byAddress.Remove(_byAddress.MinBy(entry => entry.Value.TryPeek(out var first) ? first : DateTimeOffset.MinValue).Key);
    }
}
