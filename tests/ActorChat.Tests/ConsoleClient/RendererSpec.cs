using ActorChat.Client.Cli;
using ActorChat.Messages;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

public sealed class RendererSpec
{
    private readonly Renderer _renderer = new(TimeZoneInfo.Utc);

    private static MessageFrame Message(string room, string sender, string text, string at = "2026-11-24T10:00:05.123Z") =>
        new("id-" + text, room, sender, text, at, 1);

    [Fact]
    public void A_message_in_the_current_room_shows_time_and_sender()
    {
        var line = Assert.Single(_renderer.Render(Message("general", "alice", "hi"), "general"));
        Assert.Equal(new OutputLine(LineKind.Message, "10:00:05 alice: hi"), line);
    }

    [Fact]
    public void A_message_in_another_room_also_shows_the_room()
    {
        var line = Assert.Single(_renderer.Render(Message("dev", "alice", "hi"), "general"));
        Assert.Equal("10:00:05 #dev alice: hi", line.Text);
    }

    [Fact]
    public void Time_is_shown_in_the_local_time_zone()
    {
        var plusTwo = TimeZoneInfo.CreateCustomTimeZone("plus-two", TimeSpan.FromHours(2), "plus-two", "plus-two");
        Assert.Equal("12:00:05", new Renderer(plusTwo).Time("2026-11-24T10:00:05.123Z"));
    }

    [Fact]
    public void Joins_and_leaves_are_system_lines()
    {
        var joined = Assert.Single(_renderer.Render(new PresenceFrame("general", "bob", PresenceFrame.Join), "general"));
        var left = Assert.Single(_renderer.Render(new PresenceFrame("general", "bob", PresenceFrame.Leave), "general"));
        Assert.Equal(new OutputLine(LineKind.System, "*** bob joined #general"), joined);
        Assert.Equal(new OutputLine(LineKind.System, "*** bob left #general"), left);
    }

    [Fact]
    public void Joining_shows_the_members_then_the_history()
    {
        var frame = new JoinedFrame("general", ["alice", "bob"], [Message("general", "bob", "earlier")]);
        var lines = _renderer.Render(frame, "general");
        Assert.Equal(["*** You joined #general (2 here: alice, bob)", "10:00:05 bob: earlier"], lines.Select(l => l.Text));
    }

    [Fact]
    public void An_error_is_set_apart_with_its_code()
    {
        var line = Assert.Single(_renderer.Render(new ErrorFrame(ErrorCodes.NoSuchUser, "No user named 'x' is online."), "general"));
        Assert.Equal(new OutputLine(LineKind.Error, "!!! No user named 'x' is online. [no_such_user]"), line);
    }

    [Fact]
    public void Stats_are_a_bar_chart_scaled_to_the_busiest_user()
    {
        var lines = _renderer.Render(new StatsFrame("general", new Dictionary<string, long> { ["bob"] = 5, ["alice"] = 10 }), "general");
        Assert.Equal("Messages per user in #general:", lines[0].Text);
        Assert.Equal("  alice " + new string('#', 30) + " 10", lines[1].Text);
        Assert.Equal("  bob   " + new string('#', 15).PadRight(30) + " 5", lines[2].Text);
    }

    [Fact]
    public void A_user_with_few_messages_still_gets_a_visible_bar()
    {
        var bars = Renderer.BarChart(new Dictionary<string, long> { ["big"] = 1000, ["tiny"] = 1 }, 10);
        Assert.Equal("  tiny #          1", bars[1]);
    }

    [Fact]
    public void A_direct_message_shows_both_ends()
    {
        var dm = new DirectMessageFrame("d1", "alice", "bob", "psst", "2026-11-24T10:00:05.123Z");
        Assert.Equal(new OutputLine(LineKind.Direct, "10:00:05 [dm] alice -> bob: psst"), Assert.Single(_renderer.Render(dm, "general")));
    }

    [Fact]
    public void Control_characters_from_the_wire_never_reach_the_screen()
    {
        var painted = AnsiStyle.Paint(new OutputLine(LineKind.Message, "evil \u001b[2J text"), colour: false);
        Assert.DoesNotContain('\u001b', painted);
    }

    [Fact]
    public void Plain_output_carries_no_colour_codes_and_a_terminal_gets_them()
    {
        var error = OutputLine.Error("boom");
        Assert.Equal("!!! boom", AnsiStyle.Paint(error, colour: false));
        Assert.StartsWith("\u001b[", AnsiStyle.Paint(error, colour: true));
    }
}
