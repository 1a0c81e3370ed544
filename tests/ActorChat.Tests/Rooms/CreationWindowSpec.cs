using ActorChat.Server.Rooms;

namespace ActorChat.Tests.Rooms;

public class CreationWindowSpec
{
    private static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_creator_may_create_up_to_the_limit_within_the_window_and_no_more()
    {
        var window = new CreationWindow<string>(3, TimeSpan.FromMinutes(1));
        for (var i = 0; i < 3; i++) Assert.True(window.TryCreate("alice", Start.AddSeconds(i)));
        Assert.False(window.TryCreate("alice", Start.AddSeconds(30)));
        Assert.True(window.TryCreate("bob", Start.AddSeconds(30)));
    }

    [Fact]
    public void The_window_slides_so_each_creation_frees_its_slot_a_minute_later()
    {
        var window = new CreationWindow<string>(2, TimeSpan.FromMinutes(1));
        Assert.True(window.TryCreate("alice", Start));
        Assert.True(window.TryCreate("alice", Start.AddSeconds(40)));
        Assert.False(window.TryCreate("alice", Start.AddSeconds(59)));
        Assert.True(window.TryCreate("alice", Start.AddSeconds(60)));
        Assert.False(window.TryCreate("alice", Start.AddSeconds(99)));
        Assert.True(window.TryCreate("alice", Start.AddSeconds(100)));
    }

    [Fact]
    public void A_refused_creation_does_not_count()
    {
        var window = new CreationWindow<string>(1, TimeSpan.FromMinutes(1));
        Assert.True(window.TryCreate("alice", Start));
        for (var i = 1; i < 50; i++) Assert.False(window.TryCreate("alice", Start.AddSeconds(i)));
        Assert.True(window.TryCreate("alice", Start.AddSeconds(60)));
    }

    [Fact]
    public void Creators_with_nothing_in_their_window_are_forgotten()
    {
        var window = new CreationWindow<int>(5, TimeSpan.FromMinutes(1));
        for (var creator = 0; creator < 100; creator++) window.TryCreate(creator, Start);
        Assert.Equal(100, window.Remembered);
        window.TryCreate(-1, Start.AddMinutes(2));
        Assert.Equal(1, window.Remembered);
    }
}
