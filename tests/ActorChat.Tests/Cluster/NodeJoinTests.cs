using System.Collections.Concurrent;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Cluster;

/// <summary>
/// A fourth node joins the shared cluster while two members chat in eight rooms, takes a share of the rooms (their
/// shards move to it, the rooms with them), and leaves again, the rooms moving back. The members, on nodes that stay,
/// never notice: every say is answered, and both see every message once, in seq order.
/// </summary>
[Collection("Cluster")]
public sealed class NodeJoinTests(ThreeNodeCluster cluster)
{
    private const int Rooms = 8;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 170_000)]
    public async Task A_node_that_joins_later_takes_a_share_of_the_rooms_and_their_members_keep_chatting_while_rooms_move_there_and_back()
    {
        var rooms = Enumerable.Range(0, Rooms).Select(r => $"moving-{r}").ToArray();
        await using var ann = await Chatter.StartAsync(cluster.Nodes[0].Port, "mover-ann", rooms);
        await using var bob = await Chatter.StartAsync(cluster.Nodes[2].Port, "mover-bob", rooms);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Nodes[1].WebPort}/") };

        using var stop = new CancellationTokenSource();
        var chatting = Task.WhenAll(ann.ChatAsync(stop.Token), bob.ChatAsync(stop.Token));
        var (joiner, joinerPort) = await cluster.StartExtraNodeAsync();
        var joinerAddress = $"akka.tcp://actorchat@127.0.0.1:{joinerPort}";
        try
        {
            // Only these rooms are in use, so a room running on the new node is one of them that moved there.
            await AsyncAssert.EventuallyAsync(async () =>
                (await ClusterStatusTests.NodesAsync(http)).SingleOrDefault(n => n.Address == joinerAddress) is { State: "Up", Rooms: > 0 },
                TimeSpan.FromSeconds(60));
            await Task.WhenAll(ann.RoundsAsync(2), bob.RoundsAsync(2)); // a say in every room after the move

            // A node that leaves hands its rooms back the same way.
            joiner.Terminate();
            Assert.Equal(0, await joiner.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            await AsyncAssert.EventuallyAsync(async () =>
                (await ClusterStatusTests.NodesAsync(http)).All(n => n.Address != joinerAddress), TimeSpan.FromSeconds(30));
            await Task.WhenAll(ann.RoundsAsync(2), bob.RoundsAsync(2));
        }
        finally
        {
            await stop.CancelAsync();
            await chatting;
            await joiner.DisposeAsync();
        }

        Assert.True(ann.Errors.IsEmpty && bob.Errors.IsEmpty, $"errors: {string.Join(", ", ann.Errors.Concat(bob.Errors))}");
        foreach (var room in rooms)
        {
            var said = ann.Said(room) + bob.Said(room);
            foreach (var chatter in new[] { ann, bob })
            {
                var seen = chatter.Seen(room);
                Assert.True(seen.Count == said, $"{chatter.Name} saw {seen.Count} of the {said} messages said in {room}");
                Assert.Equal(said, seen.Select(m => m.Text).Distinct().Count());
                Assert.True(seen.Select(m => m.Seq).SequenceEqual(seen.Select(m => m.Seq).Order().Distinct()), $"{room}: seq rises");
            }
            Assert.Equal(ann.Seen(room).Select(m => (m.Seq, m.Text)), bob.Seen(room).Select(m => (m.Seq, m.Text)));
        }
    }

    /// <summary>A member of every room that says one line in each in turn, each awaited (its own copy by its ref), until stopped.</summary>
    private sealed class Chatter : IAsyncDisposable
    {
        private readonly TestClient _client;
        private readonly string[] _rooms;
        private readonly ConcurrentDictionary<string, List<MessageFrame>> _seen = new();
        private readonly ConcurrentDictionary<string, int> _said = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource<ServerFrame>> _pending = new();
        private readonly Task _reading;
        private int _rounds;

        private Chatter(TestClient client, string[] rooms)
        {
            _client = client;
            _rooms = rooms;
            _reading = Task.Run(ReadAsync);
        }

        public string Name => _client.Name!;

        public ConcurrentQueue<string> Errors { get; } = new();

        public int Said(string room) => _said.GetValueOrDefault(room);

        public List<MessageFrame> Seen(string room)
        {
            var seen = _seen.GetOrAdd(room, _ => []);
            lock (seen) return [.. seen];
        }

        public static async Task<Chatter> StartAsync(int port, string name, string[] rooms)
        {
            var client = await TestClient.ConnectAsync(port, name);
            foreach (var room in rooms)
            {
                await client.SendAsync(new JoinRequest(room) { Ref = $"join-{room}" });
                await client.ExpectAsync<JoinedFrame>(j => j.Ref == $"join-{room}", Patience);
            }
            return new Chatter(client, rooms);
        }

        /// <summary>Says in every room in turn until stopped; a say not answered by its own copy in time is an error.</summary>
        public async Task ChatAsync(CancellationToken stop)
        {
            for (var i = 0; !stop.IsCancellationRequested && Errors.IsEmpty; i++) // bounded: by the test's stop
            {
                foreach (var room in _rooms)
                {
                    var reference = $"{Name}-{room}-{i}";
                    var answer = new TaskCompletionSource<ServerFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _pending[reference] = answer;
                    await _client.SendAsync(new SayRequest(room, $"{Name} {i} in {room}") { Ref = reference });
                    _said.AddOrUpdate(room, 1, (_, n) => n + 1);
                    var first = await Task.WhenAny(answer.Task, Task.Delay(Patience));
                    if (first != answer.Task) Errors.Enqueue($"{reference}: no answer within {Patience.TotalSeconds} s");
                    else if (answer.Task.Result is ErrorFrame error) Errors.Enqueue($"{reference}: {error.Code} {error.Message}");
                    if (!Errors.IsEmpty) return;
                }
                Interlocked.Increment(ref _rounds);
                await Task.Delay(50, CancellationToken.None);
            }
        }

        /// <summary>Waits until <paramref name="count"/> more rounds of says are answered (at most 60 s).</summary>
        public async Task RoundsAsync(int count)
        {
            var until = Volatile.Read(ref _rounds) + count;
            await AsyncAssert.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref _rounds) >= until || !Errors.IsEmpty), TimeSpan.FromSeconds(60));
            Assert.True(Errors.IsEmpty, string.Join(", ", Errors));
        }

        private async Task ReadAsync()
        {
            while (await _client.Connection.ReceiveAsync(CancellationToken.None) is { } frame) // bounded: ends when the connection closes
            {
                if (frame is MessageFrame message)
                {
                    var seen = _seen.GetOrAdd(message.Room, _ => []);
                    lock (seen) seen.Add(message);
                }
                else if (frame is ErrorFrame { Ref: null } unasked) Errors.Enqueue($"{Name}: {unasked.Code} {unasked.Message}");
                if (frame.Ref is { } reference && _pending.TryRemove(reference, out var answer)) answer.TrySetResult(frame);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _client.DisposeAsync();
            try { await _reading; }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException) { }
        }
    }
}
