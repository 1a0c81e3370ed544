using ActorChat.Messages;
using Akka.Actor;
using Akka.Event;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Rooms;

/// <summary>
/// What the room does when one of its persistent children (its rules, its notes) fails: the same for both, so a
/// room behaves alike whichever part of it broke.
/// </summary>
public sealed partial class RoomActor
{
    /// <summary>
    /// A child could not recover its state: the room stops and its directory answers unavailable for it until a
    /// later start recovers. <paramref name="part"/> names the part in the log ("Rules"), <paramref name="what"/> in
    /// the reason the directory reports ("rules").
    /// </summary>
    private void StopAsUnrecoverable(string part, string what, string reason)
    {
        if (_failed) return;
        _failed = true;
        _log.Error("{0} of room {1} cannot be recovered; it answers unavailable until they can: {2}", part, _name, reason);
        Context.Parent.Tell(new RoomUnrecoverable(_key, _members.ToArray(), $"its {what}: {reason}"));
        Context.Stop(Self);
    }

    /// <summary>
    /// A child stopped because it could not write: the change in flight and those waiting for it are answered
    /// unavailable, and the room restarts with its members, as after a failed message write.
    /// </summary>
    private void RestartAfterChildFailed(string what, IRoomCommand? inFlight, Queue<IRoomCommand> waiting)
    {
        if (_failed) return;
        _failed = true;
        SendStagedMessages();
        var notSaved = new ErrorFrame(ErrorCodes.Unavailable, "The change was not saved; try again.");
        if (inFlight is not null) AnswerOrRefuse(inFlight, notSaved);
        while (waiting.TryDequeue(out var next)) AnswerOrRefuse(next, notSaved);
        _log.Error("Room {0}: its {1} could not be saved, restarting the room", _name, what);
        Context.Parent.Tell(new RoomFailed(_key, _members.ToArray()));
        Context.Stop(Self);
    }
}
