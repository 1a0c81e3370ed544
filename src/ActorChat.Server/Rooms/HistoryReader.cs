using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Reads one page of a room's history from the journal, for pages older than the room keeps in memory, and answers
/// the member with a history frame. It asks the journal plugin for a replay of a sequence-number range, which every
/// journal (SQL and in-memory alike) serves, so paging needs no read journal; a page is an index range scan.
/// </summary>
public sealed class HistoryReader : UntypedActor
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _persistenceId;
    private readonly string _room;
    private readonly long _from;
    private readonly long _to;
    private readonly IActorRef _member;
    private readonly string? _ref;
    private readonly List<MessageFrame> _messages = [];
    private readonly IReadOnlySet<long> _deleted;
    private readonly MessageNotes _notes;

    public HistoryReader(string persistenceId, string room, long from, long to, IActorRef member, string? reference, IReadOnlySet<long> deleted, MessageNotes notes)
    {
        _deleted = deleted;
        _notes = notes;
        _ref = reference;
        _persistenceId = persistenceId;
        _room = room;
        _from = from;
        _to = to;
        _member = member;
    }

    /// <summary>
    /// <paramref name="deleted"/>: the seqs in the range that are tombstones (the room's rules know them);
    /// <paramref name="notes"/>: the edits and reactions of the range.
    /// </summary>
    public static Props Props(string persistenceId, string room, long from, long to, IActorRef member, string? reference = null,
        IReadOnlySet<long>? deleted = null, MessageNotes? notes = null) =>
        Akka.Actor.Props.Create<HistoryReader>(persistenceId, room, from, to, member, reference!, deleted ?? new HashSet<long>(), notes ?? new MessageNotes()); // not the expression form: it is compiled on every call

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
            case ReplayedMessage { Persistent.Payload: MessagePosted posted }:
                var frame = RoomActor.FrameOf(posted, _room);
                _messages.Add(_deleted.Contains(posted.Seq) ? RoomActor.Tombstone(frame) : _notes.Show(frame));
                break;
            case ReplayedMessage: break;
            case RecoverySuccess:
                Answer(new HistoryFrame(_room, _messages));
                break;
            case ReplayMessagesFailure failure:
                _log.Warning("History of {0} ({1}..{2}) could not be read: {3}", _room, _from, _to, failure.Cause.Message);
                Answer(new ErrorFrame(ErrorCodes.Unavailable, "History could not be read; try again."));
                break;
            case ReceiveTimeout:
                _log.Warning("History of {0} ({1}..{2}) took longer than {3}", _room, _from, _to, Timeout);
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
