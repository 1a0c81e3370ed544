using ActorChat.Server.Sessions;
using Akka.Actor;

namespace ActorChat.Server.Cluster;

/// <summary>
/// One per node in cluster mode (<c>/user/fanout-relay</c>): a room on another node sends each batch of frames once
/// to this node's relay, with the members here it is for, and the relay hands it to their connection actors. So a
/// fan-out costs one remote message per node with members rather than one per member. Messages the room sends one
/// member (its answers) come through the same relay, so they keep their order with the batches.
/// </summary>
/// <remarks>
/// A batch carries its lines once. The members whose copy differs (their own posts are in it, as answers, or they
/// joined part-way through it) get a <see cref="Copy"/>: which lines are theirs and their own posts' lines, which
/// the relay puts together here. Sending each such member a whole copy of the batch instead made a batch grow with
/// the number of senders on the node, past Akka.Remote's maximum frame size, and Akka.Remote drops a message that
/// is too large without telling the sender (docs/architecture.md, "How big a message between nodes gets").
/// </remarks>
public sealed class FanOutRelay : ReceiveActor
{
    public const string Name = "fanout-relay";

    /// <summary>
    /// A batch for this node's members: <paramref name="Lines"/> for each of <paramref name="Everyone"/>, and for
    /// each of <paramref name="Copies"/> its own part of them.
    /// </summary>
    public sealed record Batch(byte[][] Lines, long PostedAt, IActorRef[] Everyone, Copy[] Copies);

    /// <summary>
    /// One member's copy of a batch: the lines from <paramref name="Skip"/> on (those before it came before the
    /// member joined), of which <paramref name="Answers"/> are its own posts, with <paramref name="Tagged"/> in place
    /// of the shared lines at their indexes (its own posts again, carrying the ref of its say).
    /// </summary>
    public sealed record Copy(IActorRef Member, int Skip, int Answers, Tagged[] Tagged)
    {
        /// <summary>The member's <see cref="Deliver"/>: <paramref name="everyone"/>'s bytes when it holds the same lines.</summary>
        public Deliver ToDeliver(IReadOnlyList<byte[]> lines, Deliver everyone) =>
            new(Skip == 0 && Tagged.Length == 0 ? everyone.Line : Join(lines, Skip, Tagged), Answers) { PostedAt = everyone.PostedAt };
    }

    /// <summary>A member's own line at <paramref name="Index"/> of the batch.</summary>
    public sealed record Tagged(int Index, byte[] Line);

    /// <summary>One message for one member on this node.</summary>
    public sealed record Addressed(IActorRef Member, object Message);

    /// <summary>How many batches came from rooms on other nodes (read by the node's load report).</summary>
    public sealed class Counters
    {
        private long _remoteBatches;

        public long RemoteBatches => Interlocked.Read(ref _remoteBatches);

        internal void CountRemoteBatch() => Interlocked.Increment(ref _remoteBatches);
    }

    public FanOutRelay(Counters counters)
    {
        Receive<Batch>(batch =>
        {
            if (!Sender.Path.Address.HasLocalScope) counters.CountRemoteBatch();
            var everyone = new Deliver(Join(batch.Lines, 0, [])) { PostedAt = batch.PostedAt };
            foreach (var member in batch.Everyone) member.Tell(everyone, ActorRefs.NoSender);
            foreach (var copy in batch.Copies) copy.Member.Tell(copy.ToDeliver(batch.Lines, everyone), ActorRefs.NoSender);
        });
        Receive<Addressed>(one => one.Member.Tell(one.Message, ActorRefs.NoSender));
    }

    public static Props Props(Counters counters) => Akka.Actor.Props.Create(() => new FanOutRelay(counters));

    /// <summary>
    /// The lines from <paramref name="first"/> on as one buffer (the line itself when there is one), with
    /// <paramref name="tagged"/> in place of the lines at their indexes.
    /// </summary>
    public static byte[] Join(IReadOnlyList<byte[]> lines, int first, IReadOnlyList<Tagged> tagged)
    {
        if (first == lines.Count - 1 && tagged.Count == 0) return lines[first];
        var chosen = new byte[lines.Count - first][];
        for (var i = first; i < lines.Count; i++) chosen[i - first] = lines[i];
        foreach (var own in tagged)
            if (own.Index >= first) chosen[own.Index - first] = own.Line;
        if (chosen.Length == 1) return chosen[0];
        var payload = new byte[chosen.Sum(l => l.Length)];
        var offset = 0;
        foreach (var line in chosen)
        {
            line.CopyTo(payload, offset);
            offset += line.Length;
        }
        return payload;
    }
}
