using ActorChat.Tests.Support;

namespace ActorChat.Tests.Hosting;

/// <summary>
/// How often Akka's scheduler wakes (hocon/actorchat.conf, docs/benchmarks.md, "An idle server's CPU"): every 50 ms
/// rather than Akka's 10 ms, since it wakes a thread each tick whether a timer is due or not, and at 10 ms that was
/// most of what an idle server spent. Timers still fire, up to two ticks late.
/// </summary>
public sealed class SchedulerSettingsSpec
{
    private const string Setting = "akka.scheduler.tick-duration";

    [Fact]
    public async Task The_scheduler_ticks_every_50_ms_and_its_timers_still_fire()
    {
        await using var server = await TestServer.StartAsync();

        Assert.Equal(TimeSpan.FromMilliseconds(50), server.System.Settings.Config.GetTimeSpan(Setting));
        var fired = new TaskCompletionSource();
        server.System.Scheduler.Advanced.ScheduleOnce(TimeSpan.FromMilliseconds(1), () => fired.TrySetResult());
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_config_file_may_set_another_tick()
    {
        await using var server = await TestServer.StartWithConfigAsync($"{Setting} = 20ms");

        Assert.Equal(TimeSpan.FromMilliseconds(20), server.System.Settings.Config.GetTimeSpan(Setting));
    }
}
