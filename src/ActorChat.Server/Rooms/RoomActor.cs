using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Sessions;
using ActorChat.Server.Status;
using Akka.Actor;
using Akka.Event;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Rooms;

/// <summary>
/// One chat room: its members, the order of its messages (seq), the last messages for newcomers and the count
/// of messages per user. A message is encoded once and the same bytes go to every member.
/// </summary>
public sealed class RoomActor : UntypedActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _name;
    private readonly RoomSettings _settings;
    private readonly ChatStatistics _statistics;
    private readonly List<Member> _members = [];
    private readonly Queue<MessageFrame> _history = new();
    private readonly Dictionary<string, long> _messagesPerUser = new(StringComparer.Ordinal);
    private long _seq;

    private sealed record Member(IActorRef Ref, string User);

    public RoomActor(string name, RoomSettings settings, ChatStatistics statistics)
    {
        _name = name;
        _settings = settings;
        _statistics = statistics;
    }

    public static Props Props(string name, RoomSettings settings, ChatStatistics statistics) =>
        Akka.Actor.Props.Create(() => new RoomActor(name, settings, statistics));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Post post: OnPost(post); break;
            case Join join: OnJoin(join); break;
            case Leave leave: OnLeave(leave); break;
            case GetMembers get: Send(get.Member, new MembersFrame(_name, MemberNames())); break;
            case GetStats get: Send(get.Member, new StatsFrame(_name, new Dictionary<string, long>(_messagesPerUser))); break;
            case Terminated terminated: OnMemberGone(terminated.ActorRef); break;
            default: Unhandled(message); break;
        }
    }

    private void OnJoin(Join join)
    {
        if (IndexOf(join.Member) < 0)
        {
            _members.Add(new Member(join.Member, join.User));
            Context.Watch(join.Member);
            Broadcast(new PresenceFrame(_name, join.User, PresenceFrame.Join), except: join.Member);
            ReportOccupancy();
            _log.Info("{0} joined {1} ({2} members)", join.User, _name, _members.Count);
        }
        // Joining again is harmless: the member simply gets the current state once more.
        Send(join.Member, new JoinedFrame(_name, MemberNames(), _history.ToArray()));
    }

    private void OnLeave(Leave leave)
    {
        if (!Remove(leave.Member))
        {
            Send(leave.Member, new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{_name}'."));
            return;
        }
        Send(leave.Member, new LeftFrame(_name));
        _log.Info("{0} left {1}", leave.User, _name);
    }

    private void OnMemberGone(IActorRef member)
    {
        var index = IndexOf(member);
        if (index < 0) return;
        _log.Info("{0} left {1} (disconnected)", _members[index].User, _name);
        Remove(member);
    }

    private bool Remove(IActorRef memberRef)
    {
        var index = IndexOf(memberRef);
        if (index < 0) return false;
        var member = _members[index];
        _members.RemoveAt(index);
        Context.Unwatch(memberRef);
        Broadcast(new PresenceFrame(_name, member.User, PresenceFrame.Leave), except: null);
        ReportOccupancy();
        return true;
    }

    private void OnPost(Post post)
    {
        if (IndexOf(post.Member) < 0)
        {
            Send(post.Member, new ErrorFrame(ErrorCodes.NotInRoom, $"Join room '{_name}' before saying something there."));
            return;
        }

        var frame = new MessageFrame(
            Id: Guid.CreateVersion7().ToString("N"),
            Room: _name,
            Sender: post.User,
            Text: post.Text,
            Timestamp: Protocol.FormatTimestamp(DateTime.UtcNow),
            Seq: ++_seq);
        Broadcast(frame, except: null);
        _statistics.CountMessage();

        if (_settings.HistorySize > 0)
        {
            if (_history.Count == _settings.HistorySize) _history.Dequeue();
            _history.Enqueue(frame);
        }
        _messagesPerUser[post.User] = _messagesPerUser.GetValueOrDefault(post.User) + 1;
    }

    private void Broadcast(ServerFrame frame, IActorRef? except)
    {
        var deliver = new Deliver(FrameCodec.EncodeLine(frame));
        foreach (var member in _members)
        {
            if (!ReferenceEquals(member.Ref, except)) member.Ref.Tell(deliver, ActorRefs.NoSender);
        }
    }

    private static void Send(IActorRef to, ServerFrame frame) => to.Tell(new Deliver(FrameCodec.EncodeLine(frame)), ActorRefs.NoSender);

    private int IndexOf(IActorRef member)
    {
        for (var i = 0; i < _members.Count; i++)
        {
            if (_members[i].Ref.Equals(member)) return i;
        }
        return -1;
    }

    private string[] MemberNames() => _members.Select(m => m.User).ToArray();

    private void ReportOccupancy() => Context.Parent.Tell(new Occupancy(Self.Path.Name, _name, _members.Count));
}
