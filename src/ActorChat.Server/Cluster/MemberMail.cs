using ActorChat.Server.Sessions;
using Akka.Actor;

namespace ActorChat.Server.Cluster;

/// <summary>
/// How a room reaches its members. A member on this node gets its messages straight away (a single node has no
/// other kind, so nothing changes there). For members on other nodes, a batch of frames for everyone goes once per
/// node to that node's <see cref="FanOutRelay"/>, and every other message for such a member goes through the same
/// relay, so answers and batches keep the order the room sent them in.
/// </summary>
public sealed class MemberMail(ActorSystem system)
{
    private readonly Dictionary<Address, ActorSelection> _relays = [];
    private readonly Dictionary<Address, (List<IActorRef> Everyone, List<FanOutRelay.Addressed> Own)> _batches = [];

    public void Tell(IActorRef member, object message)
    {
        if (IsLocal(member)) member.Tell(message, ActorRefs.NoSender);
        else Relay(member.Path.Address).Tell(new FanOutRelay.Addressed(member, message), ActorRefs.NoSender);
    }

    /// <summary>One member's part of a batch: <paramref name="everyone"/> itself, or a copy of its own.</summary>
    public void Stage(IActorRef member, Deliver deliver, Deliver everyone)
    {
        if (IsLocal(member))
        {
            member.Tell(deliver, ActorRefs.NoSender);
            return;
        }
        if (!_batches.TryGetValue(member.Path.Address, out var batch))
            _batches[member.Path.Address] = batch = ([], []);
        if (ReferenceEquals(deliver, everyone)) batch.Everyone.Add(member);
        else batch.Own.Add(new FanOutRelay.Addressed(member, deliver));
    }

    /// <summary>Sends what <see cref="Stage"/> gathered for other nodes: one message per node.</summary>
    public void SendBatch(Deliver everyone)
    {
        if (_batches.Count == 0) return;
        foreach (var (address, batch) in _batches)
            Relay(address).Tell(new FanOutRelay.Batch(everyone, [.. batch.Everyone], [.. batch.Own]), ActorRefs.NoSender);
        _batches.Clear();
    }

    private static bool IsLocal(IActorRef member) => member is not IActorRefScope { IsLocal: false };

    private ActorSelection Relay(Address address)
    {
        if (!_relays.TryGetValue(address, out var relay))
            _relays[address] = relay = system.ActorSelection(new RootActorPath(address) / "user" / FanOutRelay.Name);
        return relay;
    }
}
