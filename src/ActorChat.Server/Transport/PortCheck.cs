using System.Net;
using System.Net.Sockets;

namespace ActorChat.Server.Transport;

/// <summary>
/// Checks before start-up that a TCP port can be bound, so that a port in use is one clear line for the user
/// rather than a failure deep inside the actor system.
/// </summary>
public static class PortCheck
{
    /// <returns>Null when the port is free; otherwise why it cannot be used.</returns>
    /// <param name="service">How the error names the listener, e.g. "TCP" or "HTTP".</param>
    public static string? TcpPortProblem(string bind, int port, string service = "TCP")
    {
        if (port <= 0) return null; // the OS picks a free one (or, for the web chat, it is off)
        var address = IPAddress.Parse(bind);
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, port));
            return null;
        }
        catch (SocketException e)
        {
            var reason = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the port is already in use",
                SocketError.AccessDenied => "permission denied",
                SocketError.AddressNotAvailable => "the address is not one of this machine's",
                _ => e.Message,
            };
            return $"cannot listen on {service} {bind}:{port}: {reason}";
        }
    }

    /// <summary>
    /// The web chat and the TCP transport are two listeners; on one port and overlapping addresses the second bind
    /// would fail half-way through start-up, so it is refused before anything starts.
    /// </summary>
    /// <returns>Null when the two can listen side by side; otherwise why not.</returns>
    public static string? SharedPortProblem(string tcpBind, int tcpPort, string webBind, int webPort)
    {
        if (tcpPort <= 0 || webPort != tcpPort) return null;
        var tcp = IPAddress.Parse(tcpBind);
        var web = IPAddress.Parse(webBind);
        var overlap = tcp.Equals(web) || IsAnyAddress(tcp) || IsAnyAddress(web);
        return overlap
            ? $"cannot listen on HTTP {webBind}:{webPort}: the TCP listener for chat clients uses the same port; choose another --web-port or --port"
            : null;
    }

    private static bool IsAnyAddress(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}
