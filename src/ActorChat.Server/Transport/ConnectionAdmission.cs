using System.Net;
using System.Net.Sockets;
using ActorChat.Server.Configuration;

namespace ActorChat.Server.Transport;

/// <summary>
/// Admits or refuses new connections by their source address, for TCP and WebSocket alike: at most
/// <see cref="ConnectionLimitSettings.MaxConnectionsPerAddress"/> open at once and
/// <see cref="ConnectionLimitSettings.ConnectionsPerSecondPerAddress"/> new ones a second (a token bucket of one
/// second's worth), so one host cannot take every socket or flood the accept loop. One instance serves both
/// transports, so a client using both counts once. IPv6 addresses are grouped by their /64, the block one host
/// or one home network usually has (otherwise it could pick a fresh address for every connection). Addresses
/// in <see cref="ConnectionLimitSettings.ExemptAddresses"/> are never limited. Thread-safe: the TCP listener
/// actor and Kestrel's request threads share it.
/// </summary>
public sealed class ConnectionAdmission
{
    /// <summary>One admitted connection's claim; <see cref="Release"/> it when the connection is over (more calls do nothing).</summary>
    public sealed class Ticket
    {
        private readonly ConnectionAdmission? _owner;
        private readonly IPAddress? _key;
        private int _released;

        internal Ticket(ConnectionAdmission? owner, IPAddress? key)
        {
            _owner = owner;
            _key = key;
        }

        public void Release()
        {
            if (_owner is null || Interlocked.Exchange(ref _released, 1) == 1) return;
            _owner.Release(_key!);
        }
    }

    private sealed class Entry(TokenBucket newConnections)
    {
        public int Open;
        public TokenBucket NewConnections { get; } = newConnections;
    }

    private static readonly Ticket Unlimited = new(null, null);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly int _maxOpen;
    private readonly double _perSecond;
    private readonly IReadOnlyList<IPNetwork> _exempt;
    private readonly Func<long> _nowTicks;
    private readonly Dictionary<IPAddress, Entry> _entries = new();
    private readonly Lock _lock = new();
    private long _lastSweep;

    /// <param name="nowTicks">The clock in <see cref="TimeSpan"/> ticks; tests pass their own.</param>
    public ConnectionAdmission(ConnectionLimitSettings settings, Func<long>? nowTicks = null)
    {
        _maxOpen = settings.MaxConnectionsPerAddress;
        _perSecond = settings.ConnectionsPerSecondPerAddress;
        _exempt = settings.ExemptAddresses.Select(ParseNetwork).ToArray();
        _nowTicks = nowTicks ?? (() => Environment.TickCount64 * TimeSpan.TicksPerMillisecond);
        _lastSweep = _nowTicks();
    }

    /// <summary>Addresses (IPv6: /64 blocks) with open connections or recent connects, for tests and status.</summary>
    public int TrackedAddresses
    {
        get { lock (_lock) return _entries.Count; }
    }

    /// <summary>
    /// A ticket when a connection from <paramref name="remote"/> may go ahead now (it is counted until the ticket is
    /// released); otherwise null and the sentence the client gets.
    /// </summary>
    public Ticket? TryAdmit(IPAddress remote, out string? refusal)
    {
        refusal = null;
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        if (_maxOpen <= 0 && _perSecond <= 0) return Unlimited;
        foreach (var network in _exempt)
            if (network.Contains(remote)) return Unlimited;

        var key = KeyOf(remote);
        lock (_lock)
        {
            var now = _nowTicks();
            if (now - _lastSweep > SweepInterval.Ticks) Sweep(now);
            if (!_entries.TryGetValue(key, out var entry))
            {
                // A bucket of one second's worth: a burst of that many, then that many a second (a rate of 0: no limit).
                entry = new Entry(new TokenBucket(_perSecond, _perSecond, now));
                _entries[key] = entry;
            }
            if (!entry.NewConnections.TryTake(now))
            {
                refusal = $"Too many new connections from your address: at most {_perSecond:0.##} a second. Wait a moment and try again.";
                return null;
            }
            if (_maxOpen > 0 && entry.Open >= _maxOpen)
            {
                refusal = $"Too many connections from your address: at most {_maxOpen} at once. Close one and try again.";
                return null;
            }
            entry.Open++;
            return new Ticket(this, key);
        }
    }

    /// <summary>"10.0.0.0/8", "2001:db8::/32" or a single address ("::1") as a network; a clear error otherwise.</summary>
    public static IPNetwork ParseNetwork(string text)
    {
        text = text.Trim();
        if (text.Contains('/'))
        {
            // Host bits after the prefix ("10.0.0.1/8") usually mean a typo, so they are refused rather than masked.
            if (IPNetwork.TryParse(text, out var network)
                && IPAddress.TryParse(text[..text.IndexOf('/')], out var written) && written.Equals(network.BaseAddress))
                return network;
            throw new ArgumentException(
                $"'{text}' is not an address range such as 10.0.0.0/8 or fd00::/8 (the bits after the prefix must be zero).");
        }
        if (IPAddress.TryParse(text, out var address))
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        throw new ArgumentException($"'{text}' is not an IP address or an address range such as 10.0.0.0/8.");
    }

    private void Release(IPAddress key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry)) return;
            entry.Open = Math.Max(0, entry.Open - 1);
            if (IsIdle(entry, _nowTicks())) _entries.Remove(key);
        }
    }

    /// <summary>No open connection and a full bucket: forgetting the address changes nothing.</summary>
    private static bool IsIdle(Entry entry, long now) => entry.Open == 0 && entry.NewConnections.IsFull(now);

    /// <summary>Forgets idle addresses, so the table holds only addresses with open connections or connects in the last second.</summary>
    private void Sweep(long now)
    {
        _lastSweep = now;
        List<IPAddress>? idle = null;
        foreach (var (key, entry) in _entries)
        {
            if (IsIdle(entry, now)) (idle ??= []).Add(key);
        }
        if (idle is not null)
            foreach (var key in idle) _entries.Remove(key);
    }

    /// <summary>IPv4 addresses count one by one; IPv6 ones by their /64.</summary>
    private static IPAddress KeyOf(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
