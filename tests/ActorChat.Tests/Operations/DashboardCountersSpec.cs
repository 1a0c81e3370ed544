using System.Diagnostics;
using ActorChat.Server.Operations;

namespace ActorChat.Tests.Operations;

/// <summary>The dashboard's running totals follow the server's meter: what was counted shows at the next read.</summary>
public sealed class DashboardCountersSpec
{
    [Fact]
    public void Messages_stored_deliveries_connections_and_fan_out_times_show_in_the_totals()
    {
        using var metrics = new ChatMetrics($"ActorChat.Test.{Guid.NewGuid():N}");
        using var dashboard = new DashboardCounters(metrics);
        var before = Stopwatch.GetTimestamp();

        metrics.ConnectionOpened(ChatMetrics.Tcp);
        metrics.ConnectionOpened(ChatMetrics.WebSocket);
        for (var i = 0; i < 3; i++) metrics.MessageStored(before);
        for (var i = 0; i < 5; i++) metrics.Delivered();
        metrics.FannedOutTo(before);
        metrics.FannedOutTo(before);

        var totals = dashboard.Read();
        Assert.Equal(3, totals.MessagesStored);
        Assert.Equal(5, totals.Deliveries);
        Assert.Equal(new TransportCounts(1, 0, 1), totals.Connections);
        Assert.Equal(2, totals.FanOutCount);
        Assert.True(totals.FanOutSeconds > 0);
    }
}
