using System.Collections;
using System.Text.RegularExpressions;
using ActorChat.Client.Cli;
using ActorChat.Server.Configuration;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Docs;

/// <summary>
/// The flag tables are promises: README's configuration table lists every server flag and docs/client.md's table
/// every console client flag (each one --help lists is a row there), and no row names a flag that does not exist.
/// </summary>
public sealed partial class ConfigurationTableSpec
{
    [GeneratedRegex(@"^\s+(--[a-z][a-z-]*)", RegexOptions.Multiline)]
    private static partial Regex HelpFlag();

    [GeneratedRegex(@"^\| `(--[a-z][a-z-]*)", RegexOptions.Multiline)]
    private static partial Regex TableFlag();

    private static readonly string[] NotSettings = ["--help", "--version"];

    private static SortedSet<string> FlagsInHelp()
    {
        var help = SettingsLoader.Load(["--help"], new Hashtable()).Output;
        Assert.NotNull(help);
        return [.. HelpFlag().Matches(help).Select(m => m.Groups[1].Value).Except(NotSettings)];
    }

    private static SortedSet<string> FlagsOfClientHelp()
    {
        var (_, _, help) = ClientOptions.Parse(["--help"]);
        Assert.NotNull(help);
        return [.. HelpFlag().Matches(help).Select(m => m.Groups[1].Value).Except(NotSettings)];
    }

    private static SortedSet<string> FlagsInReadme() => FlagsInTable("README.md", "## Configuration");

    private static SortedSet<string> FlagsInClientGuide() => FlagsInTable("docs/client.md", "## Starting a client");

    /// <summary>The flags in the first column of the tables of one section (from its heading to the next of its level).</summary>
    private static SortedSet<string> FlagsInTable(string file, string heading)
    {
        var text = RepositoryFiles.Read(file);
        var start = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"{file} has no '{heading}' section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        return [.. TableFlag().Matches(section).Select(m => m.Groups[1].Value)];
    }

    [Fact]
    public void Every_flag_of_the_server_has_a_row_in_the_readme_table()
    {
        var help = FlagsInHelp();
        Assert.True(help.Count > 20, $"--help listed only {help.Count} flags");
        Assert.Empty(help.Except(FlagsInReadme()));
    }

    [Fact]
    public void The_readme_table_names_no_flag_the_server_does_not_have() =>
        Assert.Empty(FlagsInReadme().Except(FlagsInHelp()));

    [Fact]
    public void Every_flag_of_the_console_client_has_a_row_in_the_client_guide()
    {
        var help = FlagsOfClientHelp();
        Assert.True(help.Count > 5, $"--help listed only {help.Count} flags");
        Assert.Empty(help.Except(FlagsInClientGuide()));
    }

    [Fact]
    public void The_client_guide_names_no_flag_the_console_client_does_not_have() =>
        Assert.Empty(FlagsInClientGuide().Except(FlagsOfClientHelp()));
}
