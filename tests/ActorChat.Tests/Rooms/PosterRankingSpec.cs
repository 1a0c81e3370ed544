using ActorChat.Server.Rooms;

namespace ActorChat.Tests.Rooms;

public class PosterRankingSpec
{
    [Fact]
    public void The_top_posters_are_those_with_the_most_messages_ties_broken_by_name()
    {
        var counts = new Dictionary<string, long> { ["carol"] = 5, ["Bob"] = 7, ["alice"] = 7, ["dave"] = 1, ["erin"] = 5 };
        var top = PosterRanking.Top(counts, 3);
        Assert.Equal(["alice", "Bob", "carol"], top.Keys);
        Assert.Equal([7L, 7L, 5L], top.Values);
    }

    [Fact]
    public void Fewer_posters_than_asked_for_are_all_returned()
    {
        var counts = new Dictionary<string, long> { ["alice"] = 1 };
        Assert.Equal(counts, PosterRanking.Top(counts, 100));
    }
}
