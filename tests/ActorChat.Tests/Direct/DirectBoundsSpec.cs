using ActorChat.Server.Direct;
using ActorChat.Server.Inboxes;
using ActorChat.Server.Search;

namespace ActorChat.Tests.Direct;

/// <summary>What a conversation and a user's inbox keep of direct messages stays bounded.</summary>
public sealed class DirectBoundsSpec
{
    private static DirectMessageKept Kept(long seq) => new(seq, $"id{seq}", "alice", "bob", $"m{seq}", "2026-01-01T00:00:00.000Z");

    [Fact]
    public void A_conversation_keeps_only_its_latest_hundred_messages_in_memory_and_knows_older_pages_are_in_the_journal()
    {
        var log = new DirectLog();
        for (var seq = 1; seq <= 250; seq++) log.Apply(Kept(seq));
        Assert.Equal(DirectLog.MaxRecent, log.Recent.Count);
        Assert.Equal(151, log.Recent.First().Seq);
        Assert.Equal(250, log.LastSeq);
        Assert.Equal((201L, 250L), log.PageRange(null, 50));
        Assert.True(log.InMemory(201));
        Assert.Equal((1L, 10L), log.PageRange(11, 50));
        Assert.False(log.InMemory(1));
        Assert.Null(log.PageRange(1, 50));
    }

    [Fact]
    public void A_snapshot_brings_back_the_last_seq_and_the_recent_messages()
    {
        var log = new DirectLog();
        for (var seq = 1; seq <= 120; seq++) log.Apply(Kept(seq));
        var restored = new DirectLog();
        restored.Apply(log.ToSnapshot());
        Assert.Equal(120, restored.LastSeq);
        Assert.Equal(log.Recent.Select(m => m.Seq), restored.Recent.Select(m => m.Seq));
    }

    private static DirectTouched Touched(string with, long seq, bool fromSelf = false) =>
        new(SearchConversations.Direct("me", with), with, seq, $"id{seq}", with, "me", "text", "2026-01-01T00:00:00.000Z", fromSelf);

    [Fact]
    public void A_users_inbox_lists_at_most_two_hundred_conversations_the_least_recently_active_forgotten_first()
    {
        var inbox = new Inbox();
        for (var i = 0; i < Inbox.MaxConversations + 20; i++) inbox.Apply(Touched($"user{i}", 1));
        var listed = inbox.Conversations.ToArray();
        Assert.Equal(Inbox.MaxConversations, listed.Length);
        Assert.Equal($"user{Inbox.MaxConversations + 19}", listed[0].With);
        Assert.DoesNotContain(listed, c => c.With == "user0");
    }

    [Fact]
    public void Unread_counts_the_messages_after_the_read_marker_which_stops_at_the_latest_message_and_sending_moves_it()
    {
        var inbox = new Inbox();
        var key = SearchConversations.Direct("me", "bob");
        inbox.Apply(Touched("bob", 3));
        Assert.Equal(3, inbox.Unread(key));
        inbox.Apply(new ReadMarked(key, 99));
        Assert.Equal(3, inbox.LastRead(key)); // not past the latest, so later messages still count
        inbox.Apply(Touched("bob", 5));
        Assert.Equal(2, inbox.Unread(key));
        inbox.Apply(Touched("bob", 6, fromSelf: true));
        Assert.Equal(0, inbox.Unread(key));

        var restored = new Inbox();
        restored.Apply(inbox.ToSnapshot());
        Assert.Equal(0, restored.Unread(key));
        Assert.Equal(6, Assert.Single(restored.Conversations).Seq);
    }
}
