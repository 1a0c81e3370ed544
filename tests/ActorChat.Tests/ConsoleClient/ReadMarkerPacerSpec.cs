using ActorChat.Client.Cli;
using Xunit;

namespace ActorChat.Tests.ConsoleClient;

public sealed class ReadMarkerPacerSpec
{
    private static readonly DateTime Start = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly ReadMarkerPacer _pacer = new(TimeSpan.FromSeconds(1));

    [Fact]
    public void The_first_message_shown_is_sent_at_once_and_a_burst_after_it_once_a_second_later_with_its_newest_seq()
    {
        Assert.Equal(TimeSpan.Zero, _pacer.Shown("lobby", 5, Start));
        Assert.Equal([("lobby", 5L)], _pacer.TakeDue(Start));

        Assert.Equal(TimeSpan.FromMilliseconds(800), _pacer.Shown("lobby", 6, Start.AddMilliseconds(200)));
        Assert.Null(_pacer.Shown("lobby", 7, Start.AddMilliseconds(300))); // already scheduled
        Assert.Null(_pacer.Shown("lobby", 8, Start.AddMilliseconds(400)));
        Assert.Equal([("lobby", 8L)], _pacer.TakeDue(Start.AddSeconds(1)));
    }

    [Fact]
    public void A_seq_that_does_not_go_forward_is_not_sent_again()
    {
        _pacer.Shown("lobby", 5, Start);
        _pacer.TakeDue(Start);
        Assert.Null(_pacer.Shown("lobby", 5, Start.AddSeconds(5)));
        Assert.Null(_pacer.Shown("LOBBY", 3, Start.AddSeconds(5)));
        Assert.Empty(_pacer.TakeDue(Start.AddSeconds(5)));
    }

    [Fact]
    public void After_leaving_a_room_its_marker_is_sent_again_when_shown()
    {
        _pacer.Shown("lobby", 5, Start);
        _pacer.TakeDue(Start);
        _pacer.Forget("lobby");
        Assert.Equal(TimeSpan.Zero, _pacer.Shown("lobby", 5, Start.AddSeconds(2)));
    }
}
