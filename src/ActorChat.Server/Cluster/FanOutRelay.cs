using ActorChat.Server.Sessions;
using Akka.Actor;

namespace ActorChat.Server.Cluster;

/// <summary>
/// One per node in cluster mode (<c>/user/fanout-relay</c>): a room on another node sends each batch of frames for
/// everyone once to this node's relay, with the members here it is for, and the relay hands it to their connection
/// actors. So a fan-out costs one remote message per node with members rather than one per member. Messages the
/// room sends one member (its answers) come through the same relay, so they keep their order with the batches.
/// </summary>
public sealed class FanOutRelay : ReceiveActor
{
    public const string Name = "fanout-relay";

    /// <summary>
    /// A batch for this node's members: <paramref name="Everyone"/> for each of <paramref name="Members"/>, and for
    /// the members whose own posts are in it (their copies are answers), their own <see cref="Deliver"/>.
    /// </summary>
    public sealed record Batch(Deliver Everyone, IActorRef[] Members, Addressed[] Own);

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
            foreach (var member in batch.Members) member.Tell(batch.Everyone, ActorRefs.NoSender);
            foreach (var own in batch.Own) own.Member.Tell(own.Message, ActorRefs.NoSender);
        });
        Receive<Addressed>(one => one.Member.Tell(one.Message, ActorRefs.NoSender));
    }

    public static Props Props(Counters counters) => Akka.Actor.Props.Create(() => new FanOutRelay(counters));
}
