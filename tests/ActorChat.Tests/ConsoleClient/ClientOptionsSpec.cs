using ActorChat.Client.Cli;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

public sealed class ClientOptionsSpec
{
    [Fact]
    public void Without_host_or_port_the_client_discovers_and_joins_general()
    {
        var (options, error, _) = ClientOptions.Parse([]);
        Assert.Null(error);
        Assert.False(options!.ConnectsDirectly);
        Assert.Null(options.Room); // the server's default room, named in its welcome
        Assert.Equal(12345, options.DiscoveryPort);
    }

    [Fact]
    public void Host_and_port_connect_directly()
    {
        var (options, _, _) = ClientOptions.Parse(["--host", "chat.local", "--port=4000", "--name", "alice", "--room", "dev"]);
        Assert.True(options!.ConnectsDirectly);
        Assert.Equal(("chat.local", 4000, "alice", "dev"), (options.EffectiveHost, options.EffectivePort, options.Name, options.Room));
    }

    [Theory]
    [InlineData("--port", "x")]
    [InlineData("--port", "70000")]
    [InlineData("--name", "not a name")]
    [InlineData("--discovery-port", "0")]
    [InlineData("--discovery-target", "::1")]
    [InlineData("--bogus", "1")]
    public void A_bad_option_is_an_error(string flag, string value) =>
        Assert.NotNull(ClientOptions.Parse([flag, value]).Error);

    [Fact]
    public void A_taken_name_gets_a_suffix_that_keeps_it_valid()
    {
        Assert.Equal("alice_2", ChatClient.WithSuffix("alice", 2));
        var longName = new string('a', 32);
        Assert.Equal(32, ChatClient.WithSuffix(longName, 12).Length);
    }

    [Fact]
    public void Tls_connects_to_the_default_TLS_port_and_tls_port_implies_tls()
    {
        var (tls, _, _) = ClientOptions.Parse(["--host", "chat.local", "--tls"]);
        Assert.Equal((true, 12346), (tls!.Tls, tls.EffectiveTlsPort));
        var (port, _, _) = ClientOptions.Parse(["--tls-port", "4443"]);
        Assert.Equal((true, 4443, true), (port!.Tls, port.EffectiveTlsPort, port.ConnectsDirectly));
        var (neither, _, _) = ClientOptions.Parse([]);
        Assert.Null(neither!.Tls); // TLS when discovery offers it
    }

    [Fact]
    public void Tls_and_no_tls_together_are_an_error()
    {
        var (options, error, _) = ClientOptions.Parse(["--tls", "--no-tls"]);
        Assert.Null(options);
        Assert.Equal("--tls and --no-tls: choose one.", error);
    }

    [Fact]
    public void Password_accept_new_fingerprint_and_config_dir_are_read()
    {
        var (options, _, _) = ClientOptions.Parse(["--password", "pw words", "--accept-new-fingerprint", "--config-dir", "/tmp/x"]);
        Assert.Equal(("pw words", true, "/tmp/x"), (options!.Password, options.AcceptNewFingerprint, options.ConfigDir));
    }
}
