using System.Collections;
using ActorChat.Server.Configuration;

namespace ActorChat.Tests.Transport;

public sealed class ConnectionLimitSettingsSpec
{
    private static ServerSettings Load(string[] args, Hashtable? environment = null)
    {
        var load = SettingsLoader.Load(args, environment ?? new Hashtable());
        Assert.Null(load.Error);
        return load.Settings!;
    }

    [Fact]
    public void By_default_an_address_may_hold_32_connections_and_open_20_a_second_and_loopback_is_exempt()
    {
        var limits = Load([]).Limits;
        Assert.Equal(32, limits.MaxConnectionsPerAddress);
        Assert.Equal(20, limits.ConnectionsPerSecondPerAddress);
        Assert.Equal(["127.0.0.0/8", "::1"], limits.ExemptAddresses);
    }

    [Fact]
    public void Flags_set_the_limits_and_an_empty_exemption_list_exempts_none()
    {
        var limits = Load(["--max-connections-per-address", "3", "--connections-per-second-per-address", "5", "--exempt-addresses", ""]).Limits;
        Assert.Equal((3, 5.0), (limits.MaxConnectionsPerAddress, limits.ConnectionsPerSecondPerAddress));
        Assert.Empty(limits.ExemptAddresses);
    }

    [Fact]
    public void Exemptions_are_comma_separated_and_the_environment_may_empty_them()
    {
        Assert.Equal(["10.0.0.0/8", "fd00::/8"], Load(["--exempt-addresses", "10.0.0.0/8, fd00::/8"]).Limits.ExemptAddresses);
        Assert.Empty(Load([], new Hashtable { ["ACTORCHAT_EXEMPT_ADDRESSES"] = "" }).Limits.ExemptAddresses);
        Assert.Equal(7, Load([], new Hashtable { ["ACTORCHAT_MAX_CONNECTIONS_PER_ADDRESS"] = "7" }).Limits.MaxConnectionsPerAddress);
    }

    [Theory]
    [InlineData("--exempt-addresses", "localhost")]
    [InlineData("--exempt-addresses", "10.0.0.1/8")]
    [InlineData("--max-connections-per-address", "-1")]
    [InlineData("--web-allowed-origins", "chat.example.org")]
    public void A_bad_limit_or_origin_is_a_start_up_error(string flag, string value) =>
        Assert.NotNull(SettingsLoader.Load([flag, value], new Hashtable()).Error);

    [Fact]
    public void Allowed_origins_are_comma_separated()
    {
        Assert.Equal(["https://a.example", "http://b.example:8080"],
            Load(["--web-allowed-origins", "https://a.example,http://b.example:8080"]).Web.AllowedOrigins);
        Assert.Empty(Load([]).Web.AllowedOrigins);
    }
}
