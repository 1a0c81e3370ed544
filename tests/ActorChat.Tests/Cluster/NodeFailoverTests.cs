using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Cluster;

/// <summary>
/// A node is killed (SIGKILL) in the middle of a burst, in a three-node cluster of the test's own so that the
/// shared one stays whole: its clients reconnect to a survivor and go on, and its rooms come back on a survivor
/// with their history.
/// </summary>
[Collection("Cluster")]
public sealed class NodeFailoverTests
{
    private const int Rooms = 6, PerWriter = 24, KillAfter = 8;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 110_000)]
    public async Task After_a_node_is_killed_during_a_burst_its_rooms_continue_on_a_survivor_with_nothing_acknowledged_lost_or_duplicated()
    {
        // The survivors down the killed node 3 s after it stops answering rather than 10 s, to keep the test short.
        var cluster = new ThreeNodeCluster("actorchat.cluster.down-unreachable-after = 3s");
        try
        {
            await cluster.InitializeAsync();
            var doomed = cluster.Nodes[2];
            var writers = new List<Writer>();
            for (var r = 0; r < Rooms; r++) writers.Add(await Writer.StartAsync($"burst-{r}", $"writer{r}", doomed.Port));

            // Sharding gives new shards to the node with fewest, so some of the six rooms run on the node killed.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Nodes[0].WebPort}/") };
            var doomedAddress = $"akka.tcp://actorchat@127.0.0.1:{cluster.ClusterPorts[2]}";
            var before = await ClusterStatusTests.NodesAsync(http);
            Assert.True(before.Single(n => n.Address == doomedAddress).Rooms > 0, "no room ran on the node to be killed");

            var survivorPort = cluster.Nodes[0].Port;
            var bursts = writers.Select(w => w.BurstAsync(survivorPort)).ToArray();
            await Task.WhenAll(writers.Select(w => w.HalfwayAsync));
            doomed.Kill();
            await Task.WhenAll(bursts);

            await using var reader = await TestClient.ConnectAsync(cluster.Nodes[1].Port, "reader");
            foreach (var writer in writers)
            {
                Assert.True(writer.Reconnected, $"{writer.Name} lost its connection with the node killed");
                // Every line but the one in flight when the node died (not said again: it may have been stored).
                Assert.InRange(writer.Acknowledged.Count, PerWriter - 1, PerWriter);
                Assert.True(writer.Acknowledged.Select(a => a.Seq).SequenceEqual(writer.Acknowledged.Select(a => a.Seq).Order().Distinct()),
                    $"{writer.Room}: seq goes on rising across the failover");

                await reader.JoinAsync(writer.Room);
                await reader.SendAsync(new HistoryRequest(writer.Room, Limit: Protocol.MaxHistoryPage));
                var history = await reader.ExpectAsync<HistoryFrame>(h => h.Room == writer.Room, Patience);
                var texts = history.Messages.Select(m => m.Text).ToList();
                Assert.Equal(texts.Count, texts.Distinct().Count()); // nothing stored twice
                Assert.True(history.Messages.Select(m => m.Seq).SequenceEqual(history.Messages.Select(m => m.Seq).Order().Distinct()));
                foreach (var (seq, text) in writer.Acknowledged)
                    Assert.Contains(history.Messages, m => m.Seq == seq && m.Text == text);
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>One client on the node to be killed, saying numbered lines in its room and awaiting each one's own copy.</summary>
    private sealed class Writer
    {
        private readonly TaskCompletionSource _halfway = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ChatConnection _connection;

        private Writer(string room, string name, ChatConnection connection) => (Room, Name, _connection) = (room, name, connection);

        public string Room { get; }

        public string Name { get; }

        public List<(long Seq, string Text)> Acknowledged { get; } = [];

        public bool Reconnected { get; private set; }

        public Task HalfwayAsync => _halfway.Task;

        public static async Task<Writer> StartAsync(string room, string name, int port)
        {
            var connection = await ConnectAsync(port, name);
            await JoinAsync(connection, room);
            return new Writer(room, name, connection);
        }

        public async Task BurstAsync(int survivorPort)
        {
            for (var i = 0; i < PerWriter; i++)
            {
                if (i == KillAfter) _halfway.TrySetResult();
                if (i >= KillAfter && !Reconnected) await Task.Delay(100); // still saying when the node dies
                var text = $"{Name} line {i}";
                for (var attempt = 0; ; attempt++) // bounded: a few seconds of refusals while the room moves
                {
                    Assert.True(attempt < 100, $"{Name}: '{text}' never acknowledged");
                    var answer = await SayAsync(text, $"s{i}-{attempt}");
                    if (answer is MessageFrame own) { Acknowledged.Add((own.Seq, own.Text)); break; }
                    if (answer is ErrorFrame { Code: ErrorCodes.Unavailable or ErrorCodes.NotInRoom } error)
                    {
                        await Task.Delay(200);
                        if (error.Code == ErrorCodes.NotInRoom) await JoinAsync(_connection, Room);
                        continue;
                    }
                    if (answer is ErrorFrame other) Assert.Fail($"{Name}: '{text}' got {other}");
                    // The connection died with its node: as a client would, reconnect to a survivor and join again.
                    // What was said but not acknowledged is not said again (it may have been stored).
                    await _connection.DisposeAsync();
                    _connection = await ConnectAsync(survivorPort, Name);
                    await JoinAsync(_connection, Room);
                    Reconnected = true;
                    break;
                }
            }
            _halfway.TrySetResult();
            await _connection.DisposeAsync();
        }

        /// <summary>The say's own copy or its error; null when the connection closed.</summary>
        private async Task<ServerFrame?> SayAsync(string text, string reference)
        {
            using var cts = new CancellationTokenSource(Patience);
            try
            {
                await _connection.SendAsync(new SayRequest(Room, text) { Ref = reference });
                while (await _connection.ReceiveAsync(cts.Token) is { } frame)
                    if (frame.Ref == reference) return frame;
                return null;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                return null;
            }
        }

        /// <summary>Connects and says hello, again while the name is still held by the connection on the dead node.</summary>
        private static async Task<ChatConnection> ConnectAsync(int port, string name)
        {
            for (var attempt = 0; ; attempt++) // bounded: the name is released once the dead node is downed
            {
                Assert.True(attempt < 100, $"{name} could not sign in again");
                var connection = await ChatConnection.ConnectAsync("127.0.0.1", port);
                using var cts = new CancellationTokenSource(Patience);
                await connection.SendAsync(new HelloRequest(name));
                var answer = await connection.ReceiveAsync(cts.Token);
                if (answer is WelcomeFrame) return connection;
                await connection.DisposeAsync();
                Assert.True(answer is ErrorFrame { Code: ErrorCodes.NameTaken }, $"{name}: hello got {answer}");
                await Task.Delay(300);
            }
        }

        private static async Task JoinAsync(ChatConnection connection, string room)
        {
            for (var attempt = 0; ; attempt++) // bounded: the room may be moving
            {
                Assert.True(attempt < 100, $"could not join {room}");
                using var cts = new CancellationTokenSource(Patience);
                await connection.SendAsync(new JoinRequest(room) { Ref = $"j{attempt}" });
                ServerFrame? answer;
                do answer = await connection.ReceiveAsync(cts.Token);
                while (answer is not null && answer.Ref != $"j{attempt}");
                if (answer is JoinedFrame) return;
                Assert.True(answer is ErrorFrame { Code: ErrorCodes.Unavailable }, $"join {room} got {answer}");
                await Task.Delay(200);
            }
        }
    }
}
