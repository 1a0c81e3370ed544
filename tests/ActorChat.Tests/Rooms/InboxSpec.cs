using ActorChat.Server.Inboxes;

namespace ActorChat.Tests.Rooms;

public sealed class InboxSpec
{
    [Fact]
    public void An_inbox_keeps_the_latest_hundred_mentions_newest_first()
    {
        var inbox = new Inbox();
        for (var i = 1; i <= Inbox.MaxMentions + 5; i++) inbox.Apply(new MentionStored("lobby", $"id{i}", i, "alice", "hi @bob", "t"));
        Assert.Equal(Inbox.MaxMentions, inbox.Mentions.Count);
        Assert.Equal(["id105", "id104"], inbox.Latest(2).Select(m => m.Id));
        Assert.Equal("id6", inbox.Latest(1000).Last().Id);
    }

    [Fact]
    public void A_read_marker_only_goes_forward_and_survives_a_snapshot()
    {
        var inbox = new Inbox();
        inbox.Apply(new ReadMarked("lobby", 7));
        Assert.False(inbox.Advances("lobby", 3));
        inbox.Apply(new ReadMarked("lobby", 3));
        var restored = new Inbox();
        restored.Apply(inbox.ToSnapshot());
        Assert.Equal((7L, 0L), (restored.LastRead("lobby"), restored.LastRead("other")));
    }

    [Fact]
    public void An_inbox_forgets_the_least_recently_read_room_past_its_bound()
    {
        var inbox = new Inbox();
        for (var i = 0; i <= Inbox.MaxRooms; i++) inbox.Apply(new ReadMarked($"room{i}", 1));
        Assert.Equal(0, inbox.LastRead("room0"));
        Assert.Equal(1, inbox.LastRead($"room{Inbox.MaxRooms}"));
    }
}
