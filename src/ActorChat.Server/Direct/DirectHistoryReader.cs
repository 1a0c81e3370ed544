using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Direct;

/// <summary>
/// Reads one page of a conversation's history from the journal (a replay of a seq range, as rooms page in
/// <see cref="Rooms.HistoryReader"/>) and answers the viewer with a history frame.
/// </summary>
public sealed class DirectHistoryReader : UntypedActor
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _persistenceId;
    private readonly string _conversationName;
    private readonly long _from;
    private readonly long _to;
    private readonly IActorRef _viewer;
    private readonly string? _ref;
    private readonly List<MessageFrame> _messages = [];

    public DirectHistoryReader(string persistenceId, string conversationName, long from, long to, IActorRef viewer, string? reference)
    {
        _persistenceId = persistenceId;
        _conversationName = conversationName;
        _from = from;
        _to = to;
        _viewer = viewer;
        _ref = reference;
    }

    public static Props Props(string persistenceId, string conversationName, long from, long to, IActorRef viewer, string? reference) =>
        Akka.Actor.Props.Create<DirectHistoryReader>(persistenceId, conversationName, from, to, viewer, reference!);

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
            case ReplayedMessage { Persistent.Payload: DirectMessageKept kept }:
                _messages.Add(DirectLog.FrameOf(kept, _conversationName));
                break;
            case ReplayedMessage: break;
            case RecoverySuccess: Answer(new HistoryFrame(_conversationName, _messages)); break;
            case ReplayMessagesFailure failure:
                _log.Warning("History of {0} ({1}..{2}) could not be read: {3}", _persistenceId, _from, _to, failure.Cause.Message);
                Answer(new ErrorFrame(ErrorCodes.Unavailable, "History could not be read; try again."));
                break;
            case ReceiveTimeout:
                Answer(new ErrorFrame(ErrorCodes.Unavailable, "History could not be read in time; try again."));
                break;
            default: Unhandled(message); break;
        }
    }

    private void Answer(ServerFrame frame)
    {
        _viewer.Tell(Deliver.Answer(frame with { Ref = _ref }), ActorRefs.NoSender);
        Context.Stop(Self);
    }
}
