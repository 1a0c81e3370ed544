using System.Net;
using ActorChat.Client.Discovery;
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
    public void The_broadcast_address_of_an_interface_is_its_address_with_the_host_bits_set()
    {
        Assert.Equal(IPAddress.Parse("10.201.7.255"), ServerFinder.BroadcastAddressOf(IPAddress.Parse("10.201.7.2"), 24));
        Assert.Equal(IPAddress.Parse("192.168.15.255"), ServerFinder.BroadcastAddressOf(IPAddress.Parse("192.168.12.9"), 22));
    }
}
