using ActorChat.Messages;
using ActorChat.Server.Rooms;

namespace ActorChat.Server.Sessions;

/// <summary>An operator drops a whole room; the members of a dropped room are put out of it.</summary>
public sealed partial class ChatSession
{
    /// <summary>Operators only; the directory (not the room, which may be damaged) stores the drop and answers.</summary>
    private void OnDrop(DropRequest drop)
    {
        if (!CheckRoomName(drop) || !CheckOperator(drop)) return;
        if (ReasonProblem(drop.Reason) is { } problem)
        {
            Reply(drop, problem);
            return;
        }
        Expect(drop);
        Tell(_services.RoomDirectory, new RoomProtocol.DropRoom(drop.Room, UserName!, NullIfEmpty(drop.Reason), _transport.Self, drop.Ref));
    }

    /// <summary>The room was dropped: the client is no longer in it, and what it asked of the room is answered now.</summary>
    private void OnRoomDropped(RoomProtocol.RoomGone dropped)
    {
        var wasIn = _rooms.Remove(dropped.Key);
        Detach(dropped.Key);
        if (_unansweredTarget == dropped.Key) FailUnanswered($"Room '{dropped.Frame.Room}' was dropped before it answered.");
        if (wasIn) _transport.Send(dropped.Frame);
    }
}
