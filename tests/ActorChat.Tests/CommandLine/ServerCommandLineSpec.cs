using System.Collections;
using ActorChat.Server.Configuration;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.CommandLine;

/// <summary>The server's command line as a user meets it: what each mistake is called, and help and version.</summary>
public sealed class ServerCommandLineSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private static string? ErrorOf(params string[] args) => SettingsLoader.Load(args, new Hashtable()).Error;

    [Theory]
    [InlineData("--prot")]
    [InlineData("--prot", "12345")]
    [InlineData("--prot=12345")]
    public void An_unknown_option_is_named_as_one(params string[] args) =>
        Assert.Equal("unknown option '--prot'.", ErrorOf(args));

    [Fact]
    public void A_word_that_is_no_option_is_named_as_an_unexpected_argument() =>
        Assert.Equal("unexpected argument 'foo'.", ErrorOf("--port", "auto", "foo"));

    [Theory]
    [InlineData("--history", "-5", "a whole number from 0 to 2147483647")]
    [InlineData("--max-rooms", "0", "a whole number from 1 to 2147483647")]
    [InlineData("--max-frame", "12parsecs", "a size in bytes from 256 to 2147483647, such as 65536 or 64KiB")]
    [InlineData("--max-frame", "100", "a size in bytes from 256 to 2147483647, such as 65536 or 64KiB")]
    [InlineData("--outbound-limit", "lots", "a size in bytes of at least 1024, such as 65536, 64KiB or 1MiB")]
    [InlineData("--port", "banana", "a port number from 0 to 65535 (0 or 'off' turns it off) or 'auto'")]
    [InlineData("--web-port", "eighty", "a port number from 0 to 65535 (0 turns the web chat off) or 'auto'")]
    [InlineData("--bind", "localhost", "an IP address such as 0.0.0.0 or 127.0.0.1")]
    [InlineData("--hello-timeout", "soon", "a number of seconds such as 30 or 0.5")]
    [InlineData("--log-level", "loud", "one of Trace, Debug, Information, Warning or Error")]
    public void A_bad_value_is_named_with_its_flag_and_the_form_the_flag_takes(string flag, string value, string expected)
    {
        Assert.Equal($"{flag}: expected {expected}, got '{value}'.", ErrorOf(flag, value));
        Assert.Equal($"{flag}: expected {expected}, got '{value}'.", ErrorOf($"{flag}={value}"));
    }

    [Fact]
    public void A_flag_without_its_value_says_what_it_expected()
    {
        Assert.Equal("--history: expected a whole number from 0 to 2147483647, got nothing.", ErrorOf("--history"));
        Assert.Equal("--port: expected a port number from 0 to 65535 (0 or 'off' turns it off) or 'auto', got nothing.", ErrorOf("--port", "--name", "x"));
    }

    [Fact]
    public void A_bad_environment_value_is_named_with_its_variable()
    {
        var load = SettingsLoader.Load([], new Hashtable { ["ACTORCHAT_HISTORY"] = "-5" });
        Assert.Equal("ACTORCHAT_HISTORY: expected a whole number from 0 to 2147483647, got '-5'.", load.Error);
    }

    [Fact]
    public void A_flag_overrides_a_bad_environment_value()
    {
        var load = SettingsLoader.Load(["--history", "7"], new Hashtable { ["ACTORCHAT_HISTORY"] = "-5" });
        Assert.Null(load.Error);
        Assert.Equal(7, load.Settings!.Rooms.HistorySize);
    }

    [Fact]
    public void A_flag_given_twice_counts_with_its_last_value()
    {
        var load = SettingsLoader.Load(["--flood-rate", "0", "--flood-rate=10", "--max-frame", "1KiB", "--max-frame", "128KiB"], new Hashtable());
        Assert.Null(load.Error);
        Assert.Equal((10.0, 128 * 1024), (load.Settings!.Sessions.Flood.FramesPerSecond, load.Settings.Sessions.MaxFrameBytes));
    }

    [Fact]
    public void Help_describes_every_flag_with_its_environment_variable()
    {
        var help = SettingsLoader.Load(["--help"], new Hashtable()).Output;
        Assert.NotNull(help);
        Assert.Contains("--history <N>", help);
        Assert.Contains("messages a room keeps for newcomers (default 100) [ACTORCHAT_HISTORY]", help);
        Assert.Contains("--in-memory", help);
        Assert.Contains("--version", help);
    }

    [Fact]
    public void Version_names_the_server_and_its_version() =>
        Assert.StartsWith("ActorChat.Server 1.", SettingsLoader.Load(["--version"], new Hashtable()).Output);

    [Fact]
    public async Task Help_and_version_print_to_stdout_and_exit_0()
    {
        var help = await FinishedRun.DotnetAsync(BuiltApps.ServerDll, Within, "--help");
        Assert.Equal((0, ""), (help.ExitCode, help.StandardError));
        Assert.Contains("--max-frame <SIZE>", help.StandardOutput);

        var version = await FinishedRun.DotnetAsync(BuiltApps.ServerDll, Within, "--version");
        Assert.Equal((0, ""), (version.ExitCode, version.StandardError));
        Assert.StartsWith("ActorChat.Server 1.", version.StandardOutput);
    }

    [Fact]
    public async Task A_stray_word_is_one_line_on_stderr_and_exit_code_2()
    {
        var run = await FinishedRun.DotnetAsync(BuiltApps.ServerDll, Within, "foo");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("actorchat: unexpected argument 'foo'. Run with --help for the options.", Assert.Single(run.ErrorLines));
        Assert.Equal("", run.StandardOutput);
    }

    [Fact]
    public async Task The_persistence_benchmark_names_its_own_bad_values_and_passes_server_flags_on()
    {
        var bad = await FinishedRun.DotnetAsync(BuiltApps.ServerDll, Within, "bench", "--messages", "many");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("bench: --messages: expected a whole number from 1 to 2147483647, got 'many'. Run with --help for the options.", Assert.Single(bad.ErrorLines));

        var unknown = await FinishedRun.DotnetAsync(BuiltApps.ServerDll, Within, "bench", "--prot", "1");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("bench: unknown option '--prot'. Run with --help for the options.", Assert.Single(unknown.ErrorLines));

        var help = await FinishedRun.DotnetAsync(BuiltApps.ServerDll, Within, "bench", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("ActorChat.Server bench [options]", help.StandardOutput);
        Assert.Contains("--window <N>", help.StandardOutput);
    }

    [Fact]
    public void The_default_room_is_general_and_a_flag_may_name_another_but_not_an_impossible_one()
    {
        Assert.Equal("general", SettingsLoader.Load([], new Hashtable()).Settings!.Sessions.DefaultRoom);
        Assert.Equal("lobby", SettingsLoader.Load(["--default-room", "lobby"], new Hashtable()).Settings!.Sessions.DefaultRoom);
        Assert.Contains("not a room name", ErrorOf("--default-room", "no spaces"));
    }
}
