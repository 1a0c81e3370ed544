using ActorChat.Messages;
using ActorChat.Server.Inboxes;
using ActorChat.Server.Search;
using ActorChat.Server.Sessions;
using ActorChat.Server.Users;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorChat.Server.Direct;

/// <summary>
/// The kept direct messages between two registered users (persistence id <c>dm-&lt;a&gt;~&lt;b&gt;</c>, the name keys
/// sorted), a child of <see cref="DirectConversations"/>. Every request is answered exactly once, to the session
/// that asked. Idle for a while, it asks its parent to stop it (passivation).
/// </summary>
public sealed class DirectConversation : UntypedPersistentActor
{
    private const int SnapshotEvery = 200;
    private const int MaxConcurrentHistoryReads = 8;

    /// <summary>Keep and deliver a message; answered with the sender's own copy (carrying <paramref name="Ref"/>) or unavailable.</summary>
    public sealed record Post(string From, string To, string Text, IActorRef Session, string? Ref)
    {
        public IReadOnlyList<FileAttachment>? Attachments { get; init; }
    }

    /// <summary>A page of history for <paramref name="Viewer"/>, who talks with <paramref name="Other"/>; answered with a history frame.</summary>
    public sealed record GetHistory(string Viewer, string Other, long? Before, int Limit, IActorRef Session, string? Ref);

    /// <summary>Told to the parent after the idle time: stop me (the parent holds what comes meanwhile).</summary>
    public sealed record Idle(string Key);

    /// <summary>The parent's answer to <see cref="Idle"/>.</summary>
    public sealed class Stop
    {
        public static readonly Stop Instance = new();
        private Stop() { }
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DirectLog _messages = new();
    private readonly string _key; // "a~b"
    private readonly IActorRef _users;
    private readonly IActorRef _inboxes;
    private readonly TimeSpan _idleAfter;
    private Post? _inFlight;

    public DirectConversation(string key, IActorRef users, IActorRef inboxes, TimeSpan idleAfter)
    {
        _key = key;
        _users = users;
        _inboxes = inboxes;
        _idleAfter = idleAfter;
    }

    public static Props Props(string key, IActorRef users, IActorRef inboxes, TimeSpan idleAfter) =>
        Akka.Actor.Props.Create<DirectConversation>(key, users, inboxes, idleAfter);

    /// <summary>"a~b" for the two name keys, sorted.</summary>
    public static string KeyOf(string oneNameKey, string otherNameKey) =>
        SearchConversations.Direct(oneNameKey, otherNameKey)[SearchConversations.DirectPrefix.Length..];

    public static string PersistenceIdOf(string key) => "dm-" + key;

    public override string PersistenceId => PersistenceIdOf(_key);

    private string ConversationKey => SearchConversations.DirectPrefix + _key;

    protected override void PreStart()
    {
        base.PreStart();
        Context.SetReceiveTimeout(_idleAfter);
    }

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: DirectSnapshot snapshot }: _messages.Apply(snapshot); break;
            case IDirectEvent change: _messages.Apply(change); break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Post post: OnPost(post); break;
            case GetHistory get: OnHistory(get); break;
            case ReceiveTimeout when Context.GetChildren().Any(): break; // a history read is still going
            case ReceiveTimeout: Context.Parent.Tell(new Idle(_key)); break;
            case Stop: Context.Stop(Self); break;
            case SaveSnapshotSuccess saved: DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)); break;
            case SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            default: Unhandled(message); break;
        }
    }

    private void OnPost(Post post)
    {
        var kept = new DirectMessageKept(_messages.LastSeq + 1, Guid.CreateVersion7().ToString("N"), post.From, post.To, post.Text,
            Protocol.FormatTimestamp(DateTime.UtcNow)) { Attachments = post.Attachments is { Count: > 0 } files ? files : null };
        _inFlight = post; // Persist holds further commands until stored: one at a time
        Persist(kept, stored =>
        {
            _inFlight = null;
            _messages.Apply(stored);
            // Before either copy goes out, so the recipient can download the files as soon as it sees them.
            if (stored.Attachments is { } attached)
                Context.System.EventStream.Publish(new Files.FileKeeper.Attached(ConversationKey, stored.Id,
                    attached.Select(f => f.Id).ToArray(), [stored.From, stored.To]));
            var frame = DirectLog.DmFrameOf(stored);
            var line = FrameCodec.EncodeLine(frame);
            _users.Tell(new UserRegistry.DeliverDirect(stored.To, line));
            // The sender's copy answers its dm (carrying the sender's ref, which the recipient never sees), once the
            // recipient's inbox has stored it: an answered dm is counted unread even if the server stops right after.
            var answer = new Deliver(post.Ref is null ? line : FrameCodec.EncodeLine(frame with { Ref = post.Ref }), answers: 1);
            var text = stored.Text.Length <= UserInboxes.MaxStoredText ? stored.Text : stored.Text[..UserInboxes.MaxStoredText] + "…";
            var touched = new DirectTouched(ConversationKey, stored.To, stored.Seq, stored.Id, stored.From, stored.To, text, stored.Timestamp, FromSelf: true);
            _inboxes.Tell(new UserInboxes.ForUser(stored.From, new UserInbox.RecordDirect(touched)));
            _inboxes.Tell(new UserInboxes.ForUser(stored.To, new UserInbox.RecordDirect(touched with { With = stored.From, FromSelf = false }, post.Session, answer)));
            // Its seq is the journal's sequence number: the index keeps its progress by it. The time is the stored one,
            // as a rebuild from the journal gives it.
            Context.System.EventStream.Publish(new MessageIndexed(ConversationKey, stored.Seq, stored.Id, stored.From, stored.Text,
                DateTimeOffset.Parse(stored.Timestamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal),
                [Protocol.Key(stored.From), Protocol.Key(stored.To)]) { Stream = PersistenceId, Nr = stored.Seq });
            if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(_messages.ToSnapshot());
        });
    }

    private void OnHistory(GetHistory get)
    {
        var name = "@" + get.Other;
        if (_messages.PageRange(get.Before, get.Limit) is not var (from, to))
        {
            Answer(get, new HistoryFrame(name, []));
            return;
        }
        if (_messages.InMemory(from))
        {
            Answer(get, new HistoryFrame(name, _messages.Between(from, to).Select(m => DirectLog.FrameOf(m, name)).ToArray()));
            return;
        }
        if (Context.GetChildren().Count() >= MaxConcurrentHistoryReads)
        {
            Answer(get, new ErrorFrame(ErrorCodes.Busy, "Too many history requests for this conversation right now; try again."));
            return;
        }
        Context.ActorOf(Rooms.HistoryReader.Props(PersistenceId, name, from, to, get.Session, get.Ref,
            payload => payload is DirectMessageKept kept ? DirectLog.FrameOf(kept, name) : null));
    }

    private static void Answer(GetHistory get, ServerFrame frame) =>
        get.Session.Tell(Deliver.Answer(frame with { Ref = get.Ref }), ActorRefs.NoSender);

    // A write that fails stops the conversation; its parent starts it again on the next request. The sender is answered.
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error("Conversation {0}: message not saved: {1}", _key, cause.Message);
        NotSaved();
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("Conversation {0}: message rejected by the journal: {1}", _key, cause.Message);
        NotSaved();
    }

    private void NotSaved()
    {
        if (_inFlight is { } post)
            post.Session.Tell(Deliver.Answer(new ErrorFrame(ErrorCodes.Unavailable, "The message was not saved; try again.") { Ref = post.Ref }), ActorRefs.NoSender);
        _inFlight = null;
    }
}
