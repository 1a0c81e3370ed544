using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.TestKit;

namespace ActorChat.Tests.Support;

/// <summary>
/// What members (probes) were sent, frame by frame. A room sends the messages of one journal batch as one
/// <see cref="Deliver"/> of several lines, so specs read frames, not deliveries.
/// </summary>
public sealed class DeliveredFrames
{
    private readonly Dictionary<TestProbe, Queue<ServerFrame>> _pending = [];

    /// <summary>The member's next frame, which must be a <typeparamref name="T"/>.</summary>
    public T Expect<T>(TestProbe member) where T : ServerFrame
    {
        var queue = QueueOf(member);
        if (queue.Count == 0) Add(member, member.ExpectMsg<Deliver>());
        return Assert.IsType<T>(queue.Dequeue());
    }

    /// <summary>Takes in a delivery that a spec received itself.</summary>
    public void Add(TestProbe member, Deliver deliver)
    {
        var queue = QueueOf(member);
        foreach (var frame in Frames.DecodeLines(deliver.Line)) queue.Enqueue(frame);
    }

    private Queue<ServerFrame> QueueOf(TestProbe member)
    {
        if (!_pending.TryGetValue(member, out var queue)) _pending[member] = queue = new Queue<ServerFrame>();
        return queue;
    }
}
