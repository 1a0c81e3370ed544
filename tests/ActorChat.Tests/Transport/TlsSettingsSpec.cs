using System.Collections;
using ActorChat.Server.Configuration;

namespace ActorChat.Tests.Transport;

/// <summary>The TLS flags, their environment variables and defaults, and how plain TCP is turned off.</summary>
public sealed class TlsSettingsSpec
{
    private static ServerSettings Load(string[] args, Hashtable? environment = null)
    {
        var load = SettingsLoader.Load(args, environment ?? new Hashtable());
        Assert.True(load.Error is null, load.Error);
        return load.Settings!;
    }

    [Fact]
    public void By_default_tls_listens_on_12346_https_on_8443_with_a_generated_certificate_and_a_10_s_handshake()
    {
        var settings = Load([]);
        Assert.Equal(12346, settings.Tls.Port);
        Assert.Equal(8443, settings.Web.TlsPort);
        Assert.False(settings.Web.TlsOnly);
        Assert.Null(settings.Tls.CertificateFile);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Tls.HandshakeTimeout);
        Assert.True(settings.NeedsCertificate);
    }

    [Fact]
    public void Port_0_turns_tls_and_https_off_and_auto_lets_the_os_pick()
    {
        var off = Load(["--tls-port", "0", "--web-tls-port", "0"]);
        Assert.False(off.Tls.Enabled);
        Assert.False(off.Web.TlsEnabled);
        Assert.False(off.NeedsCertificate);
        var auto = Load(["--tls-port", "auto", "--web-tls-port", "auto"]);
        Assert.Equal(TlsSettings.AutoPort, auto.Tls.Port);
        Assert.Equal(WebTransportSettings.AutoPort, auto.Web.TlsPort);
    }

    [Fact]
    public void The_environment_sets_the_tls_port_certificate_password_and_tls_only_and_flags_win()
    {
        var environment = new Hashtable
        {
            ["ACTORCHAT_TLS_PORT"] = "2000",
            ["ACTORCHAT_TLS_CERT"] = "/etc/chat.pem",
            ["ACTORCHAT_TLS_CERT_PASSWORD"] = "s3cret",
            ["ACTORCHAT_WEB_TLS_PORT"] = "2001",
            ["ACTORCHAT_WEB_TLS_ONLY"] = "1",
        };
        var fromEnvironment = Load([], environment);
        Assert.Equal(2000, fromEnvironment.Tls.Port);
        Assert.Equal("/etc/chat.pem", fromEnvironment.Tls.CertificateFile);
        Assert.Equal("s3cret", fromEnvironment.Tls.CertificatePassword);
        Assert.Equal(2001, fromEnvironment.Web.TlsPort);
        Assert.True(fromEnvironment.Web.TlsOnly);

        Assert.Equal(3000, Load(["--tls-port", "3000"], environment).Tls.Port);
    }

    [Fact]
    public void Web_tls_only_without_an_https_port_is_refused()
    {
        var error = SettingsLoader.Load(["--web-tls-only", "--web-tls-port", "0"], new Hashtable()).Error;
        Assert.Contains("--web-tls-port", error);
    }

    [Theory]
    [InlineData("--tls-port", "65536")]
    [InlineData("--tls-port", "secure")]
    [InlineData("--web-tls-port", "-1")]
    [InlineData("--port", "none")]
    public void A_bad_port_is_refused(string flag, string value) =>
        Assert.NotNull(SettingsLoader.Load([flag, value], new Hashtable()).Error);

    [Fact]
    public void Port_auto_picks_a_free_port_and_port_0_or_off_turns_plain_tcp_off()
    {
        Assert.True(Load(["--port", "auto"]).Tcp.Enabled);
        Assert.Equal(TcpTransportSettings.AutoPort, Load(["--port", "auto"]).Tcp.Port);
        Assert.False(Load(["--port", "0"]).Tcp.Enabled);
        Assert.False(Load(["--port", "off"]).Tcp.Enabled);
        Assert.False(Load([], new Hashtable { ["ACTORCHAT_PORT"] = "off" }).Tcp.Enabled);
    }
}
