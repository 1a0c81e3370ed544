using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Hosting;
using ActorChat.Server.Operations;
using ActorChat.Tests.Support;
using ActorChat.Tests.Web;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ActorChat.Tests.Operations;

/// <summary>
/// The ActorChat meter after a scripted session: three TCP clients and a WebSocket one connect, join and say;
/// one sends a frame that is not JSON, one floods and is paced, one stops reading and is cut off as a slow
/// consumer. The same figures are read through a MeterListener and through a real scrape of /metrics.
/// </summary>
public sealed class MetricsSpec(MetricsSpec.ScriptedSession session, ITestOutputHelper output) : IClassFixture<MetricsSpec.ScriptedSession>
{
    private MeterReadings _meter => session.Meter;
    private int _firehose => session.Firehose;

    private double Metered(string instrument, params (string, string)[] tags) => _meter.Sum(instrument, tags);

    private double Scraped(string name, params (string, string)[] labels)
    {
        var value = session.Scrape.Value(name, labels);
        if (value is null) output.WriteLine(session.Scrape.Text);
        return value ?? throw new Xunit.Sdk.XunitException($"no sample {name} {string.Join(",", labels)} in the scrape");
    }

    [Fact]
    public void The_scrape_holds_the_servers_figures_and_none_of_the_start_up_warm_up()
    {
        Assert.Contains("actorchat_connections_opened", session.Scrape.Text);
        Assert.DoesNotContain("warm_up", session.Scrape.Text);
    }

    [Fact]
    public void Connections_are_counted_by_transport_when_opened_and_by_reason_when_closed()
    {
        Assert.Equal(3, Metered("connections.opened", ("transport", "tcp")));
        Assert.Equal(1, Metered("connections.opened", ("transport", "websocket")));
        Assert.Equal(1, Metered("connections.closed", ("reason", "slow_consumer"), ("transport", "tcp")));
        Assert.Equal(1, Metered("connections.closed")); // the others were still open at the scrape
        Assert.Equal(2, Metered("connections.open", ("transport", "tcp")));
        Assert.Equal(1, Metered("connections.open", ("transport", "websocket")));

        Assert.Equal(3, Scraped("actorchat_connections_opened", ("transport", "tcp")));
        Assert.Equal(1, Scraped("actorchat_connections_opened", ("transport", "websocket")));
        Assert.Equal(1, Scraped("actorchat_connections_closed", ("transport", "tcp"), ("reason", "slow_consumer")));
        Assert.Equal(2, Scraped("actorchat_connections_open", ("transport", "tcp")));
        Assert.Equal(1, Scraped("actorchat_connections_open", ("transport", "websocket")));
    }

    [Fact]
    public void Frames_in_are_counted_by_type_and_errors_out_by_code()
    {
        Assert.Equal(4, Metered("frames.received", ("type", "hello")));
        Assert.Equal(3, Metered("frames.received", ("type", "join")));
        Assert.Equal(40, Metered("frames.received", ("type", "rooms")));
        Assert.Equal(1 + _firehose, Metered("frames.received", ("type", "say")));
        Assert.Equal(1, Metered("frames.received", ("type", "unreadable")));
        Assert.Equal(1, Metered("errors.sent", ("code", "bad_json")));
        Assert.Equal(1, Metered("errors.sent", ("code", "slow_consumer")));

        Assert.Equal(40, Scraped("actorchat_frames_received", ("type", "rooms")));
        Assert.Equal(1 + _firehose, Scraped("actorchat_frames_received", ("type", "say")));
        Assert.Equal(1, Scraped("actorchat_frames_received", ("type", "unreadable")));
        Assert.Equal(1, Scraped("actorchat_errors_sent", ("code", "bad_json")));
        Assert.Equal(1, Scraped("actorchat_errors_sent", ("code", "slow_consumer")));
    }

    [Fact]
    public void Messages_are_counted_when_stored_and_fanned_out_and_their_latencies_are_recorded()
    {
        var said = 1 + _firehose;
        Assert.True(_firehose >= 5, $"the sleeper was cut off after only {_firehose} messages");
        Assert.Equal(said, Metered("messages.stored"));
        Assert.Equal(said, Metered("messages.fanned_out"));
        Assert.Equal(said, _meter.Count("journal.write.duration"));
        Assert.True(_meter.Count("fanout.duration") >= said, "every member's copy of a message has a fan-out latency");
        Assert.True(Metered("deliveries") >= said, "webby got every message");

        Assert.Equal(said, Scraped("actorchat_messages_stored"));
        Assert.Equal(said, Scraped("actorchat_messages_fanned_out"));
        Assert.Equal(said, Scraped("actorchat_journal_write_duration_count"));
        Assert.True(Scraped("actorchat_fanout_duration_count") >= said);
        Assert.True(Scraped("actorchat_fanout_duration_sum") > 0);
        Assert.True(Scraped("actorchat_deliveries") >= said);
    }

