using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace ActorChat.Server.Hosting;

/// <summary>
/// The addresses a person can open in a browser to reach the web chat: a server listening on every address is
/// <c>http://localhost:PORT/</c> on this machine and <c>http://LAN-ADDRESS:PORT/</c> from the others; a server bound to
/// one address is reached at that address (loopback: localhost). 0.0.0.0 is where it listens, not a place to go.
/// </summary>
public static class WebChatAddresses
{
    /// <summary>The URL to open on this machine (first) and, when the server listens on every address, one per LAN address.</summary>
    public static IReadOnlyList<string> UrlsToOpen(IPEndPoint bound, IEnumerable<IPAddress> lanAddresses)
    {
        var port = bound.Port;
        if (bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any))
            return [$"http://localhost:{port}/", .. lanAddresses.Where(a => !IPAddress.IsLoopback(a)).Distinct().Select(a => Url(a, port))];
        if (IPAddress.IsLoopback(bound.Address)) return [$"http://localhost:{port}/"];
        return [Url(bound.Address, port)];
    }

    /// <summary>The IPv4 addresses of this machine's network interfaces that are up, loopback left out.</summary>
    public static IReadOnlyList<IPAddress> LanAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                .Distinct()
                .ToArray();
        }
        catch (NetworkInformationException)
        {
            return []; // the machine would not say; localhost is still right
        }
    }

    private static string Url(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"http://[{address}]:{port}/" : $"http://{address}:{port}/";
}
