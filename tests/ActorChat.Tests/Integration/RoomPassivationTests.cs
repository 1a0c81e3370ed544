using ActorChat.Messages;
using ActorChat.Tests.Support;
using Akka.Actor;
using Microsoft.Data.Sqlite;

namespace ActorChat.Tests.Integration;

/// <summary>An idle room on a real server and a real SQLite store is stopped, stays listed, and recovers when asked for.</summary>
public sealed class RoomPassivationTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"actorchat-passivation-{Guid.NewGuid():N}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    [Fact(Timeout = 60_000)]
    public async Task An_idle_room_is_stopped_and_recovers_from_the_database_on_the_next_join()
    {
        var settings = TestServer.Settings("--data-dir", _dataDir);
        settings = settings with { Rooms = settings.Rooms with { PassivateAfter = TimeSpan.FromMilliseconds(300) } };
        await using var server = await TestServer.StartAsync(settings);
        await using var alice = await TestClient.ConnectAsync(server, "alice");
        await alice.JoinAsync("Quiet");
        await alice.SendAsync(new SayRequest("Quiet", "anyone?"));
        await alice.ExpectAsync<MessageFrame>();
        await alice.SendAsync(new LeaveRequest("Quiet"));
        await alice.ExpectAsync<LeftFrame>();

        var room = await server.System.ActorSelection("/user/rooms/quiet").ResolveOne(TimeSpan.FromSeconds(3));
        var stopped = new TaskCompletionSource();
        var watcher = server.System.ActorOf(Props.Create(() => new Watcher(room, stopped)));
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(20));
        server.System.Stop(watcher);

        await alice.SendAsync(RoomListRequest.Instance);
        Assert.Contains(new RoomSummary("Quiet", 0), (await alice.ExpectAsync<RoomListFrame>()).Rooms);
        await using var bob = await TestClient.ConnectAsync(server, "bob");
        await bob.SendAsync(new JoinRequest("quiet"));
        var joined = await bob.ExpectAsync<JoinedFrame>();
        Assert.Equal(["anyone?"], joined.History.Select(m => m.Text));
    }

    /// <summary>Completes the task when the watched actor stops.</summary>
    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef watched, TaskCompletionSource stopped)
        {
            Context.Watch(watched);
            Receive<Terminated>(_ => stopped.TrySetResult());
        }
    }
}
