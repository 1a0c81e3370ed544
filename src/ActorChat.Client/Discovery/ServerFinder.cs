using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using ActorChat.Messages;

namespace ActorChat.Client.Discovery;

/// <summary>A chat server that answered a discovery request.</summary>
public sealed record DiscoveredServer(string Name, IPAddress Address, int TcpPort, int? WebPort, int Protocol)
{
    /// <summary>The server's TLS port for chat clients, or null when it offers none.</summary>
    public int? TlsPort { get; init; }

    /// <summary>The SHA-256 fingerprint of its certificate (lower-case hex) as its answer gave it, or null.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>In cluster mode, the nodes the answering node listed (itself among them); empty otherwise.</summary>
    public IReadOnlyList<DiscoveryNode> Nodes { get; init; } = [];

    public override string ToString() => $"{Name} at {Address}:{TcpPort}";
}

/// <summary>
/// Finds chat servers on the LAN: sends <c>DISCOVER</c> from one UDP socket to the limited broadcast address,
/// to each interface's IPv4 broadcast address and to loopback, and collects the answers that come back within
/// a time window. Each server is listed once, however many of the requests reached it. The request is padded
/// (<see cref="DiscoveryCodec.EncodeRequest"/>): a server answers with at most four times the bytes it got.
/// </summary>
public static class ServerFinder
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(1.5);

    /// <summary>Where a request goes by default: 255.255.255.255, each interface's broadcast address, 127.0.0.1.</summary>
    public static IReadOnlyList<IPAddress> DefaultTargets()
    {
        var targets = new List<IPAddress> { IPAddress.Broadcast };
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up && nic.OperationalStatus != OperationalStatus.Unknown) continue;
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (BroadcastAddressOf(unicast) is { } broadcast && !targets.Contains(broadcast)) targets.Add(broadcast);
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Without the interface list the limited broadcast and loopback still go out.
        }
        if (!targets.Contains(IPAddress.Loopback)) targets.Add(IPAddress.Loopback);
        return targets;
    }

    /// <summary>The directed broadcast address of an IPv4 interface address (address | ~mask), or null.</summary>
    public static IPAddress? BroadcastAddressOf(UnicastIPAddressInformation unicast)
    {
        if (unicast.Address.AddressFamily != AddressFamily.InterNetwork || IPAddress.IsLoopback(unicast.Address)) return null;
        var prefix = unicast.PrefixLength;
        if (prefix is <= 0 or >= 31) return null; // /31 and /32 have no broadcast address
        return BroadcastAddressOf(unicast.Address, prefix);
    }

    public static IPAddress BroadcastAddressOf(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var mask = prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);
        var broadcast = value | ~mask;
        return new IPAddress([(byte)(broadcast >> 24), (byte)(broadcast >> 16), (byte)(broadcast >> 8), (byte)broadcast]);
    }

    private static HashSet<IPAddress> LocalAddresses()
    {
        var local = new HashSet<IPAddress> { IPAddress.Loopback };
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork) local.Add(unicast.Address);
            }
        }
        catch (NetworkInformationException)
        {
        }
        return local;
    }

    /// <summary>
    /// Sends the request and gathers answers for <paramref name="window"/>. Targets that cannot be reached
    /// (no route, broadcast not permitted) are skipped; an empty list means no server answered.
    /// </summary>
    public static async Task<IReadOnlyList<DiscoveredServer>> FindAsync(
        int udpPort, TimeSpan? window = null, IEnumerable<IPAddress>? targets = null, CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        var request = DiscoveryCodec.EncodeRequest(); // padded, so that servers may answer it
        foreach (var target in targets ?? DefaultTargets())
        {
            try
            {
                await socket.SendToAsync(request, SocketFlags.None, new IPEndPoint(target, udpPort), cancellationToken);
            }
            catch (SocketException)
            {
                // An interface that cannot send (down, no route, broadcast refused) does not stop the others.
            }
        }

        var found = new List<DiscoveredServer>();
        var local = LocalAddresses();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(window ?? DefaultWindow);
        var buffer = new byte[DiscoveryCodec.MaxDatagramBytes + 1];
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException)
            {
                continue; // e.g. an ICMP port-unreachable for one of the targets
            }
            if (received.RemoteEndPoint is not IPEndPoint from) continue;
            if (!DiscoveryCodec.TryDecodeReply(buffer.AsSpan(0, received.ReceivedBytes), out var announcement)) continue;
            // A server on this machine answers from loopback and from each of its addresses: list it once, as loopback.
            var address = local.Contains(from.Address) ? IPAddress.Loopback : from.Address;
            var server = new DiscoveredServer(announcement!.Name, address, announcement.TcpPort, announcement.WebPort, announcement.Protocol)
            {
                TlsPort = announcement.TlsPort,
                Fingerprint = announcement.Fingerprint,
                Nodes = announcement.Nodes?.Where(n => n.Host.Length > 0 && n.Port is >= 1 and <= 65535).ToList() ?? [],
            };
            if (!found.Exists(s => s.Address.Equals(server.Address) && s.TcpPort == server.TcpPort)) found.Add(server);
        }
        return found;
    }
}
