using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorChat.Client.Discovery;
using ActorChat.Messages;
using ActorChat.Tests.Support;
using Xunit;

namespace ActorChat.Tests.Discovery;

/// <summary>The server as built by ChatServerHost, found by the client's ServerFinder with unicast on loopback.</summary>
public sealed class DiscoveryLoopbackSpec
{
    [Fact]
    public async Task The_client_finds_the_server_on_loopback_with_its_real_tcp_and_web_ports()
    {
        var udpPort = Ports.FreeUdpPort(); // 0 would turn discovery off
        await using var server = await TestServer.StartAsync("--udp-port", udpPort.ToString(), "--name", "loopback-lab");
        Assert.Equal(udpPort, server.DiscoveryEndpoint?.Port);

        var found = await ServerFinder.FindAsync(server.DiscoveryEndpoint!.Port, TimeSpan.FromSeconds(1), [IPAddress.Loopback]);

        var only = Assert.Single(found);
        Assert.Equal("loopback-lab", only.Name);
        Assert.Equal(server.TcpEndpoint.Port, only.TcpPort);
        Assert.Equal(IPAddress.Loopback, only.Address);
        Assert.Equal(server.WebEndpoint!.Port, only.WebPort);
    }

    [Fact]
    public async Task Without_the_web_chat_the_answer_carries_no_web_port()
    {
        var udpPort = Ports.FreeUdpPort();
        await using var server = await TestServer.StartAsync("--udp-port", udpPort.ToString(), "--web-port", "0");
        var found = await ServerFinder.FindAsync(udpPort, TimeSpan.FromSeconds(1), [IPAddress.Loopback]);
        Assert.Null(Assert.Single(found).WebPort);
    }

    [Fact]
    public async Task With_udp_port_0_the_server_runs_without_discovery()
    {
        await using var server = await TestServer.StartAsync();
        Assert.Null(server.DiscoveryEndpoint);
    }

    [Fact]
    public async Task An_unpadded_DISCOVER_gets_no_answer_while_a_padded_one_gets_one_at_most_four_times_its_size()
    {
        var udpPort = Ports.FreeUdpPort();
        await using var server = await TestServer.StartAsync("--udp-port", udpPort.ToString(), "--name", "loopback-lab");
        var target = new IPEndPoint(IPAddress.Loopback, udpPort);
        using var unpadded = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var padded = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        unpadded.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        padded.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        await unpadded.SendToAsync(Encoding.ASCII.GetBytes("DISCOVER"), target);
        var request = DiscoveryCodec.EncodeRequest();
        await padded.SendToAsync(request, target);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[DiscoveryCodec.MaxDatagramBytes];
        var answer = await padded.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        Assert.True(answer <= DiscoveryCodec.MaxAmplification * request.Length);
        Assert.True(DiscoveryCodec.TryDecodeReply(buffer.AsSpan(0, answer), out _));
        // The server handles datagrams in the order they came: an answer to the unpadded one would be here by now.
        Assert.Equal(0, unpadded.Available);
    }

    [Fact]
    public async Task With_bind_127_0_0_1_the_discovery_port_is_bound_on_127_0_0_1_only()
    {
        var udpPort = Ports.FreeUdpPort();
        await using var server = await TestServer.StartAsync("--bind", "127.0.0.1", "--udp-port", udpPort.ToString());

        Assert.Equal(IPAddress.Loopback, server.DiscoveryEndpoint!.Address);
        var sockets = UdpSocketsOnPort(udpPort);
        Assert.Equal(["127.0.0.1"], sockets.Select(a => a.ToString()).Distinct());
    }

    /// <summary>The local addresses of the IPv4 and IPv6 UDP sockets bound on a port, as the kernel lists them.</summary>
    private static List<IPAddress> UdpSocketsOnPort(int port)
    {
        var found = new List<IPAddress>();
        foreach (var table in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var local = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].Split(':'); // e.g. 0100007F:3039
                if (int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port) continue;
                var bytes = Convert.FromHexString(local[0]);
                // The kernel prints each 32-bit word of the address in host (little-endian) order.
                for (var word = 0; word < bytes.Length; word += 4) Array.Reverse(bytes, word, 4);
                found.Add(new IPAddress(bytes));
            }
        }
        return found;
    }

    [Fact]
    public void The_broadcast_address_of_an_interface_is_its_address_with_the_host_bits_set()
    {
        Assert.Equal(IPAddress.Parse("10.201.7.255"), ServerFinder.BroadcastAddressOf(IPAddress.Parse("10.201.7.2"), 24));
        Assert.Equal(IPAddress.Parse("192.168.15.255"), ServerFinder.BroadcastAddressOf(IPAddress.Parse("192.168.12.9"), 22));
    }
}
