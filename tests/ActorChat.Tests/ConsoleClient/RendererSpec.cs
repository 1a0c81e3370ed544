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
    public void A_message_in_the_current_room_shows_time_number_and_sender()
    {
        var line = Assert.Single(_renderer.Render(Message("general", "alice", "hi"), "general"));
        Assert.Equal((LineKind.Message, "10:00:05 [1] alice: hi", "alice"), (line.Kind, line.Text, line.Speaker));
    }

    [Fact]
    public void A_message_in_another_room_also_shows_the_room()
    {
        var line = Assert.Single(_renderer.Render(Message("dev", "alice", "hi"), "general"));
        Assert.Equal("10:00:05 [1] #dev alice: hi", line.Text);
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
        Assert.Equal(["*** You joined #general (2 here: alice, bob)", "10:00:05 [1] bob: earlier"], lines.Select(l => l.Text));
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
    public void Earlier_messages_are_rendered_like_messages_between_lines_that_say_they_are_older()
    {
        var page = new HistoryFrame("general", [Message("general", "bob", "first"), Message("general", "alice", "second")]);
        var lines = _renderer.Render(page, "general");
        Assert.Equal(
            ["— 2 earlier messages in #general —", "10:00:05 [1] bob: first", "10:00:05 [1] alice: second", "— end of earlier messages in #general —"],
            lines.Select(l => l.Text));
        Assert.All(lines, l => Assert.Equal(LineKind.History, l.Kind));
    }

    [Fact]
    public void An_empty_page_of_earlier_messages_says_there_are_none()
    {
        var line = Assert.Single(_renderer.Render(new HistoryFrame("dev", []), "general"));
        Assert.Equal(OutputLine.Info("No earlier messages in #dev."), line);
    }

    [Fact]
    public void A_line_the_server_could_not_save_is_reported_as_not_sent_with_a_hint_to_try_again()
    {
        var line = Renderer.SayFailed(new ErrorFrame(ErrorCodes.Unavailable, "Message not saved; try again."), "general", "deploy at 5");
        Assert.Equal(LineKind.Error, line.Kind);
        Assert.Equal("!!! Not sent to #general: \"deploy at 5\" — the server could not save it just now; try again. [unavailable]", line.Text);
    }

    [Fact]
    public void A_refusal_that_ends_in_a_period_is_reported_with_one_period()
    {
        var refusal = new ErrorFrame(ErrorCodes.MessageTooLong, "A message is at most 4000 characters; this one has 4100.");
        var line = Renderer.SayFailed(refusal, "general", "x");
        Assert.Equal("!!! Not sent to #general: \"x\" — A message is at most 4000 characters; this one has 4100. [message_too_long]", line.Text);
    }

    [Fact]
    public void A_long_line_that_was_not_sent_is_shortened_in_the_error()
    {
        var line = Renderer.SayFailed(new ErrorFrame(ErrorCodes.Unavailable, "Message not saved; try again."), "general", new string('x', 500));
        Assert.Contains(new string('x', 59) + "…", line.Text);
        Assert.DoesNotContain(new string('x', 60), line.Text);
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

    [Fact]
    public void A_rooms_page_with_more_after_it_says_how_to_see_them()
    {
        var lines = _renderer.Render(new RoomListFrame([new RoomSummary("general", 2)], "general"), null);
        Assert.Equal(["Rooms: #general (2)", "More rooms: /rooms general"], lines.Select(l => l.Text));
        Assert.Single(_renderer.Render(new RoomListFrame([new RoomSummary("general", 2)]), null));
    }

    [Fact]
    public void Stats_that_leave_out_some_users_say_how_many_messages_in_all()
    {
        var lines = _renderer.Render(new StatsFrame("general", new Dictionary<string, long> { ["alice"] = 10 }, 25), "general");
        Assert.Equal("(25 messages in all; 15 by others not shown)", lines[^1].Text);
    }

    [Fact]
    public void A_deleted_message_shows_as_a_tombstone()
    {
        var tombstone = Message("general", "alice", "") with { Deleted = true };
        Assert.Equal("10:00:05 [1] alice: (message deleted)", _renderer.Message(tombstone, "general").Text);
        var deleted = Assert.Single(_renderer.Render(new DeletedFrame("general", "m7", 7, "bob"), "general"));
        Assert.Equal("*** [7] in #general: message deleted (by bob)", deleted.Text);
    }

    [Fact]
    public void Topic_mode_role_and_kick_are_told_in_plain_words()
    {
        string Line(ServerFrame frame) => Assert.Single(_renderer.Render(frame, "general")).Text;
        Assert.Equal("*** alice set the topic of #general: release friday", Line(new TopicFrame("general", "release friday", "alice")));
        Assert.Equal("*** alice cleared the topic of #general", Line(new TopicFrame("general", "", "alice")));
        Assert.Equal("*** alice made #general private (joined by invitation or with its password)", Line(new ModeFrame("general", true, true, "alice")));
        Assert.Equal("*** alice made #general public", Line(new ModeFrame("general", false, false, "alice")));
        Assert.Equal("*** bob is now a moderator of #general (by alice)", Line(new RoleFrame("general", "bob", "moderator", "alice")));
        Assert.Equal("*** bob was kicked from #general by alice: spam", Line(new KickedFrame("general", "bob", "alice", "spam")));
        Assert.Equal("!!! You were kicked from #general by alice: spam. /join general to come back, unless you are banned.",
            Renderer.KickedYou(new KickedFrame("general", "bob", "alice", "spam")).Text);
    }

    [Fact]
    public void Joining_a_room_with_a_topic_shows_it()
    {
        var lines = _renderer.Joined(new JoinedFrame("general", ["alice"], [], "release friday"), []);
        Assert.Contains(lines, l => l.Text == "*** Topic of #general: release friday");
    }
}
