using System.Net.Sockets;
using System.Text;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

public sealed class LoadAndBackpressureTests
{
    [Fact]
    public async Task A_client_that_stops_reading_is_cut_off_while_the_others_keep_receiving()
    {
        // Flood control off: at the default 10 frames a second the 1,000 messages alone would take 100 s.
        await using var server = await TestServer.StartAsync("--outbound-limit", "256KiB", "--flood-rate", "0");
        await using var sender = await TestClient.ConnectAsync(server, "sender");
        await using var reader = await TestClient.ConnectAsync(server, "reader");
        await sender.JoinAsync("firehose");
        await reader.JoinAsync("firehose");

        // The sleeper joins and then never reads; a small receive buffer makes the kernel fill up quickly.
        using var sleeper = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await sleeper.ConnectAsync("127.0.0.1", server.TcpEndpoint.Port);
        await sleeper.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"hello\",\"name\":\"sleeper\"}\n{\"type\":\"join\",\"room\":\"firehose\"}\n"));
        await reader.ExpectAsync<PresenceFrame>(p => p.User == "sleeper");

        const int messages = 1000; // 1000 × ~3 KB ≈ 3 MB: far past 256 KiB plus what the kernel buffers
        var text = new string('m', 3000);
        var sending = Task.Run(async () =>
        {
            // At most 8 messages (~24 KB) unconfirmed, so only a client that really stops reading falls behind.
            var echoed = 0;
            for (var i = 0; i < messages; i++)
            {
                await sender.SendAsync(new SayRequest("firehose", text));
                while (i - echoed >= 8)
                {
                    await sender.ExpectAsync<MessageFrame>(timeout: TimeSpan.FromSeconds(30));
                    echoed++;
                }
            }
        });

        var received = 0;
        var sleeperLeft = false;
        while (received < messages || !sleeperLeft)
        {
            var frame = await reader.Connection.ReceiveAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            Assert.True(frame is not null, $"the reader was disconnected after {received} messages");
            Assert.False(frame is ErrorFrame, $"the reader got {frame}");
            if (frame is MessageFrame) received++;
            if (frame is PresenceFrame { User: "sleeper", Event: "leave" }) sleeperLeft = true;
        }
        await sending;
        Assert.Equal(messages, received);

        // What the sleeper finally reads ends with the slow_consumer notice (best effort) or a reset; never more.
        var tail = await DrainAsync(sleeper);
        Assert.DoesNotContain("\"seq\":" + messages + ",", tail);
    }

    [Fact]
    public async Task A_thousand_concurrent_clients_connect_join_and_chat_without_loss()
    {
        const int clientCount = 1000;
        const int roomCount = 10;
        await using var server = await TestServer.StartAsync();
        var clients = new TestClient[clientCount];
        using var gate = new SemaphoreSlim(100);
        await Task.WhenAll(Enumerable.Range(0, clientCount).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                clients[i] = await TestClient.ConnectAsync(server, $"load{i}");
                await clients[i].JoinAsync($"room{i % roomCount}");
            }
            finally
            {
                gate.Release();
            }
        }));

        // Everyone says one thing; everyone must hear everything said in their room exactly once.
        await Task.WhenAll(clients.Select((c, i) => c.SendAsync(new SayRequest($"room{i % roomCount}", $"hello from {i}"))));
        const int perRoom = clientCount / roomCount;
        await Task.WhenAll(clients.Select(async (client, i) =>
        {
            var seqs = new HashSet<long>();
            while (seqs.Count < perRoom)
            {
                var message = await client.ExpectAsync<MessageFrame>(timeout: TimeSpan.FromSeconds(60));
                Assert.Equal($"room{i % roomCount}", message.Room);
                Assert.True(seqs.Add(message.Seq), $"duplicate seq {message.Seq}");
            }
            Assert.Equal(Enumerable.Range(1, perRoom).Select(s => (long)s), seqs.Order());
        }));

        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
    }

    private static async Task<string> DrainAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0) break;
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
            // An aborted connection ends in a reset.
        }
        return text.ToString();
    }
}
