using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Cluster;

/// <summary>
/// Senders on every node say long lines into one room flat out, without waiting for their own copies. The room
/// stores them in large batches, so the batch it sends each other node is large too; such a batch once grew with
/// the number of senders on that node, past Akka.Remote's maximum frame size, and was dropped: the members there
/// missed the messages and the senders there were answered <c>unavailable</c> 30 s later.
/// </summary>
[Collection("Cluster")]
public sealed class ClusterBurstTests(ThreeNodeCluster cluster)
{
    private const int SendersPerNode = 3, SaysEach = 15; // within the default flood burst of 20 frames, 256 KiB
    private const string Room = "flat-out";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 120_000)]
    public async Task A_burst_flat_out_from_three_nodes_reaches_everyone_once_in_seq_order_and_every_sender_is_answered()
    {
        var clients = new List<TestClient>();
        try
        {
            for (var node = 0; node < 3; node++)
                for (var s = 0; s < SendersPerNode; s++)
                {
                    var client = await TestClient.ConnectAsync(cluster.Nodes[node].Port, $"burst{node}x{s}");
                    clients.Add(client);
                    await client.SendAsync(new JoinRequest(Room) { Ref = "j" });
                    await client.ExpectAsync<JoinedFrame>(j => j.Ref == "j", Patience);
                }
            // Everyone has joined once the last joiner's presence reached every member; then only messages follow.
            var last = clients[^1].Name!;
            foreach (var client in clients.SkipLast(1))
                await client.ExpectAsync<PresenceFrame>(p => p.Room == Room && p.User == last && p.Event == PresenceFrame.Join, Patience);

            var expected = clients.Count * SaysEach;
            var readers = clients.Select(ReadAsync).ToArray(); // reading from the start, so no socket fills up
            await Task.WhenAll(clients.Select(async client =>
            {
                for (var i = 0; i < SaysEach; i++)
                    await client.SendAsync(new SayRequest(Room, Text(client.Name!, i)) { Ref = $"{client.Name}-{i}" });
            }));
            var seen = await Task.WhenAll(readers);

            for (var c = 0; c < clients.Count; c++)
            {
                var (messages, errors) = seen[c];
                Assert.True(errors.Count == 0, $"{clients[c].Name} got {string.Join(", ", errors)}");
                Assert.True(messages.Count == expected, $"{clients[c].Name} got {messages.Count} of {expected} messages within {Patience.TotalSeconds} s");
                Assert.Equal(expected, messages.Select(m => m.Text).Distinct().Count());
                Assert.Equal(messages.Select(m => m.Seq).Order(), messages.Select(m => m.Seq));
                Assert.Equal(seen[0].Messages.Select(m => m.Seq), messages.Select(m => m.Seq));
                // Its own copies answer its says, by their refs, in the order said.
                var own = messages.Where(m => m.Sender == clients[c].Name).ToList();
                Assert.Equal(Enumerable.Range(0, SaysEach).Select(i => $"{clients[c].Name}-{i}"), own.Select(m => m.Ref));
            }
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }

        async Task<(List<MessageFrame> Messages, List<ErrorFrame> Errors)> ReadAsync(TestClient client)
        {
            var messages = new List<MessageFrame>();
            var errors = new List<ErrorFrame>();
            using var cts = new CancellationTokenSource(Patience);
            try
            {
                while (messages.Count < clients.Count * SaysEach) // bounded: the messages said, or the patience
                {
                    switch (await client.Connection.ReceiveAsync(cts.Token))
                    {
                        case null: return (messages, errors);
                        case MessageFrame { Room: Room } message: messages.Add(message); break;
                        case ErrorFrame error: errors.Add(error); break;
                    }
                }
            }
            catch (OperationCanceledException) { }
            return (messages, errors);
        }
    }

    /// <summary>A line of about 3,900 characters that says whose it is.</summary>
    private static string Text(string name, int i) => $"{name} {i} ".PadRight(3_900, 'x');
}
