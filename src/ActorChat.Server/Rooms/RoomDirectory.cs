namespace ActorChat.Server.Rooms;

/// <summary>
/// The key under which the room directory is registered (ActorRegistry). It is the one seam through which
/// sessions reach rooms: <see cref="LocalRoomDirectory"/> on a single node, a shard region in a cluster.
/// </summary>
public sealed class RoomDirectory
{
    private RoomDirectory() { }
}
