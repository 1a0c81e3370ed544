using ActorChat.Server.Transport;

namespace ActorChat.Tests.Transport;

public class OutboundQueueTests
{
    private static byte[] Line(int length, byte fill = (byte)'x') => Enumerable.Repeat(fill, length).ToArray();

    [Fact]
    public void The_first_frame_goes_out_alone_and_the_rest_wait_for_the_write_to_complete()
    {
        var queue = new OutboundQueue(1000);
        Assert.True(queue.TryEnqueue(Line(10, (byte)'a')));
        Assert.Equal(10, queue.TakeNextWrite().Count);
        Assert.True(queue.TryEnqueue(Line(5, (byte)'b')));
        Assert.True(queue.TryEnqueue(Line(7, (byte)'c')));
        Assert.Equal(0, queue.TakeNextWrite().Count); // one write in flight at a time

        queue.WriteCompleted();
        var coalesced = queue.TakeNextWrite();
        Assert.Equal("bbbbbccccccc", System.Text.Encoding.ASCII.GetString(coalesced));
        Assert.Equal(0, queue.QueuedBytes);
    }

    [Fact]
    public void Frames_that_would_pass_the_limit_behind_the_next_write_are_refused()
    {
        var queue = new OutboundQueue(100);
        queue.TryEnqueue(Line(10));
        queue.TakeNextWrite();
        Assert.True(queue.TryEnqueue(Line(30))); // goes out next
        Assert.True(queue.TryEnqueue(Line(60)));
        Assert.True(queue.TryEnqueue(Line(40)));
        Assert.False(queue.TryEnqueue(Line(1)));
        Assert.Equal(130, queue.QueuedBytes);
    }

    [Fact]
    public void One_frame_larger_than_the_limit_does_not_count_as_backlog()
    {
        var queue = new OutboundQueue(100);
        queue.TryEnqueue(Line(10));
        queue.TakeNextWrite();
        Assert.True(queue.TryEnqueue(Line(500))); // a join with a long history
        Assert.True(queue.TryEnqueue(Line(100)));
        Assert.False(queue.TryEnqueue(Line(1)));
    }

    [Fact]
    public void A_final_frame_is_queued_whatever_the_limit()
    {
        var queue = new OutboundQueue(10);
        queue.TryEnqueue(Line(10));
        queue.EnqueueFinal(Line(50));
        Assert.Equal(60, queue.TakeNextWrite().Count);
    }
}
