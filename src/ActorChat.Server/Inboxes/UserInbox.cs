using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Inboxes;

/// <summary>
/// One registered user's mentions and read markers (persistence id <c>inbox-&lt;name key&gt;</c>), a child of
/// <see cref="UserInboxes"/>. Every request is answered exactly once, to the session that asked.
/// </summary>
public sealed class UserInbox : UntypedPersistentActor
{
    private const int SnapshotEvery = 200;

    /// <summary>Keep a mention (from a room, nobody answers).</summary>
    public sealed record Record(MentionStored Mention);

    /// <summary>Answered with a mentions frame: the latest <paramref name="Limit"/>, newest first.</summary>
    public sealed record GetMentions(int Limit, IActorRef Session, string? Ref);

    /// <summary>Answered with done (read) once stored, or at once when it does not go forward.</summary>
    public sealed record MarkRead(string RoomKey, long Seq, IActorRef Session, string? Ref);

    /// <summary>Answered with <see cref="LastRead"/> (not a frame: the session goes on with the join it is for).</summary>
    public sealed record GetLastRead(string RoomKey, IActorRef Session);

    public sealed record LastRead(string RoomKey, long Seq);

    /// <summary>Answered with <see cref="ReadMarkers"/> (not a frame: the session goes on with the rooms list it is for).</summary>
    public sealed record GetReadMarkers(IActorRef Session);

    public sealed record ReadMarkers(IReadOnlyDictionary<string, long> Seqs);
    /// <summary>
    /// Keep the latest message of a direct-message conversation (from the conversation). Once it is stored (or could
    /// not be), <paramref name="Answer"/> goes to <paramref name="AnswerTo"/>: the sender hears back only when the
    /// recipient's inbox has it.
    /// </summary>
    public sealed record RecordDirect(DirectTouched Touched, IActorRef? AnswerTo = null, Deliver? Answer = null);

    /// <summary>
    /// Answered with a dms frame. <paramref name="AtSignIn"/>: not an answer but the notice after sign-in, sent only
    /// when something is unread.
    /// </summary>
    public sealed record GetConversations(IActorRef Session, string? Ref, bool AtSignIn = false);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Inbox _inbox = new();
    private readonly string _key;
    private (IActorRef Session, string? Ref)? _pendingAnswer; // the session a stored read marker answers
    private RecordDirect? _pendingDirect; // the direct message being stored, whose sender is answered after

    public UserInbox(string key) => _key = key;

    public static Props Props(string key) => Akka.Actor.Props.Create<UserInbox>(key);

    public static string PersistenceIdOf(string userKey) => "inbox-" + userKey;

    public override string PersistenceId => PersistenceIdOf(_key);

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: InboxSnapshot snapshot }: _inbox.Apply(snapshot); break;
            case IInboxEvent change: _inbox.Apply(change); break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Record record: Store(record.Mention, null, null); break;
            case GetMentions get:
                var frames = _inbox.Latest(get.Limit)
                    .Select(m => new MessageFrame(m.Id, m.Room, m.Sender, m.Text, m.Timestamp, m.Seq))
                    .ToArray();
                get.Session.Tell(Deliver.Answer(new MentionsFrame(frames) { Ref = get.Ref }), ActorRefs.NoSender);
                break;
            case MarkRead mark when !_inbox.Advances(mark.RoomKey, mark.Seq):
                mark.Session.Tell(Deliver.Answer(new DoneFrame("read") { Ref = mark.Ref }), ActorRefs.NoSender);
                break;
            case MarkRead mark: Store(new ReadMarked(mark.RoomKey, mark.Seq), mark.Session, mark.Ref); break;
            case GetReadMarkers get:
                get.Session.Tell(new ReadMarkers(new Dictionary<string, long>(_inbox.ReadMarkers, StringComparer.Ordinal)), ActorRefs.NoSender);
                break;
            case RecordDirect record: StoreDirect(record); break;
            case GetConversations get: OnGetConversations(get); break;
            case GetLastRead get: get.Session.Tell(new LastRead(get.RoomKey, _inbox.LastRead(get.RoomKey)), ActorRefs.NoSender); break;
            case SaveSnapshotSuccess saved: DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)); break;
            case SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            default: Unhandled(message); break;
        }
    }

    private void OnGetConversations(GetConversations get)
    {
        var summaries = _inbox.Conversations
            .Select(c => new DirectConversationSummary(c.With, _inbox.Unread(c.Conversation),
                new DirectMessageFrame(c.Id, c.From, c.To, c.Text, c.Timestamp) { Seq = c.Seq }, c.Seq))
            .ToArray();
        if (!get.AtSignIn)
            get.Session.Tell(Deliver.Answer(new DmsFrame(summaries) { Ref = get.Ref }), ActorRefs.NoSender);
        else if (summaries.Any(s => s.Unread > 0))
            get.Session.Tell(new Deliver(FrameCodec.EncodeLine(new DmsFrame(summaries))), ActorRefs.NoSender);
    }

    private void StoreDirect(RecordDirect record)
    {
        _pendingDirect = record;
        Persist(record.Touched, stored =>
        {
            _pendingDirect = null;
            _inbox.Apply(stored);
            if (record.Answer is not null) record.AnswerTo?.Tell(record.Answer, ActorRefs.NoSender);
            if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(_inbox.ToSnapshot());
        });
    }

    /// <summary>Stores a change; <paramref name="session"/> (if any) is answered once it is stored.</summary>
    private void Store(IInboxEvent change, IActorRef? session, string? reference)
    {
        _pendingAnswer = session is null ? null : (session, reference); // Persist holds further commands until stored: one at a time
        Persist(change, stored =>
        {
            _pendingAnswer = null;
            _inbox.Apply(stored);
            session?.Tell(Deliver.Answer(new DoneFrame("read") { Ref = reference }), ActorRefs.NoSender);
            if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(_inbox.ToSnapshot());
        });
    }

    // A write that fails stops the inbox; its parent starts it again on the next request. The request is answered.
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error("Inbox of {0} could not be saved: {1}", _key, cause.Message);
        AnswerNotSaved(@event);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("Inbox of {0}: change rejected by the journal: {1}", _key, cause.Message);
        AnswerNotSaved(@event);
    }

    private void AnswerNotSaved(object change)
    {
        if (change is ReadMarked && _pendingAnswer is { } pending)
            pending.Session.Tell(Deliver.Answer(new ErrorFrame(ErrorCodes.Unavailable, "The read marker was not saved; try again.") { Ref = pending.Ref }), ActorRefs.NoSender);
        _pendingAnswer = null;
        // The message itself is kept in its conversation: its sender is answered all the same.
        if (change is DirectTouched && _pendingDirect is { Answer: { } answer, AnswerTo: { } sender }) sender.Tell(answer, ActorRefs.NoSender);
        _pendingDirect = null;
    }
}
