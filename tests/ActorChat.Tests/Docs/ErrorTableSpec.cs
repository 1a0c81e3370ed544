using System.Reflection;
using System.Text.RegularExpressions;
using ActorChat.Messages;
using ActorChat.Tests.Support;

namespace ActorChat.Tests.Docs;

/// <summary>docs/protocol.md's table of errors is the list a client author codes against: it has every code the server sends, and only those.</summary>
public sealed partial class ErrorTableSpec
{
    [GeneratedRegex(@"^\| `([a-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex CodeRow();

    private static SortedSet<string> CodesOfTheServer() =>
    [
        .. typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!),
    ];

    private static SortedSet<string> CodesInTheTable()
    {
        var protocol = RepositoryFiles.Read("docs/protocol.md");
        var start = protocol.IndexOf("\n## Errors", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/protocol.md has no Errors section");
        var end = protocol.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return [.. CodeRow().Matches(end < 0 ? protocol[start..] : protocol[start..end]).Select(m => m.Groups[1].Value)];
    }

    [Fact]
    public void Every_error_code_has_a_row_in_the_protocol_guide()
    {
        var codes = CodesOfTheServer();
        Assert.Contains(ErrorCodes.BadJson, codes);
        Assert.Empty(codes.Except(CodesInTheTable()));
    }

    [Fact]
    public void The_protocol_guide_lists_no_error_code_the_server_does_not_have() =>
        Assert.Empty(CodesInTheTable().Except(CodesOfTheServer()));
}
