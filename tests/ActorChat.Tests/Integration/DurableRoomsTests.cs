using ActorChat.Client;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Integration;

/// <summary>
/// The server as a process on a real store, stopped with Ctrl+C and killed with SIGKILL between bursts of messages
/// from several clients: whatever any client received is in the history afterwards, in order, with the same id and
/// seq, and nothing twice. The same suite runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class DurableRoomsTests
{
    private const int Clients = 3;
    private const int MessagesPerClientPerBurst = 150;

    /// <summary>The flags that put the server on the store under test.</summary>
    protected abstract string[] StoreArgs { get; }

    private sealed record Received(string Id, long Seq, string Sender, string Text);

    [Fact]
    public async Task Every_message_a_client_saw_is_in_the_history_after_a_ctrl_c_and_after_a_kill()
    {
        var room = $"durable-{Guid.NewGuid():N}"[..20];
        var seen = new List<Received>();
        var stops = new[] { StopKind.Interrupt, StopKind.Kill, StopKind.Kill };
        var server = await ServerProcess.StartReadyAsync(StoreArgs);
        try
        {
            for (var round = 0; round < stops.Length; round++)
            {
                seen.AddRange(await BurstThenStopAsync(server, room, round, stops[round]));
                await server.DisposeAsync();
                server = await ServerProcess.StartReadyAsync(StoreArgs);

                var history = await ReadWholeHistoryAsync(server.Port, room);
                Assert.Equal(history.Count, history.Select(m => m.Id).Distinct().Count());
                Assert.True(history.Zip(history.Skip(1)).All(pair => pair.Item1.Seq < pair.Item2.Seq), "history is not in seq order");
                var byId = history.ToDictionary(m => m.Id);
                foreach (var message in seen)
                {
                    Assert.True(byId.TryGetValue(message.Id, out var stored), $"message {message.Seq} '{message.Text}' was seen but is not in the history after round {round}");
                    Assert.Equal(message, stored);
                }
            }
            Assert.True(seen.Count > 0, "no client saw any message");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_rooms_list_and_the_message_counts_survive_a_restart()
    {
        var room = $"counted-{Guid.NewGuid():N}"[..20];
        var before = "";
        await using (var server = await ServerProcess.StartReadyAsync(StoreArgs))
        {
            await using var alice = await ConnectAsync(server.Port, "alice");
            await alice.SendAsync(new JoinRequest(room));
            await ExpectAsync<JoinedFrame>(alice);
            for (var i = 0; i < 3; i++) await alice.SendAsync(new SayRequest(room, $"hi {i}"));
            for (var i = 0; i < 3; i++) await ExpectAsync<MessageFrame>(alice);
            server.Interrupt();
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            before = server.StandardOutput;
        }
        await using (var server = await ServerProcess.StartReadyAsync(StoreArgs))
        {
            await using var bob = await ConnectAsync(server.Port, "bob");
            await bob.SendAsync(RoomListRequest.Instance);
            var rooms = await ExpectAsync<RoomListFrame>(bob);
            Assert.True(rooms.Rooms.Any(r => r.Name == room), $"{room} is not listed after the restart; server said before:\n{before}\nand after:\n{server.StandardOutput}");
            await bob.SendAsync(new JoinRequest(room)); // stats are for members
            await ExpectAsync<JoinedFrame>(bob);
            await bob.SendAsync(new StatsRequest(room));
            Assert.Equal(3, (await ExpectAsync<StatsFrame>(bob)).MessagesPerUser["alice"]);
        }
    }

    private enum StopKind { Interrupt, Kill }

    /// <summary>Clients talk at once; the server is stopped while messages are still coming in.</summary>
    private static async Task<List<Received>> BurstThenStopAsync(ServerProcess server, string room, int round, StopKind stop)
    {
        var clients = new List<ChatConnection>();
        for (var c = 0; c < Clients; c++)
        {
            var client = await ConnectAsync(server.Port, $"user{c}r{round}");
            await client.SendAsync(new JoinRequest(room));
            await ExpectAsync<JoinedFrame>(client);
            clients.Add(client);
        }
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readers = clients.Select(client => Task.Run(async () =>
        {
            var received = new List<Received>();
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await foreach (var frame in client.Frames.ReadAllAsync(cts.Token))
                {
                    if (frame is not MessageFrame m) continue;
                    received.Add(new Received(m.Id, m.Seq, m.Sender, m.Text));
                    if (received.Count >= MessagesPerClientPerBurst / 2) firstArrived.TrySetResult();
                }
            }
            catch (OperationCanceledException) { }
            return received;
        })).ToArray();
        var writers = clients.Select((client, c) => Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < MessagesPerClientPerBurst; i++) await client.SendAsync(new SayRequest(room, $"r{round} c{c} m{i}"));
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { }
        })).ToArray();

        await firstArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        if (stop == StopKind.Kill) server.Kill(); else server.Interrupt();
        await Task.WhenAll(writers);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var all = (await Task.WhenAll(readers)).SelectMany(r => r).ToList();
        foreach (var client in clients) await client.DisposeAsync();

        // Every client saw the room's messages in one order: the seqs each saw only go up.
        foreach (var reader in readers)
        {
            var seqs = reader.Result.Select(m => m.Seq).ToList();
            Assert.Equal(seqs.Order(), seqs);
        }
        return all.DistinctBy(m => m.Id).ToList();
    }

    /// <summary>Pages back from the latest message to the first with history frames.</summary>
    private static async Task<List<Received>> ReadWholeHistoryAsync(int port, string room)
    {
        await using var reader = await ConnectAsync(port, $"reader{Guid.NewGuid():N}"[..12]);
        await reader.SendAsync(new JoinRequest(room));
        await ExpectAsync<JoinedFrame>(reader);
        var pages = new List<IReadOnlyList<MessageFrame>>();
        long? before = null;
        while (true)
        {
            await reader.SendAsync(new HistoryRequest(room, before, Protocol.MaxHistoryPage));
            var page = (await ExpectAsync<HistoryFrame>(reader)).Messages;
            if (page.Count == 0) break;
            pages.Insert(0, page);
            before = page[0].Seq;
        }
        return pages.SelectMany(p => p).Select(m => new Received(m.Id, m.Seq, m.Sender, m.Text)).ToList();
    }

    private static async Task<ChatConnection> ConnectAsync(int port, string name)
    {
        var connection = await ChatConnection.ConnectAsync("127.0.0.1", port);
        await connection.SendAsync(new HelloRequest(name));
        await ExpectAsync<WelcomeFrame>(connection);
        return connection;
    }

    private static async Task<T> ExpectAsync<T>(ChatConnection connection) where T : ServerFrame
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var frame = await connection.ReceiveAsync(cts.Token) ?? throw new InvalidOperationException($"closed while waiting for {typeof(T).Name}");
            if (frame is T wanted) return wanted;
            if (frame is ErrorFrame error) throw new InvalidOperationException($"error while waiting for {typeof(T).Name}: {error.Code} {error.Message}");
        }
    }
}

public sealed class DurableRoomsOnSqliteTests : DurableRoomsTests, IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-data-{Guid.NewGuid():N}");

    protected override string[] StoreArgs => ["--data-dir", _dataDir];

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

public sealed class DurableRoomsOnPostgresTests(PostgresServer postgres) : DurableRoomsTests, IClassFixture<PostgresServer>
{
    protected override string[] StoreArgs => ["--postgres", postgres.ConnectionString];
}
