using ActorChat.Messages;
using ActorChat.Server.Rooms;

namespace ActorChat.Tests.Rooms;

public sealed class MessageNotesSpec
{
    private static readonly MessageFrame Message = new("id1", "lobby", "alice", "hello", "2026-01-01T00:00:00.000Z", 1);

    [Fact]
    public void Reactions_keep_the_order_people_reacted_in_and_the_last_one_taken_back_removes_the_emoji()
    {
        var notes = new MessageNotes();
        notes.Apply(new ReactionToggled(1, "id1", "👍", "bob", true));
        Assert.True(notes.HasReacted(1, "👍", "BOB"));
        Assert.False(notes.HasReacted(1, "👍", "alice"));
        notes.Apply(new ReactionToggled(1, "id1", "👍", "alice", true));
        Assert.Equal(["bob", "alice"], notes.Show(Message).Reactions!["👍"]);
        notes.Apply(new ReactionToggled(1, "id1", "👍", "bob", false));
        notes.Apply(new ReactionToggled(1, "id1", "👍", "alice", false));
        Assert.Null(notes.Show(Message).Reactions);
        Assert.Equal(0, notes.Count);
    }

    [Fact]
    public void A_message_with_twenty_emoji_takes_no_new_one_but_more_people_on_those_it_has()
    {
        var notes = new MessageNotes();
        for (var i = 0; i < MessageNotes.MaxEmojiPerMessage; i++)
            notes.Apply(new ReactionToggled(1, "id1", char.ConvertFromUtf32(0x1F600 + i), "bob", true));
        Assert.True(notes.IsFull(1, "🎉"));
        Assert.False(notes.IsFull(1, "😀"));
        Assert.False(notes.IsFull(2, "🎉"));
    }

    [Fact]
    public void An_edit_shows_the_latest_text_and_when_and_survives_a_snapshot()
    {
        var notes = new MessageNotes();
        notes.Apply(new MessageEdited(1, "id1", "hello!", "2026-01-01T00:01:00.000Z"));
        notes.Apply(new ReactionToggled(1, "id1", "🎉", "bob", true));
        var restored = new MessageNotes();
        restored.Apply(notes.ToSnapshot());
        var shown = restored.Show(Message);
        Assert.Equal(("hello!", "2026-01-01T00:01:00.000Z", 1L), (shown.Text, shown.EditedAt, shown.Seq));
        Assert.Equal(["bob"], shown.Reactions!["🎉"]);
        Assert.Equal(0, restored.Between(2, 10).Count);
    }

    [Theory]
    [InlineData("👍", true)]
    [InlineData("👩‍💻", true)]
    [InlineData("👨‍👩‍👧", false)] // 18 bytes
    [InlineData("🇫🇷", true)]
    [InlineData("a", true)]
    [InlineData("👍👍", false)]
    [InlineData("", false)]
    [InlineData(" ", false)]
    [InlineData("\u200B", false)]
    [InlineData("\u0007", false)]
    [InlineData("👨‍👩‍👧‍👦👨", false)]
    public void An_emoji_is_one_visible_grapheme_cluster_of_at_most_sixteen_bytes(string emoji, bool valid) =>
        Assert.Equal(valid, MessageNotes.IsValidEmoji(emoji));

    [Theory]
    [InlineData("hi @bob", new[] { "bob" })]
    [InlineData("@bob, @Carol and @BOB.", new[] { "bob", "Carol" })]
    [InlineData("mail a@b.c", null)]
    [InlineData("@@bob", null)]
    [InlineData("@", null)]
    public void A_mention_is_a_valid_name_right_after_an_at_sign(string text, string[]? names) =>
        Assert.Equal(names, MentionFinder.Find(text));
}
