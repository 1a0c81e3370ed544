using ActorChat.Messages;
using ActorChat.Server.Transport;

namespace ActorChat.Tests.Transport;

public class FloodGateTests
{
    private static readonly long Second = TimeSpan.TicksPerSecond;
    private static readonly ClientFrame Say = new SayRequest("general", "hi");

    [Fact]
    public void A_burst_passes_and_the_frame_after_it_waits_for_the_rate()
    {
        var gate = new FloodGate(new FloodSettings(10, 20, 1 << 20, 1 << 20), nowTicks: 0);
        for (var i = 0; i < 20; i++) Assert.True(gate.TryAdmit(Say, 40, 0, out _));
        Assert.False(gate.TryAdmit(Say, 40, 0, out var wait));
        Assert.Equal(TimeSpan.FromMilliseconds(100), wait);
        Assert.True(gate.TryAdmit(Say, 40, Second / 10, out _));
        Assert.False(gate.TryAdmit(Say, 40, Second / 10, out _));
    }

    [Fact]
    public void The_sustained_rate_is_the_configured_one()
    {
        var gate = new FloodGate(new FloodSettings(10, 20, 1 << 20, 1 << 20), nowTicks: 0);
        var admitted = 0;
        for (long t = 0; t < 10 * Second; t += Second / 100)
        {
            while (gate.TryAdmit(Say, 10, t, out _)) admitted++;
        }
        Assert.InRange(admitted, 20 + 99, 20 + 100); // the burst, then 10 per second for 10 s
    }

    [Fact]
    public void Bytes_are_budgeted_too_so_few_large_frames_are_paced()
    {
        var gate = new FloodGate(new FloodSettings(1000, 1000, 64 * 1024, 256 * 1024), nowTicks: 0);
        for (var i = 0; i < 4; i++) Assert.True(gate.TryAdmit(Say, 64 * 1024, 0, out _));
        Assert.False(gate.TryAdmit(Say, 64 * 1024, 0, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(1), wait);
    }

    [Fact]
    public void Pings_pongs_and_quit_cost_no_frame_only_their_bytes()
    {
        var gate = new FloodGate(new FloodSettings(1, 1, 1 << 20, 1 << 20), nowTicks: 0);
        Assert.True(gate.TryAdmit(Say, 10, 0, out _));
        Assert.False(gate.TryAdmit(Say, 10, 0, out _));
        foreach (var frame in new ClientFrame[] { PingRequest.Instance, PongRequest.Instance, QuitRequest.Instance })
            Assert.True(gate.TryAdmit(frame, 16, 0, out _));
    }

    [Fact]
    public void An_undecodable_line_costs_a_frame_like_any_other_work()
    {
        var gate = new FloodGate(new FloodSettings(1, 1, 1 << 20, 1 << 20), nowTicks: 0);
        Assert.True(gate.TryAdmit(null, 5, 0, out _));
        Assert.False(gate.TryAdmit(null, 5, 0, out _));
    }

    [Fact]
    public void A_rate_of_zero_turns_flood_control_off()
    {
        var gate = new FloodGate(FloodSettings.Off, nowTicks: 0);
        for (var i = 0; i < 100_000; i++) Assert.True(gate.TryAdmit(Say, 4000, 0, out _));
    }
}
