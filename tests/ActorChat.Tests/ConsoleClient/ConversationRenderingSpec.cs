using ActorChat.Client.Cli;
using ActorChat.Messages;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

/// <summary>How replies, actions, edits, reactions, mentions, typing and dropped rooms read on the console.</summary>
public sealed class ConversationRenderingSpec
{
    private readonly Renderer _renderer = new(TimeZoneInfo.Utc);

    private static MessageFrame Message(string sender, string text, long seq = 1) =>
        new("id-" + seq, "general", sender, text, "2026-11-24T10:00:05.123Z", seq);

    [Fact]
    public void A_reply_shows_a_short_quote_of_the_message_it_answers()
    {
        var reply = Message("bob", "yes", 2) with { ReplyTo = "id-1", ReplyPreview = new ReplyPreview("alice", "shall we meet at noon by the old fountain in the park, or later?") };
        var line = _renderer.Message(reply, "general");
        Assert.Equal("10:00:05 [2] bob: (re alice: \"shall we meet at noon by the old founta…\") yes", line.Text);
    }

    [Fact]
    public void A_reply_to_a_deleted_message_says_so()
    {
        var reply = Message("bob", "yes", 2) with { ReplyTo = "id-1", ReplyPreview = new ReplyPreview("alice", "") };
        Assert.Equal("10:00:05 [2] bob: (re alice: a deleted message) yes", _renderer.Message(reply, "general").Text);
    }

    [Fact]
    public void An_action_reads_as_a_star_the_sender_and_the_text()
    {
        var action = Message("alice", "waves") with { Action = true };
        Assert.Equal("10:00:05 [1] * alice waves", _renderer.Message(action, "general").Text);
    }

    [Fact]
    public void An_edited_message_says_edited_and_shows_its_reactions_compactly()
    {
        var message = Message("alice", "hi all") with
        {
            EditedAt = "2026-11-24T10:01:00Z",
            Reactions = new Dictionary<string, IReadOnlyList<string>> { ["👍"] = ["bob", "carol"], ["🎉"] = ["bob"] },
        };
        Assert.Equal("10:00:05 [1] alice: hi all (edited) [👍 2 🎉 1]", _renderer.Message(message, "general").Text);
    }

    [Fact]
    public void A_tombstone_shows_neither_text_nor_reactions()
    {
        var tombstone = Message("alice", "", 3) with { Deleted = true };
        Assert.Equal("10:00:05 [3] alice: (message deleted)", _renderer.Message(tombstone, "general").Text);
    }

    [Fact]
    public void A_message_that_mentions_the_user_is_a_mention_that_rings_the_bell_and_others_are_not()
    {
        var mentioning = Message("alice", "@Bob look") with { Mentions = ["bob"] };
        var forBob = _renderer.Message(mentioning, "general", me: "BOB");
        var forCarol = _renderer.Message(mentioning, "general", me: "carol");
        Assert.Equal((LineKind.Mention, true), (forBob.Kind, forBob.Bell));
        Assert.Equal((LineKind.Message, false), (forCarol.Kind, forCarol.Bell));
    }

    [Fact]
    public void Mentions_in_history_are_not_rung_again()
    {
        var mentioning = Message("alice", "@bob look") with { Mentions = ["bob"] };
        var lines = _renderer.History(new HistoryFrame("general", [mentioning]), "general", me: "bob");
        Assert.DoesNotContain(lines, l => l.Bell);
    }

    [Fact]
    public void A_reaction_names_who_which_emoji_and_the_numbered_message_with_its_reactions_now()
    {
        var message = Message("alice", "hi", 12) with { Reactions = new Dictionary<string, IReadOnlyList<string>> { ["👍"] = ["bob", "carol"] } };
        var on = _renderer.Reaction(new ReactionFrame("general", "id-12", "👍", "carol", true), message, "general");
        var off = _renderer.Reaction(new ReactionFrame("general", "id-12", "👍", "dave", false), message, "general");
        Assert.Equal("*** carol reacted 👍 to [12] [👍 2]", on.Text);
        Assert.Equal("*** dave took back 👍 on [12] [👍 2]", off.Text);
    }

