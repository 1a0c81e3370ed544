using System.Collections;
using ActorChat.Server.Configuration;
using Xunit;

namespace ActorChat.Tests.Discovery;

public sealed class DiscoverySettingsSpec
{
    private static DiscoverySettings Load(string[] args, Hashtable? environment = null)
    {
        var load = SettingsLoader.Load(args, environment ?? new Hashtable());
        Assert.Null(load.Error);
        return load.Settings!.Discovery;
    }

    [Fact]
    public void Discovery_is_on_at_udp_port_12345_with_no_web_port_by_default()
    {
        var discovery = Load([]);
        Assert.True(discovery.Enabled);
        Assert.Equal(12345, discovery.UdpPort);
        Assert.Null(discovery.WebPort);
    }

    [Fact]
    public void Udp_port_0_turns_discovery_off() => Assert.False(Load(["--udp-port", "0"]).Enabled);

    [Fact]
    public void The_environment_sets_the_udp_port_and_the_flag_wins_over_it()
    {
        Assert.Equal(4000, Load([], new Hashtable { ["ACTORCHAT_UDP_PORT"] = "4000" }).UdpPort);
        Assert.Equal(5000, Load(["--udp-port", "5000"], new Hashtable { ["ACTORCHAT_UDP_PORT"] = "4000" }).UdpPort);
    }

    [Fact]
    public void A_udp_port_that_is_not_a_port_is_an_error() =>
        Assert.NotNull(SettingsLoader.Load(["--udp-port", "99999"], new Hashtable()).Error);

    [Fact]
    public void All_addresses_together_get_at_most_50_answers_per_second_by_default()
    {
        var discovery = Load([]);
        Assert.Equal(50, discovery.GlobalRepliesPerSecond);
        Assert.Equal(50, discovery.GlobalRepliesBurst);
    }

    [Fact]
    public void The_discovery_port_is_bound_on_the_tcp_bind_address()
    {
        Assert.Equal("0.0.0.0", Load([]).Bind);
        Assert.Equal("127.0.0.1", Load(["--bind", "127.0.0.1"]).Bind);
    }
}
