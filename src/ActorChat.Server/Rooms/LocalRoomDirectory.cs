using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Sessions;
using ActorChat.Server.Status;
using Akka.Actor;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Rooms;

/// <summary>
/// The room directory of a single node: one child <see cref="RoomActor"/> per room, created by the first join.
/// Sessions only ever talk to the directory, so a cluster shard region can stand in its place.
/// </summary>
public sealed class LocalRoomDirectory : UntypedActor
{
    private readonly RoomSettings _settings;
    private readonly ChatStatistics _statistics;
    private readonly Dictionary<string, (string Name, int Members)> _occupancy = new(StringComparer.Ordinal);

    public LocalRoomDirectory(RoomSettings settings, ChatStatistics statistics)
    {
        _settings = settings;
        _statistics = statistics;
    }

    public static Props Props(RoomSettings settings, ChatStatistics statistics) =>
        Akka.Actor.Props.Create(() => new LocalRoomDirectory(settings, statistics));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IRoomCommand command: Route(command); break;
            case Occupancy occupancy: _occupancy[occupancy.Key] = (occupancy.Name, occupancy.Members); break;
            case ListRooms list: ReplyRoomList(list.Member); break;
            case GetRoomSummaries: Sender.Tell(new RoomSummaries(Summaries())); break;
            default: Unhandled(message); break;
        }
    }

    private void Route(IRoomCommand command)
    {
        var key = Protocol.Key(command.Room);
        var room = Context.Child(key);
        if (room.IsNobody())
        {
            if (command is not Join)
            {
                AnswerForMissingRoom(command);
                return;
            }
            room = Context.ActorOf(RoomActor.Props(command.Room, _settings, _statistics), key);
            _occupancy[key] = (command.Room, 0);
        }
        room.Forward(command);
    }

    /// <summary>A room that was never joined has no members, no messages, and nobody in it to speak.</summary>
    private static void AnswerForMissingRoom(IRoomCommand command)
    {
        ServerFrame answer = command switch
        {
            GetMembers get => new MembersFrame(get.Room, []),
            GetStats get => new StatsFrame(get.Room, new Dictionary<string, long>()),
            _ => new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{command.Room}'."),
        };
        command.Member.Tell(new Deliver(FrameCodec.EncodeLine(answer)), ActorRefs.NoSender);
    }

    private void ReplyRoomList(IActorRef member) =>
        member.Tell(new Deliver(FrameCodec.EncodeLine(new RoomListFrame(Summaries()))), ActorRefs.NoSender);

    private RoomSummary[] Summaries() => _occupancy.Values
        .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
        .Select(r => new RoomSummary(r.Name, r.Members))
        .ToArray();
}
