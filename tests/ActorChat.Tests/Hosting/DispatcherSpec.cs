using Akka.Actor;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Hosting;

/// <summary>
/// Where the server's actors run (hocon/actorchat.conf, docs/benchmarks.md): on threads of their own, one per core
/// and at least two, for both the default dispatcher (rooms, sessions) and the internal one (Akka.IO's connection
/// actors), not on the .NET thread pool, whose wake-ups and spinning were most of the CPU at light load.
/// </summary>
public sealed class DispatcherSpec
{
    private sealed class WhereAmI : ReceiveActor
    {
        public WhereAmI() => Receive<string>(_ => Sender.Tell(new Where(Thread.CurrentThread.IsThreadPoolThread)));
    }

    private sealed record Where(bool OnThreadPool);

    [Theory]
    [InlineData("akka.actor.default-dispatcher")]
    [InlineData("akka.actor.internal-dispatcher")]
    public async Task Actors_run_on_dedicated_threads_rather_than_the_thread_pool(string dispatcher)
    {
        await using var server = await TestServer.StartAsync();
        var probe = server.System.ActorOf(Props.Create(() => new WhereAmI()).WithDispatcher(dispatcher));

        var where = await probe.Ask<Where>("where", TimeSpan.FromSeconds(10));

        Assert.False(where.OnThreadPool, $"an actor on {dispatcher} ran on a thread-pool thread");
    }

    [Theory]
    [InlineData("akka.actor.default-dispatcher")]
    [InlineData("akka.actor.internal-dispatcher")]
    public async Task Each_dispatcher_has_at_least_two_threads_so_one_busy_actor_does_not_hold_up_the_rest(string dispatcher)
    {
        await using var server = await TestServer.StartAsync();
        var settings = server.System.Settings.Config.GetConfig(dispatcher);

        Assert.Equal("fork-join-executor", settings.GetString("executor"));
        Assert.True(settings.GetInt("fork-join-executor.parallelism-min") >= 2);
        // Two actors, each held busy until both are running: only two threads at once can release them.
        using var bothRunning = new Barrier(2);
        var first = server.System.ActorOf(Props.Create(() => new HoldUntilBoth(bothRunning)).WithDispatcher(dispatcher));
        var second = server.System.ActorOf(Props.Create(() => new HoldUntilBoth(bothRunning)).WithDispatcher(dispatcher));

        var answers = await Task.WhenAll(first.Ask<bool>("go", TimeSpan.FromSeconds(10)), second.Ask<bool>("go", TimeSpan.FromSeconds(10)));

        Assert.All(answers, Assert.True);
    }

    private sealed class HoldUntilBoth : ReceiveActor
    {
        public HoldUntilBoth(Barrier bothRunning) =>
            Receive<string>(_ => Sender.Tell(bothRunning.SignalAndWait(TimeSpan.FromSeconds(5))));
    }
}
