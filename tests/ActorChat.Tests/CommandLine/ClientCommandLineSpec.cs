using ActorChat.Client.Cli;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.CommandLine;

/// <summary>The console client's command line as a user meets it: what each mistake is called, and help and version.</summary>
public sealed class ClientCommandLineSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private static string? ErrorOf(params string[] args) => ClientOptions.Parse(args).Error;

    [Fact]
    public void An_unknown_option_is_named_as_one()
    {
        Assert.Equal("unknown option '--prot'.", ErrorOf("--prot"));
        Assert.Equal("unknown option '--prot'.", ErrorOf("--prot", "12345"));
    }

    [Fact]
    public void A_word_that_is_no_option_is_named_as_an_unexpected_argument() =>
        Assert.Equal("unexpected argument 'alice'.", ErrorOf("--room", "dev", "alice"));

    [Theory]
    [InlineData("--port", "0", "a port number from 1 to 65535")]
    [InlineData("--port", "x", "a port number from 1 to 65535")]
    [InlineData("--name", "not a name", "a name of 1 to 32 letters, digits, '_', '-' or '.'")]
    [InlineData("--room", "#dev", "a room name of 1 to 64 letters, digits, '_', '-' or '.'")]
    [InlineData("--discovery-target", "::1", "an IPv4 address such as 192.168.1.255")]
    [InlineData("--discovery-time", "61", "a number of seconds above 0 and at most 60, such as 1.5")]
    public void A_bad_value_is_named_with_its_flag_and_the_form_the_flag_takes(string flag, string value, string expected) =>
        Assert.Equal($"{flag}: expected {expected}, got '{value}'.", ErrorOf(flag, value));

    [Fact]
    public void A_flag_without_its_value_says_what_it_expected() =>
        Assert.Equal("--host: expected host names or IP addresses, each with an optional :PORT, separated by commas, such as a,b:4000, got nothing.", ErrorOf("--host"));

    [Fact]
    public void Discovery_targets_add_up_in_the_order_given()
    {
        var (options, _, _) = ClientOptions.Parse(["--discovery-target", "192.168.1.255", "--discovery-target=10.0.0.255"]);
        Assert.Equal(["192.168.1.255", "10.0.0.255"], options!.DiscoveryTargets!.Select(a => a.ToString()));
    }

    [Fact]
    public void Help_and_version_are_texts_to_print()
    {
        var (_, _, help) = ClientOptions.Parse(["--help"]);
        Assert.Contains("--discovery-time <SECONDS>", help);
        Assert.Contains("how long to wait for discovery answers (default 1.5)", help);
        var (_, _, version) = ClientOptions.Parse(["--version"]);
        Assert.StartsWith("ActorChat.Client 1.", version);
    }

    [Fact]
    public async Task Help_and_version_print_to_stdout_and_exit_0()
    {
        var help = await FinishedRun.DotnetAsync(BuiltApps.ClientDll, Within, "--help");
        Assert.Equal((0, ""), (help.ExitCode, help.StandardError));
        Assert.Contains("--list-servers", help.StandardOutput);

        var version = await FinishedRun.DotnetAsync(BuiltApps.ClientDll, Within, "--version");
        Assert.Equal((0, ""), (version.ExitCode, version.StandardError));
        Assert.StartsWith("ActorChat.Client 1.", version.StandardOutput);
    }

    [Fact]
    public async Task A_bad_flag_is_one_line_on_stderr_and_exit_code_2()
    {
        var run = await FinishedRun.DotnetAsync(BuiltApps.ClientDll, Within, "--port", "x");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("actorchat-client: --port: expected a port number from 1 to 65535, got 'x'. Run with --help for the options.", Assert.Single(run.ErrorLines));
    }
}
