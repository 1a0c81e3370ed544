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
    private static readonly int ReplyBytes = DiscoveryCodec.EncodeReply(Announcement).Length;

    private async Task<IActorRef> StartAsync(DiscoverySettings? settings = null)
    {
        var discovery = Sys.ActorOf(DiscoveryActor.Props(settings ?? Settings(), Announcement, () => _now));
        var bind = await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance, TimeSpan.FromSeconds(5));
        Assert.True(bind.Bound, bind.Error);
        return discovery;
    }

    private static Udp.Received Datagram(string text, IPEndPoint from) => new(ByteString.FromString(text, Encoding.ASCII), from);

    /// <summary>The request as the console client sends it, padded so the answer may be sent.</summary>
    private static Udp.Received Request(IPEndPoint from) => new(ByteString.FromBytes(DiscoveryCodec.EncodeRequest()), from);

    private static IPEndPoint Source(int i) => new(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)), 40000);

    [Fact]
    public async Task DISCOVER_is_answered_to_its_sender_with_the_server_name_and_tcp_port()
    {
        var discovery = await StartAsync();
        var listener = CreateTestProbe();

        listener.Send(discovery, Request(Asker));

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
        listener.Send(discovery, Request(Asker)); // and it still answers afterwards
        listener.ExpectMsg<Udp.Send>();
    }

    [Fact]
    public async Task One_address_gets_only_a_burst_of_answers_until_its_bucket_refills()
    {
        var discovery = await StartAsync();
        var listener = CreateTestProbe();

        for (var i = 0; i < 10; i++) listener.Send(discovery, Request(Asker));
        for (var i = 0; i < 3; i++) listener.ExpectMsg<Udp.Send>();
        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        var other = new IPEndPoint(IPAddress.Parse("10.9.8.6"), 40000);
        listener.Send(discovery, Request(other));
        Assert.Equal(other, listener.ExpectMsg<Udp.Send>().Target);

        _now += TimeSpan.FromSeconds(1).Ticks; // two more for the first address
        for (var i = 0; i < 5; i++) listener.Send(discovery, Request(Asker));
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

        await client.SendAsync(DiscoveryCodec.EncodeRequest(), new IPEndPoint(IPAddress.Loopback, port));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var reply = await client.ReceiveAsync(timeout.Token);
        Assert.True(DiscoveryCodec.TryDecodeReply(reply.Buffer, out var announcement));
        Assert.Equal("spec-server", announcement!.Name);
    }

    [Fact]
    public async Task An_unpadded_DISCOVER_gets_no_answer_as_the_answer_would_be_more_than_four_times_its_size()
    {
        var discovery = await StartAsync();
        var listener = CreateTestProbe();

        listener.Send(discovery, Datagram("DISCOVER", Asker));
        listener.Send(discovery, Datagram("DISCOVER\n", Asker));

        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        listener.Send(discovery, Request(Asker)); // the refused ones used up none of the address's answers
        listener.ExpectMsg<Udp.Send>();
    }

    [Fact]
    public async Task A_DISCOVER_padded_to_a_quarter_of_the_answer_is_answered_and_one_byte_less_is_not()
    {
        var discovery = await StartAsync();
        var listener = CreateTestProbe();
        var smallestAnswered = (ReplyBytes + DiscoveryCodec.MaxAmplification - 1) / DiscoveryCodec.MaxAmplification;

        listener.Send(discovery, Datagram("DISCOVER".PadRight(smallestAnswered - 1), Asker));
        listener.Send(discovery, Datagram("DISCOVER".PadRight(smallestAnswered), Asker));

        var send = listener.ExpectMsg<Udp.Send>();
        Assert.True(send.Payload.Count <= DiscoveryCodec.MaxAmplification * smallestAnswered,
            $"an answer of {send.Payload.Count} bytes to a request of {smallestAnswered}");
        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Many_source_addresses_together_get_at_most_the_global_cap_of_answers_per_second()
    {
        var discovery = await StartAsync(Settings() with { GlobalRepliesPerSecond = 50, GlobalRepliesBurst = 50 });
        var listener = CreateTestProbe();

        for (var i = 0; i < 300; i++) listener.Send(discovery, Request(Source(i)));
        listener.ReceiveN(50);
        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        _now += TimeSpan.FromSeconds(1).Ticks;
        for (var i = 300; i < 600; i++) listener.Send(discovery, Request(Source(i)));
        listener.ReceiveN(50);
        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task By_default_the_port_is_bound_on_all_addresses()
    {
        var discovery = await StartAsync();
        var bind = await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance);
        Assert.Equal(IPAddress.Any, bind.LocalAddress!.Address);
    }

    [Fact]
    public async Task With_bind_127_0_0_1_the_port_is_bound_on_127_0_0_1()
    {
        var discovery = await StartAsync(Settings() with { Bind = "127.0.0.1" });
        var bind = await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance);
        Assert.Equal(IPAddress.Loopback, bind.LocalAddress!.Address);
    }

    [Fact]
    public async Task With_bind_127_0_0_1_a_request_sent_to_another_loopback_address_is_refused_by_the_kernel()
    {
        var discovery = await StartAsync(Settings() with { Bind = "127.0.0.1" });
        var port = (await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance)).LocalAddress!.Port;

        // A connected UDP socket hears the ICMP port-unreachable that says nothing listens there.
        var error = await Assert.ThrowsAsync<SocketException>(() => AskAsync(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port), connected: true));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        Assert.True(DiscoveryCodec.TryDecodeReply(await AskAsync(new IPEndPoint(IPAddress.Loopback, port), connected: true), out _));
    }

    [Fact]
    public async Task With_the_default_bind_a_request_sent_to_any_loopback_address_is_answered()
    {
        var discovery = await StartAsync();
        var port = (await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance)).LocalAddress!.Port;

        Assert.True(DiscoveryCodec.TryDecodeReply(await AskAsync(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port)), out _));
    }

    /// <summary>
    /// Sends a padded DISCOVER to <paramref name="server"/> and returns the answer. A connected socket is told of
    /// an ICMP port-unreachable (a SocketException), but only hears answers that come from the address it sent to.
    /// </summary>
    private static async Task<byte[]> AskAsync(IPEndPoint server, bool connected = false)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (connected) await socket.ConnectAsync(server);
        else socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await socket.SendToAsync(DiscoveryCodec.EncodeRequest(), server);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[DiscoveryCodec.MaxDatagramBytes];
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return buffer[..received];
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