    [Fact]
    public void Floods_paced_rooms_live_and_users_online_are_counted()
    {
        Assert.True(Metered("flood.paced") >= 1, "forty requests at once went over a burst of ten");
        Assert.Equal(3, Metered("users.online")); // alice, webby, the flooder; the sleeper is gone
        Assert.True(Metered("rooms.live") >= 1);

        Assert.Equal(Metered("flood.paced"), Scraped("actorchat_flood_paced"));
        Assert.Equal(3, Scraped("actorchat_users_online"));
        Assert.Equal(Metered("rooms.live"), Scraped("actorchat_rooms_live"));
    }

    /// <summary>The session, run once for all the tests here.</summary>
    public sealed class ScriptedSession : IAsyncLifetime
    {
        private const string Room = "ops";
        private readonly string _config = Path.Combine(Path.GetTempPath(), $"actorchat-metrics-{Guid.NewGuid():N}.conf");
        private RunningChatServer _server = null!;

        public MeterReadings Meter { get; private set; } = null!;
        public PrometheusScrape Scrape { get; private set; } = null!;

        /// <summary>How many long messages alice said until the sleeper was cut off.</summary>
        public int Firehose { get; private set; }

        public async Task InitializeAsync()
        {
            // A small send buffer and outbound limits, so that a client that stops reading is cut off within a few
            // dozen messages; flood control lets the firehose through but not forty requests at once.
            await File.WriteAllTextAsync(_config, """
                actorchat.tcp.send-buffer = 4 KiB
                actorchat.sessions { outbound-limit = 1 KiB, outbound-hard-limit = 16 KiB, slow-consumer-timeout = 1s }
                actorchat.limits { flood-rate = 200, flood-burst = 10 }
                """);
            _server = await TestServer.StartAsync("--config", _config);
            Meter = new MeterReadings(_server.Host.Services.GetRequiredService<ChatMetrics>().Meter);
            await RunScriptedSessionAsync();
        }
    
        private async Task RunScriptedSessionAsync()
        {
            await using var alice = await TestClient.ConnectAsync(_server, "alice");
            await alice.JoinAsync(Room);
            await using var webby = await WebSocketTestClient.ConnectAsUserAsync(_server, "webby", Room);
            await alice.SendAsync(new SayRequest(Room, "good morning"));
            await alice.ExpectAsync<MessageFrame>(m => m.Text == "good morning");
            await webby.ExpectAsync<MessageFrame>(m => m.Text == "good morning");
    
            await alice.SendRawAsync("this is not json\n");
            Assert.Equal(ErrorCodes.BadJson, (await alice.ExpectAsync<ErrorFrame>()).Code);
    
            await using var flooder = await TestClient.ConnectAsync(_server, "flooder");
            for (var i = 0; i < 40; i++) await flooder.SendAsync(new RoomListRequest());
            for (var i = 0; i < 40; i++) await flooder.ExpectAsync<RoomListFrame>();
    
            // webby leaves the room first: under the tight limits below, a reader the busy test machine holds back
            // for a moment would be cut off too. The sleeper joins and never reads again; alice talks until the
            // room tells her it left.
            await webby.SendAsync(new LeaveRequest(Room));
            await webby.ExpectAsync<LeftFrame>(l => l.Room == Room);
            using var sleeper = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await sleeper.ConnectAsync(IPAddress.Loopback, _server.TcpEndpoint.Port);
            await sleeper.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"hello\",\"name\":\"sleeper\"}}\n{{\"type\":\"join\",\"room\":\"{Room}\"}}\n"));
            await alice.ExpectAsync<PresenceFrame>(p => p.User == "sleeper" && p.Event == PresenceFrame.Join);
            var text = new string('m', 3000);
            var sleeperLeft = false;
            while (!sleeperLeft && Firehose < 500)
            {
                await alice.SendAsync(new SayRequest(Room, text));
                Firehose++;
                // Up to alice's own copy of it; on the way, the room may say the sleeper left.
                for (var frame = await NextFrameAsync(alice); frame is not MessageFrame { Sender: "alice" }; frame = await NextFrameAsync(alice))
                    sleeperLeft |= frame is PresenceFrame { User: "sleeper", Event: PresenceFrame.Leave };
            }
            Assert.True(sleeperLeft, $"the sleeper was still in the room after {Firehose} messages");

            // Read while everyone but the sleeper is still connected; the listener stops with it, so both agree.
            using var http = new HttpClient { BaseAddress = _server.WebUri() };
            var response = await http.GetAsync("/metrics");
            Meter.Dispose();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Scrape = new PrometheusScrape(await response.Content.ReadAsStringAsync());
        }

        private static async Task<ServerFrame> NextFrameAsync(TestClient client)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var frame = await client.Connection.ReceiveAsync(timeout.Token);
            Assert.True(frame is not null, $"the server closed {client.Name}'s connection");
            return frame;
        }

        public async Task DisposeAsync()
        {
            await _server.DisposeAsync();
            File.Delete(_config);
        }
    }
}
