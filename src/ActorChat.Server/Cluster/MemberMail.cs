using ActorChat.Server.Sessions;
using Akka.Actor;

namespace ActorChat.Server.Cluster;

/// <summary>
/// How a room reaches its members. A member on this node gets its messages straight away (a single node has no
/// other kind, so nothing changes there). For members on other nodes, a batch of frames goes once per node to that
/// node's <see cref="FanOutRelay"/>, and every other message for such a member goes through the same relay, so
/// answers and batches keep the order the room sent them in.
/// </summary>
/// <remarks>
/// A remote message must stay below Akka.Remote's maximum frame size, or it is dropped. A batch holds its lines once
/// (at most the room's staged bytes and one frame), its senders' own lines once more, and one actor path per member
/// there: so a node's part of a batch is split after <see cref="MaxMembersPerBatch"/> members, each part carrying
/// the lines again. That keeps every batch message under about 0.5 MB, whatever the room's size.
/// </remarks>
public sealed class MemberMail(ActorSystem system)
{
    /// <summary>Members (an actor path each, about 100 bytes) one batch message names at most.</summary>
    public const int MaxMembersPerBatch = 500;

    private readonly Dictionary<Address, ActorSelection> _relays = [];
    private readonly Dictionary<Address, (List<IActorRef> Everyone, List<FanOutRelay.Copy> Copies)> _batches = [];

    public void Tell(IActorRef member, object message)
    {
        if (IsLocal(member)) member.Tell(message, ActorRefs.NoSender);
        else Relay(member.Path.Address).Tell(new FanOutRelay.Addressed(member, message), ActorRefs.NoSender);
    }

    /// <summary>A member whose part of the batch is <paramref name="everyone"/> itself.</summary>
    public void Stage(IActorRef member, Deliver everyone, IReadOnlyList<byte[]> lines)
    {
        if (IsLocal(member)) member.Tell(everyone, ActorRefs.NoSender);
        else
        {
            var batch = Part(member.Path.Address);
            batch.Everyone.Add(member);
            SendIfFull(member.Path.Address, batch, lines, everyone.PostedAt);
        }
    }

    /// <summary>A member whose part of the batch is a copy of its own.</summary>
    public void Stage(FanOutRelay.Copy copy, Deliver everyone, IReadOnlyList<byte[]> lines)
    {
        if (IsLocal(copy.Member)) copy.Member.Tell(copy.ToDeliver(lines, everyone), ActorRefs.NoSender);
        else
        {
            var batch = Part(copy.Member.Path.Address);
            batch.Copies.Add(copy);
            SendIfFull(copy.Member.Path.Address, batch, lines, everyone.PostedAt);
        }
    }

    /// <summary>Sends what <see cref="Stage(IActorRef, Deliver, IReadOnlyList{byte[]})"/> gathered for other nodes: one message per node (per <see cref="MaxMembersPerBatch"/> members).</summary>
    public void SendBatch(IReadOnlyList<byte[]> lines, long postedAt)
    {
        if (_batches.Count == 0) return;
        foreach (var (address, batch) in _batches) Send(address, batch, lines, postedAt);
        _batches.Clear();
    }

    private (List<IActorRef> Everyone, List<FanOutRelay.Copy> Copies) Part(Address address)
    {
        if (!_batches.TryGetValue(address, out var batch))
            _batches[address] = batch = ([], []);
        return batch;
    }

    private void SendIfFull(Address address, (List<IActorRef> Everyone, List<FanOutRelay.Copy> Copies) batch, IReadOnlyList<byte[]> lines, long postedAt)
    {
        if (batch.Everyone.Count + batch.Copies.Count < MaxMembersPerBatch) return;
        Send(address, batch, lines, postedAt);
        batch.Everyone.Clear();
        batch.Copies.Clear();
    }

    private void Send(Address address, (List<IActorRef> Everyone, List<FanOutRelay.Copy> Copies) batch, IReadOnlyList<byte[]> lines, long postedAt)
    {
        if (batch.Everyone.Count + batch.Copies.Count == 0) return;
        Relay(address).Tell(new FanOutRelay.Batch([.. lines], postedAt, [.. batch.Everyone], [.. batch.Copies]), ActorRefs.NoSender);
    }

    private static bool IsLocal(IActorRef member) => member is not IActorRefScope { IsLocal: false };

    private ActorSelection Relay(Address address)
    {
        if (!_relays.TryGetValue(address, out var relay))
            _relays[address] = relay = system.ActorSelection(new RootActorPath(address) / "user" / FanOutRelay.Name);
        return relay;
    }
}
