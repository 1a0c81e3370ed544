using System.Collections;
using System.Text.RegularExpressions;
using ActorChat.Server.Configuration;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Docs;

/// <summary>README's configuration table promises every server flag: each one --help lists is a row there, and no row names a flag the server does not have.</summary>
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

    private static SortedSet<string> FlagsInReadme()
    {
        var readme = RepositoryFiles.Read("README.md");
        var start = readme.IndexOf("## Configuration", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no Configuration section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];
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
}
