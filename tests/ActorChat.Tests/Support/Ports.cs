using System.Net;
using System.Net.Sockets;

namespace ActorChat.Tests.Support;

public static class Ports
{
    /// <summary>
    /// A UDP port that was free a moment ago, for a server flag where 0 means "off" rather than "any".
    /// Asked of the OS, so tests running side by side get different ones.
    /// </summary>
    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
