using ActorChat.Server.Transport;

namespace ActorChat.Tests.Transport;

public class OutboundQueueTests
{
    private static byte[] Line(int length) => new byte[length];

    [Fact]
    public void The_first_chunk_goes_out_at_once_and_the_rest_wait_for_it()
    {
        var queue = new OutboundQueue();
        queue.Enqueue(Line(10));
        Assert.Single(queue.TakeNextWrite());
        queue.Enqueue(Line(20));
        queue.Enqueue(Line(30));
        Assert.Empty(queue.TakeNextWrite()); // a write is in flight
        Assert.Equal(50, queue.QueuedBytes);
        Assert.Equal(60, queue.PendingBytes);
    }

    [Fact]
    public void Everything_queued_during_a_write_goes_out_as_the_next_write_in_order()
    {
        var queue = new OutboundQueue();
        queue.Enqueue(Line(1));
        queue.TakeNextWrite();
        var second = Line(2);
        var third = Line(3);
        queue.Enqueue(second);
        queue.Enqueue(third);
        queue.WriteCompleted();
        var next = queue.TakeNextWrite();
        Assert.Equal([second, third], next);
        Assert.Equal(5, queue.InFlightBytes);
        Assert.Equal(0, queue.QueuedBytes);
    }

    [Fact]
    public void Chunks_are_the_very_arrays_that_were_queued_so_nothing_is_copied_per_client()
    {
        var queue = new OutboundQueue();
        var shared = Line(100);
        queue.Enqueue(shared);
        Assert.Same(shared, Assert.Single(queue.TakeNextWrite()));
    }

    [Fact]
    public void Clearing_drops_what_is_queued_but_not_the_write_in_flight()
    {
        var queue = new OutboundQueue();
        queue.Enqueue(Line(10));
        queue.TakeNextWrite();
        queue.Enqueue(Line(20));
        queue.Clear();
        Assert.Equal(10, queue.PendingBytes);
        queue.WriteCompleted();
        Assert.Equal(0, queue.PendingBytes);
        Assert.Empty(queue.TakeNextWrite());
    }
}
