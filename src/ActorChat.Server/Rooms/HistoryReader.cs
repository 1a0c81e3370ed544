using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Reads one page of a room's (or a direct-message conversation's) history from the journal, for pages older than
/// memory keeps, and answers the member with a history frame. It asks the journal plugin for a replay of a
/// sequence-number range, which every journal (SQL and in-memory alike) serves, so paging needs no read journal; a
/// page is an index range scan. What each stored event shows as is up to the caller.
/// </summary>
public sealed class HistoryReader : UntypedActor
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _persistenceId;
    private readonly string _name;
    private readonly long _from;
    private readonly long _to;
    private readonly IActorRef _member;
    private readonly string? _ref;
    private readonly List<MessageFrame> _messages = [];
    private readonly Func<object, MessageFrame?> _frameOf;

    public HistoryReader(string persistenceId, string name, long from, long to, IActorRef member, string? reference, Func<object, MessageFrame?> frameOf)
    {
        _frameOf = frameOf;
        _ref = reference;
        _persistenceId = persistenceId;
        _name = name;
        _from = from;
        _to = to;
        _member = member;
    }

    /// <summary>
    /// A room's page. <paramref name="deleted"/>: the seqs in the range that are tombstones (the room's rules know
    /// them); <paramref name="notes"/>: the edits and reactions of the range.
    /// </summary>
    public static Props Props(string persistenceId, string room, long from, long to, IActorRef member, string? reference = null,
        IReadOnlySet<long>? deleted = null, MessageNotes? notes = null)
    {
        var tombstones = deleted ?? new HashSet<long>();
        var shown = notes ?? new MessageNotes();
        return Props(persistenceId, room, from, to, member, reference, payload => payload is MessagePosted posted
            ? tombstones.Contains(posted.Seq) ? RoomActor.Tombstone(RoomActor.FrameOf(posted, room)) : shown.Show(RoomActor.FrameOf(posted, room))
            : null);
    }

    /// <summary>A page of any journal: <paramref name="frameOf"/> shows a stored event as a message, or null to leave it out.</summary>
    public static Props Props(string persistenceId, string name, long from, long to, IActorRef member, string? reference,
        Func<object, MessageFrame?> frameOf) =>
        Akka.Actor.Props.Create<HistoryReader>(persistenceId, name, from, to, member, reference!, frameOf); // not the expression form: it is compiled on every call

    protected override void PreStart()
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(null);
        journal.Tell(new ReplayMessages(_from, _to, _to - _from + 1, _persistenceId, Self));
        Context.SetReceiveTimeout(Timeout);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ReplayedMessage replayed:
                if (_frameOf(replayed.Persistent.Payload) is { } frame) _messages.Add(frame);
                break;
            case RecoverySuccess:
                Answer(new HistoryFrame(_name, _messages));
                break;
            case ReplayMessagesFailure failure:
                _log.Warning("History of {0} ({1}..{2}) could not be read: {3}", _name, _from, _to, failure.Cause.Message);
                Answer(new ErrorFrame(ErrorCodes.Unavailable, "History could not be read; try again."));
                break;
            case ReceiveTimeout:
                _log.Warning("History of {0} ({1}..{2}) took longer than {3}", _name, _from, _to, Timeout);
                Answer(new ErrorFrame(ErrorCodes.Unavailable, "History could not be read in time; try again."));
                break;
            default: Unhandled(message); break;
        }
    }

    private void Answer(ServerFrame frame)
    {
        _member.Tell(Deliver.Answer(frame with { Ref = _ref }), ActorRefs.NoSender);
        Context.Stop(Self);
    }
}
