using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Discovery;
using Akka;
using Akka.Actor;
using Akka.IO;
using Xunit;

namespace ActorChat.Tests.Discovery;

/// <summary>
/// The discovery actor with a probe in place of the UDP listener: datagrams are handed to it as Udp.Received with
/// the probe as sender, and what it would send comes to the probe. The actor still binds a real port (port 0).
/// </summary>
public sealed class DiscoveryActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DiscoveryAnnouncement Announcement = new("spec-server", 4711, null, Protocol.Version);
    private static readonly IPEndPoint Asker = new(IPAddress.Parse("10.9.8.7"), 40000);
    private long _now;

    private static DiscoverySettings Settings(int port = 0) => new(port, null, RepliesPerSecond: 2, RepliesBurst: 3, TrackedAddresses: 16);

    private async Task<IActorRef> StartAsync(DiscoverySettings? settings = null)
    {
        var discovery = Sys.ActorOf(DiscoveryActor.Props(settings ?? Settings(), Announcement, () => _now));
        var bind = await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance, TimeSpan.FromSeconds(5));
        Assert.True(bind.Bound, bind.Error);
        return discovery;
    }

    private static Udp.Received Datagram(string text, IPEndPoint from) => new(ByteString.FromString(text, Encoding.ASCII), from);

    [Fact]
    public async Task DISCOVER_is_answered_to_its_sender_with_the_server_name_and_tcp_port()
    {
        var discovery = await StartAsync();
        var listener = CreateTestProbe();

        listener.Send(discovery, Datagram("DISCOVER\n", Asker));

        var send = listener.ExpectMsg<Udp.Send>();
        Assert.Equal(Asker, send.Target);
        Assert.True(DiscoveryCodec.TryDecodeReply(send.Payload.ToArray(), out var announcement));
        Assert.Equal(Announcement, announcement);
    }

    [Fact]
    public async Task Datagrams_that_are_not_DISCOVER_get_no_answer()
    {
        var discovery = await StartAsync();
        var listener = CreateTestProbe();

        foreach (var junk in new[] { "discover", "HELLO", "DISCOVERX", "", new string('x', 400), "CHAT_SERVER_FOUND {}" })
            listener.Send(discovery, Datagram(junk, Asker));

        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        listener.Send(discovery, Datagram("DISCOVER", Asker)); // and it still answers afterwards
        listener.ExpectMsg<Udp.Send>();
    }

    [Fact]
    public async Task One_address_gets_only_a_burst_of_answers_until_its_bucket_refills()
    {
        var discovery = await StartAsync();
        var listener = CreateTestProbe();

        for (var i = 0; i < 10; i++) listener.Send(discovery, Datagram("DISCOVER", Asker));
        for (var i = 0; i < 3; i++) listener.ExpectMsg<Udp.Send>();
        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        var other = new IPEndPoint(IPAddress.Parse("10.9.8.6"), 40000);
        listener.Send(discovery, Datagram("DISCOVER", other));
        Assert.Equal(other, listener.ExpectMsg<Udp.Send>().Target);

        _now += TimeSpan.FromSeconds(1).Ticks; // two more for the first address
        for (var i = 0; i < 5; i++) listener.Send(discovery, Datagram("DISCOVER", Asker));
        listener.ExpectMsg<Udp.Send>();
        listener.ExpectMsg<Udp.Send>();
        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_real_DISCOVER_datagram_on_loopback_is_answered()
    {
        var discovery = await StartAsync();
        var port = (await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance)).LocalAddress!.Port;
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await client.SendAsync(Encoding.ASCII.GetBytes("DISCOVER"), new IPEndPoint(IPAddress.Loopback, port));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var reply = await client.ReceiveAsync(timeout.Token);
        Assert.True(DiscoveryCodec.TryDecodeReply(reply.Buffer, out var announcement));
        Assert.Equal("spec-server", announcement!.Name);
    }

    [Fact]
    public async Task Unbind_releases_the_udp_port()
    {
        var discovery = await StartAsync();
        var port = (await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance)).LocalAddress!.Port;

        await discovery.Ask<Done>(DiscoveryActor.Unbind.Instance, TimeSpan.FromSeconds(5));

        // A socket without SO_REUSEADDR can only bind the port once nobody holds it.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Any, port));
    }

    [Fact]
    public async Task A_port_in_use_is_reported_as_discovery_being_off_and_the_actor_lives_on()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Any, 0));
        var taken = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var discovery = Sys.ActorOf(DiscoveryActor.Props(Settings(taken), Announcement));
        var bind = await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance, TimeSpan.FromSeconds(5));

        Assert.False(bind.Bound);
        Assert.Contains("LAN discovery is off", bind.Error);
        Assert.Contains(taken.ToString(), bind.Error);
        await discovery.Ask<Done>(DiscoveryActor.Unbind.Instance, TimeSpan.FromSeconds(5)); // still answers
    }
}
