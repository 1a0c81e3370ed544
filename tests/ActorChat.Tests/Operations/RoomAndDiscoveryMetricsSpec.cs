using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorChat.Client.Discovery;
using ActorChat.Messages;
using ActorChat.Server.Operations;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;
using Microsoft.Extensions.DependencyInjection;

namespace ActorChat.Tests.Operations;

/// <summary>
/// The instruments <see cref="MetricsSpec"/>'s scripted session does not reach: history reads by source, rooms
/// passivated (and no longer live), discovery replies and refusals. Read through a MeterListener, and the history
/// reads also through a scrape of /metrics.
/// </summary>
public sealed class RoomAndDiscoveryMetricsSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 60_000)]
    public async Task History_reads_are_counted_by_source_and_an_idle_room_stopped_counts_as_passivated()
    {
        var settings = TestServer.Settings("--history", "5");
        settings = settings with { Rooms = settings.Rooms with { PassivateAfter = TimeSpan.FromMilliseconds(300) } };
        await using var server = await TestServer.StartAsync(settings);
        using var meter = new MeterReadings(server.Host.Services.GetRequiredService<ChatMetrics>().Meter);
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("archive");
        for (var i = 1; i <= 8; i++)
        {
            await alice.SendAsync(new SayRequest("archive", $"m{i}") { Ref = $"m{i}" });
            await alice.ExpectAsync<MessageFrame>(m => m.Ref == $"m{i}");
        }

        await alice.SendAsync(new HistoryRequest("archive", Limit: 3) { Ref = "recent" }); // the last 5 are in memory
        Assert.Equal(["m6", "m7", "m8"], (await alice.ExpectAsync<HistoryFrame>(h => h.Ref == "recent")).Messages.Select(m => m.Text));
        await alice.SendAsync(new HistoryRequest("archive", Before: 3) { Ref = "old" }); // seqs 1 and 2: only the journal has them
        Assert.Equal(["m1", "m2"], (await alice.ExpectAsync<HistoryFrame>(h => h.Ref == "old")).Messages.Select(m => m.Text));
        Assert.Equal(1, meter.Sum("history.reads", ("source", "memory")));
        Assert.Equal(1, meter.Sum("history.reads", ("source", "journal")));

        using var http = new HttpClient { BaseAddress = server.WebUri() };
        var scrape = new PrometheusScrape(await http.GetStringAsync("/metrics"));
        Assert.Equal(1, scrape.Value("actorchat_history_reads", ("source", "memory")));
        Assert.Equal(1, scrape.Value("actorchat_history_reads", ("source", "journal")));

        var liveBefore = meter.Sum("rooms.live");
        await alice.SendAsync(new LeaveRequest("archive"));
        await alice.ExpectAsync<LeftFrame>();
        await AsyncAssert.EventuallyAsync(() => Task.FromResult(meter.Sum("rooms.passivated") == 1), Within);
        Assert.Equal(liveBefore - 1, meter.Sum("rooms.live"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_discovery_request_answered_is_a_reply_and_one_too_small_to_answer_is_refused_with_its_reason()
    {
        var udpPort = Ports.FreeUdpPort();
        await using var server = await TestServer.StartAsync("--udp-port", udpPort.ToString());
        using var meter = new MeterReadings(server.Host.Services.GetRequiredService<ChatMetrics>().Meter);
        var target = new IPEndPoint(IPAddress.Loopback, udpPort);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        await socket.SendToAsync(Encoding.ASCII.GetBytes("DISCOVER"), target); // unpadded: never answered
        await socket.SendToAsync(DiscoveryCodec.EncodeRequest(), target);
        using var cancel = new CancellationTokenSource(Within);
        var buffer = new byte[2048];
        await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancel.Token);

        await AsyncAssert.EventuallyAsync(() => Task.FromResult(meter.Sum("discovery.refused", ("reason", "request_too_small")) == 1), Within);
        Assert.Equal(1, meter.Sum("discovery.replies"));
        Assert.Equal(1, meter.Sum("discovery.refused"));
    }
}
