using ActorChat.Messages;
using ActorChat.Server.Rooms;

namespace ActorChat.Tests.Rooms;

public class RoomIndexSpec
{
    private static RoomIndex IndexOf(params string[] names)
    {
        var index = new RoomIndex();
        foreach (var name in names) index.Add(Protocol.Key(name), name);
        return index;
    }

    [Fact]
    public void Pages_follow_name_order_ignoring_case_and_each_cursor_leads_to_the_next_page()
    {
        var index = IndexOf("delta", "Alpha", "charlie", "Bravo", "echo");

        var first = index.Page(null, 2);
        Assert.Equal(["Alpha", "Bravo"], first.Rooms.Select(r => r.Name));
        var second = index.Page(first.Next, 2);
        Assert.Equal(["charlie", "delta"], second.Rooms.Select(r => r.Name));
        var last = index.Page(second.Next, 2);
        Assert.Equal(["echo"], last.Rooms.Select(r => r.Name));
        Assert.Null(last.Next);
    }

    [Fact]
    public void A_page_that_ends_exactly_at_the_last_room_has_no_cursor()
    {
        var index = IndexOf("a", "b", "c", "d");
        var first = index.Page(null, 2);
        Assert.NotNull(first.Next);
        var second = index.Page(first.Next, 2);
        Assert.Equal(["c", "d"], second.Rooms.Select(r => r.Name));
        Assert.Null(second.Next);
    }

    [Fact]
    public void A_room_created_between_pages_is_on_a_later_page_if_its_name_comes_later()
    {
        var index = IndexOf("a", "b", "d");
        var first = index.Page(null, 2);
        index.Add("c", "c");
        index.Add("aa", "aa");
        Assert.Equal(["c", "d"], index.Page(first.Next, 2).Rooms.Select(r => r.Name));
    }

    [Fact]
    public void Member_counts_are_listed_and_a_known_room_keeps_its_first_spelling()
    {
        var index = IndexOf("General");
        index.Add("general", "GENERAL");
        index.SetMembers("general", "General", 3);
        Assert.Equal([new RoomSummary("General", 3)], index.Page(null, 10).Rooms);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void An_empty_index_has_one_empty_last_page()
    {
        var page = new RoomIndex().Page("whatever", 10);
        Assert.Empty(page.Rooms);
        Assert.Null(page.Next);
    }
}
