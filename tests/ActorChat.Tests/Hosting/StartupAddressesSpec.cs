using System.Net;
using ActorChat.Server.Hosting;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace ActorChat.Tests.Hosting;

/// <summary>What the start-up log tells a person to open, and which log lines are the server's own.</summary>
public sealed class StartupAddressesSpec
{
    private static readonly IPAddress[] Lan = [IPAddress.Parse("192.168.1.20"), IPAddress.Parse("10.0.0.7")];

    [Fact]
    public void A_server_on_every_address_is_opened_at_localhost_here_and_at_each_lan_address_from_elsewhere()
    {
        var urls = WebChatAddresses.UrlsToOpen(new IPEndPoint(IPAddress.Any, 8080), Lan);

        Assert.Equal(["http://localhost:8080/", "http://192.168.1.20:8080/", "http://10.0.0.7:8080/"], urls);
    }

    [Fact]
    public void A_server_on_loopback_is_opened_at_localhost_only()
    {
        var urls = WebChatAddresses.UrlsToOpen(new IPEndPoint(IPAddress.Loopback, 8080), Lan);

        Assert.Equal(["http://localhost:8080/"], urls);
    }

    [Fact]
    public void A_server_bound_to_one_address_is_opened_at_that_address()
    {
        var urls = WebChatAddresses.UrlsToOpen(new IPEndPoint(IPAddress.Parse("192.168.1.20"), 8080), Lan);

        Assert.Equal(["http://192.168.1.20:8080/"], urls);
    }

    [Fact]
    public void The_machine_s_lan_addresses_are_ipv4_and_never_loopback()
    {
        Assert.All(WebChatAddresses.LanAddresses(), a =>
        {
            Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, a.AddressFamily);
            Assert.False(IPAddress.IsLoopback(a));
        });
    }

    [Fact]
    public void Akka_s_own_info_lines_go_to_debug_while_the_server_s_stay_at_information()
    {
        Assert.Equal(LogLevel.Debug, ActorLogBridge.ToLevel(AkkaLogLevel.InfoLevel, fromActorChat: false));
        Assert.Equal(LogLevel.Information, ActorLogBridge.ToLevel(AkkaLogLevel.InfoLevel, fromActorChat: true));
    }

    [Fact]
    public void Akka_s_warnings_and_errors_keep_their_level()
    {
        Assert.Equal(LogLevel.Warning, ActorLogBridge.ToLevel(AkkaLogLevel.WarningLevel, fromActorChat: false));
        Assert.Equal(LogLevel.Error, ActorLogBridge.ToLevel(AkkaLogLevel.ErrorLevel, fromActorChat: false));
    }
}
