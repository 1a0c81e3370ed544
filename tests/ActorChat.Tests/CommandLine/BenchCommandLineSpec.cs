using ActorChat.Bench;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.CommandLine;

/// <summary>The load bench's command line as a user meets it: what each mistake is called, and help and version.</summary>
public sealed class BenchCommandLineSpec
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private static string? ErrorOf(params string[] args) => BenchProgram.Parse(args).Error;

    [Fact]
    public void An_unknown_option_is_named_as_one() =>
        Assert.Equal("unknown option '--client'.", ErrorOf("--client", "20"));

    [Fact]
    public void A_word_that_is_no_option_is_named_as_an_unexpected_argument() =>
        Assert.Equal("unexpected argument 'fanout'.", ErrorOf("fanout"));

    [Theory]
    [InlineData("--scenario", "huge", "one of smoke, fanout, many-rooms, light, idle, hostile, first-join, search")]
    [InlineData("--clients", "0", "a whole number from 1 to 2147483647")]
    [InlineData("--text-length", "10", "a whole number from 36 to 4000")]
    [InlineData("--rate", "fast", "a number of 0 or more, such as 5 or 0.5")]
    [InlineData("--target", "localhost", "HOST:PORT such as 127.0.0.1:12345")]
    [InlineData("--flood-rate", "2.5", "a whole number of frames per second (0 = off) or 'default'")]
    [InlineData("--zero-byte-receives", "maybe", "true or false")]
    public void A_bad_value_is_named_with_its_flag_and_the_form_the_flag_takes(string flag, string value, string expected) =>
        Assert.Equal($"{flag}: expected {expected}, got '{value}'.", ErrorOf(flag, value));

    [Fact]
    public void The_scenario_gives_the_defaults_and_flags_override_them()
    {
        var run = BenchProgram.Parse(["--clients", "50", "--scenario", "light", "--server-arg=--outbound-limit=4096", "--target", "127.0.0.1:4000"]);
        Assert.Null(run.Error);
        var options = run.Options!;
        Assert.Equal((Scenario.Light, 50, 50, 10), (options.Scenario, options.Clients, options.Senders, options.Rooms));
        Assert.Equal(["--outbound-limit=4096"], options.ServerArgs);
        Assert.Equal(("127.0.0.1", 4000), (options.Host, options.Port));
        Assert.False(options.FullDecode);
    }

    [Fact]
    public async Task Help_and_version_print_to_stdout_and_exit_0()
    {
        var help = await FinishedRun.DotnetAsync(BuiltApps.BenchDll, Within, "--help");
        Assert.Equal((0, ""), (help.ExitCode, help.StandardError));
        Assert.Contains("--scenario <NAME>", help.StandardOutput);
        Assert.Contains("connections being set up at once (64)", help.StandardOutput);

        var version = await FinishedRun.DotnetAsync(BuiltApps.BenchDll, Within, "--version");
        Assert.Equal((0, ""), (version.ExitCode, version.StandardError));
        Assert.StartsWith("ActorChat.Bench 1.", version.StandardOutput);
    }

    [Fact]
    public async Task A_bad_flag_is_one_line_on_stderr_and_exit_code_2()
    {
        var run = await FinishedRun.DotnetAsync(BuiltApps.BenchDll, Within, "--clients", "0");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("actorchat-bench: --clients: expected a whole number from 1 to 2147483647, got '0'. Run with --help for the options.", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task Options_that_contradict_each_other_are_one_line_and_exit_code_2()
    {
        var run = await FinishedRun.DotnetAsync(BuiltApps.BenchDll, Within, "--clients", "5", "--rooms", "6");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("actorchat-bench: --rooms must be between 1 and --clients. Run with --help for the options.", Assert.Single(run.ErrorLines));
    }
}
