using ActorChat.Messages;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Cluster.Sharding;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Cluster;

/// <summary>
/// The room directory of a node in cluster mode, registered where <see cref="Rooms.LocalRoomDirectory"/> is on a
/// single node, so sessions do not change: commands for a room go to the room's sharding entity
/// (<see cref="RoomEntity"/>, on whichever node holds it), the rooms list to the cluster-wide
/// <see cref="ClusterRoomCatalog"/>.
/// </summary>
public sealed class ClusterRoomDirectory(IActorRef rooms, IActorRef catalog) : UntypedActor
{
    public static Props Props(IActorRef rooms, IActorRef catalog) => Akka.Actor.Props.Create(() => new ClusterRoomDirectory(rooms, catalog));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            // Dropping needs the cluster-wide catalog and the room's entity to agree on a new generation; not built yet.
            case DropRoom drop:
                drop.Member.Tell(Deliver.Answer(new ErrorFrame(ErrorCodes.Unavailable,
                    $"Room '{drop.Room}' cannot be dropped while the server runs as a cluster.") { Ref = drop.Ref }), ActorRefs.NoSender);
                break;
            case IRoomCommand command: rooms.Forward(command); break;
            case ListRooms or GetRoomSummaries: catalog.Forward(message); break;
            default: Unhandled(message); break;
        }
    }
}

/// <summary>A room's commands go to the entity named by the room's key; shards spread rooms over the nodes.</summary>
public sealed class RoomShardExtractor() : HashCodeMessageExtractor(maxNumberOfShards: 100)
{
    public override string EntityId(object message) => message switch
    {
        IRoomCommand command => Protocol.Key(command.Room),
        _ => null!,
    };
}
