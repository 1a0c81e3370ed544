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
/// <para>
/// Bounded per recipient: a message to someone who already has <c>maxUnread</c> messages of this conversation unread
/// (after their read marker, which their own messages move too) is refused with <c>too_many_unread</c> and not
/// stored. What the recipient has read is known from their messages here and, when the count reaches the bound, from
/// their inbox's read marker, asked then (the conversation holds further requests until it answers), so reads made
/// while the conversation was unloaded count too.
/// </para>
/// </summary>
public sealed class DirectConversation : UntypedPersistentActor, IWithTimers
{
    private static readonly TimeSpan MarkerTimeout = TimeSpan.FromSeconds(5);

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
    private readonly int _maxUnread;
    private readonly Dictionary<string, long> _readUpTo = new(StringComparer.Ordinal); // participant's name key → seq read up to (as known here)
    private Post? _inFlight;
    private Post? _awaitingMarker; // a post at the bound, waiting for its recipient's read marker

    private sealed class MarkerLate
    {
        public static readonly MarkerLate Instance = new();
    }

    public DirectConversation(string key, IActorRef users, IActorRef inboxes, TimeSpan idleAfter, int maxUnread)
    {
        _key = key;
        _users = users;
        _inboxes = inboxes;
        _idleAfter = idleAfter;
        _maxUnread = maxUnread;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string key, IActorRef users, IActorRef inboxes, TimeSpan idleAfter,
        int maxUnread = Configuration.AccountSettings.DefaultMaxUnreadDirect) =>
        Akka.Actor.Props.Create<DirectConversation>(key, users, inboxes, idleAfter, maxUnread);

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
            case SnapshotOffer { Snapshot: DirectSnapshot snapshot }:
                _messages.Apply(snapshot);
                foreach (var kept in snapshot.Recent) Sent(kept);
                break;
            case DirectMessageKept kept:
                _messages.Apply(kept);
                Sent(kept);
                break;
            case IDirectEvent change: _messages.Apply(change); break;
        }
    }

    /// <summary>Sending a message marks the conversation read up to it for its sender.</summary>
    private void Sent(DirectMessageKept kept) => ReadUpTo(Protocol.Key(kept.From), kept.Seq);

    private void ReadUpTo(string participant, long seq)
    {
        if (seq > _readUpTo.GetValueOrDefault(participant)) _readUpTo[participant] = seq;
    }

    private long UnreadBy(string participant) => _messages.LastSeq - _readUpTo.GetValueOrDefault(participant);

    protected override void OnCommand(object message)
    {
        if (_awaitingMarker is { } waiting)
        {
            switch (message)
            {
                case UserInbox.LastRead lastRead when lastRead.RoomKey == ConversationKey:
                    ReadUpTo(Protocol.Key(waiting.To), lastRead.Seq);
                    MarkerKnown(waiting);
                    break;
                case MarkerLate: MarkerKnown(waiting); break;
                case ReceiveTimeout: break; // not idle: a post is waiting
                default: Stash.Stash(); break;
            }
            return;
        }
        switch (message)
        {
            case Post post when UnreadBy(Protocol.Key(post.To)) >= _maxUnread:
                // At the bound as far as this conversation knows: the recipient's inbox may know of a later read.
                _awaitingMarker = post;
                _inboxes.Tell(new UserInboxes.ForUser(post.To, new UserInbox.GetLastRead(ConversationKey, Self)));
                Timers.StartSingleTimer(MarkerLate.Instance, MarkerLate.Instance, MarkerTimeout);
                break;
            case Post post: OnPost(post); break;
            case UserInbox.LastRead or MarkerLate: break; // answers that came too late
            case GetHistory get: OnHistory(get); break;
            case ReceiveTimeout when Context.GetChildren().Any(): break; // a history read is still going
            case ReceiveTimeout: Context.Parent.Tell(new Idle(_key)); break;
            case Stop: Context.Stop(Self); break;
            case SaveSnapshotSuccess saved: DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)); break;
            case SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            default: Unhandled(message); break;
        }
    }

    private void MarkerKnown(Post post)
    {
        _awaitingMarker = null;
        Timers.Cancel(MarkerLate.Instance);
        if (UnreadBy(Protocol.Key(post.To)) < _maxUnread)
            OnPost(post);
        else
            post.Session.Tell(Deliver.Answer(new ErrorFrame(ErrorCodes.TooManyUnread,
                $"{post.To} has {_maxUnread} of your messages unread, the most the server keeps for them; wait until they read or answer.") { Ref = post.Ref }),
                ActorRefs.NoSender);
        Stash.UnstashAll();
    }

    private void OnPost(Post post)
    {
        var kept = new DirectMessageKept(_messages.LastSeq + 1, Rooms.MessageIds.Next(), post.From, post.To, post.Text,
            Protocol.FormatTimestamp(DateTime.UtcNow)) { Attachments = post.Attachments is { Count: > 0 } files ? files : null };
        _inFlight = post; // Persist holds further commands until stored: one at a time
        Persist(kept, stored =>
        {
            _inFlight = null;
            _messages.Apply(stored);
            Sent(stored);
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
