using ActorChat.Server.Operations;

namespace ActorChat.Tests.Operations;

/// <summary>The dashboard's ring of recent warnings.</summary>
public sealed class RecentWarningsSpec
{
    [Fact]
    public void It_keeps_the_last_fifty_lines_newest_first_and_drops_the_oldest()
    {
        var warnings = new RecentWarnings();

        for (var i = 1; i <= 120; i++) warnings.Add($"warning {i}");

        var kept = warnings.Newest();
        Assert.Equal(50, kept.Count);
        Assert.Equal("warning 120", kept[0].Text);
        Assert.Equal("warning 71", kept[^1].Text);
    }
}