    [Fact]
    public void A_reaction_to_a_message_not_shown_names_the_room()
    {
        var line = _renderer.Reaction(new ReactionFrame("dev", "x", "❤️", "bob", true), null, "general");
        Assert.Equal("*** bob reacted ❤️ to a message in #dev", line.Text);
    }

    [Fact]
    public void An_edit_shows_the_message_again_with_its_new_text()
    {
        var edited = Message("alice", "hello, fixed") with { EditedAt = "2026-11-24T10:01:00Z" };
        var line = _renderer.Edited(new EditedFrame("general", "id-1", "hello, fixed", "2026-11-24T10:01:00Z"), edited, "general");
        Assert.Equal("10:00:05 [1] alice: hello, fixed (edited)", line.Text);
    }

    [Fact]
    public void Typing_is_a_system_line_naming_the_room_when_it_is_not_the_current_one()
    {
        Assert.Equal("*** bob is typing…", Assert.Single(_renderer.Render(new TypingFrame("general", "bob"), "general")).Text);
        Assert.Equal("*** bob is typing in #dev…", Assert.Single(_renderer.Render(new TypingFrame("dev", "bob"), "general")).Text);
    }

    [Fact]
    public void A_dropped_room_is_told_in_plain_words()
    {
        var line = Assert.Single(_renderer.Render(new DroppedFrame("spam", "root", "spam"), "general"));
        Assert.Equal(LineKind.Error, line.Kind);
        Assert.StartsWith("!!! An operator (root) removed #spam: spam. You are no longer in it;", line.Text);
    }

    [Fact]
    public void On_a_terminal_with_colours_a_name_has_the_same_colour_every_time_and_without_colours_no_escape_codes()
    {
        var line = _renderer.Message(Message("alice", "hi"), "general");
        var painted = AnsiStyle.Paint(line, colour: true);
        Assert.Contains(AnsiStyle.ColourOfName("alice") + "alice" + AnsiStyle.Reset, painted);
        Assert.Equal(AnsiStyle.ColourOfName("alice"), AnsiStyle.ColourOfName("ALICE"));
        Assert.DoesNotContain('\u001b', AnsiStyle.Paint(line, colour: false));
    }

    [Fact]
    public void Names_are_spread_over_more_than_one_colour()
    {
        var colours = new[] { "alice", "bob", "carol", "dave", "erin", "frank" }.Select(AnsiStyle.ColourOfName).Distinct();
        Assert.True(colours.Count() > 1);
    }
}

/// <summary>The messages a room showed, as reactions, edits and deletions change them.</summary>
public sealed class RecentMessagesSpec
{
    private static MessageFrame Message(long seq) => new("id-" + seq, "general", "alice", "text " + seq, "2026-11-24T10:00:05Z", seq);

    [Fact]
    public void A_number_names_the_id_of_a_message_shown_and_the_oldest_are_forgotten()
    {
        var recent = new RecentMessages(2);
        recent.Note(Message(1));
        recent.Note(Message(2));
        recent.Note(Message(3));
        Assert.Null(recent.IdOf(1));
        Assert.Null(recent.Get("id-1"));
        Assert.Equal("id-3", recent.IdOf(3));
    }

    [Fact]
    public void Reactions_are_counted_per_emoji_and_a_reaction_taken_back_is_gone()
    {
        var recent = new RecentMessages(10);
        recent.Note(Message(1));
        recent.Apply(new ReactionFrame("general", "id-1", "👍", "bob", true));
        var two = recent.Apply(new ReactionFrame("general", "id-1", "👍", "carol", true));
        Assert.Equal("[👍 2]", Renderer.Reactions(two!.Reactions));
        recent.Apply(new ReactionFrame("general", "id-1", "👍", "bob", false));
        var none = recent.Apply(new ReactionFrame("general", "id-1", "👍", "carol", false));
        Assert.Null(none!.Reactions);
    }

    [Fact]
    public void An_edit_changes_the_text_and_a_deletion_makes_a_tombstone()
    {
        var recent = new RecentMessages(10);
        recent.Note(Message(1));
        Assert.Equal("new", recent.Apply(new EditedFrame("general", "id-1", "new", "2026-11-24T10:01:00Z"))!.Text);
        recent.Apply(new DeletedFrame("general", "id-1", 1, "alice"));
        Assert.Equal((true, ""), (recent.Get("id-1")!.Deleted == true, recent.Get("id-1")!.Text));
        Assert.Null(recent.Apply(new EditedFrame("general", "id-9", "x", "2026-11-24T10:01:00Z")));
    }
}

/// <summary>One "is typing" line per stretch of someone's typing.</summary>
public sealed class TypingNoticesSpec
{
    private static readonly DateTime Start = new(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Typing_is_shown_once_per_five_seconds_per_user_and_room()
    {
        var notices = new TypingNotices(TimeSpan.FromSeconds(5));
        Assert.True(notices.ShouldShow("general", "bob", Start));
        Assert.False(notices.ShouldShow("General", "BOB", Start.AddSeconds(3)));
        Assert.True(notices.ShouldShow("dev", "bob", Start.AddSeconds(3)));
        Assert.True(notices.ShouldShow("general", "bob", Start.AddSeconds(5)));
    }

    [Fact]
    public void After_a_message_the_next_typing_is_shown_at_once()
    {
        var notices = new TypingNotices(TimeSpan.FromSeconds(5));
        notices.ShouldShow("general", "bob", Start);
        notices.Said("general", "bob");
        Assert.True(notices.ShouldShow("general", "bob", Start.AddSeconds(1)));
    }
}

/// <summary>Who is typing, for a terminal's status line.</summary>
public sealed class TypingStatusSpec
{
    private static readonly DateTime Start = new(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void One_two_or_more_typists_of_the_room_are_named_for_five_seconds_after_their_last_typing()
    {
        var status = new TypingStatus(TimeSpan.FromSeconds(5));
        Assert.Null(status.Text("general", Start));
        status.Typing("general", "bob", Start);
        status.Typing("dev", "dora", Start);
        Assert.Equal("bob is typing…", status.Text("General", Start.AddSeconds(1)));
        status.Typing("general", "carol", Start.AddSeconds(2));
        Assert.Equal("bob and carol are typing…", status.Text("general", Start.AddSeconds(2)));
        status.Typing("general", "dan", Start.AddSeconds(2));
        Assert.Equal("3 people are typing…", status.Text("general", Start.AddSeconds(3)));
        Assert.Equal("carol and dan are typing…", status.Text("general", Start.AddSeconds(5))); // bob's 5 s are over
        Assert.Equal(Start.AddSeconds(7), status.NextExpiry(Start.AddSeconds(5.5)));
        status.Typing("general", "BOB", Start.AddSeconds(6)); // typing again: shown again
        Assert.Equal("3 people are typing…", status.Text("general", Start.AddSeconds(6)));
        Assert.Null(status.Text("general", Start.AddSeconds(12)));
        Assert.Null(status.NextExpiry(Start.AddSeconds(12)));
    }

    [Fact]
    public void Someone_who_says_something_is_no_longer_typing()
    {
        var status = new TypingStatus(TimeSpan.FromSeconds(5));
        status.Typing("general", "bob", Start);
        Assert.True(status.Said("general", "Bob"));
        Assert.Null(status.Text("general", Start.AddSeconds(1)));
        Assert.False(status.Said("general", "bob")); // nothing shown changed
    }
}
