using System.Diagnostics;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Sessions;
using ActorChat.Server.Status;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Rooms;

/// <summary>
/// One chat room, durable: every message is an event in the room's journal (persistence id <c>room-&lt;key&gt;</c>)
/// and goes out to the members only once it is stored, so whatever a client saw survives a restart with the same
/// id and seq. The seq of a message is its event's sequence number. Writes are pipelined: posts that arrive while a
/// write is in flight are written together as the next batch. A snapshot every <see cref="RoomSettings.SnapshotEvery"/>
/// messages keeps recovery short. Members are live connections and are not stored. A room with no members and
/// nothing in flight for <see cref="RoomSettings.PassivateAfter"/> asks its directory to stop it (passivation).
/// <para>
/// The room's rules (owners, topic, privacy, bans, deleted messages: <see cref="RoomPolicy"/>) are stored by a child,
/// <see cref="RoomRules"/>, in a journal of their own, so that moderation never takes a seq from the messages. The room
/// answers nothing before both have recovered, and a change to the rules takes effect once it is stored; changes
/// are made one at a time, the commands that need the rules meanwhile waiting in order.
/// </para>
/// </summary>
public sealed partial class RoomActor : UntypedPersistentActor, IWithTimers
{
    private const int MaxConcurrentHistoryReads = 16;

    /// <summary>Stored messages are sent out together once this many bytes are waiting, or when nothing else is stored.</summary>
    private const int MaxStagedBytes = 64 * 1024;

    /// <summary>Sent to itself after the first message of a batch is stored: the batch's write results come before it.</summary>
    private sealed class SendStaged
    {
        public static readonly SendStaged Instance = new();
    }

    /// <summary>The spacing between presence batches is over: what was staged meanwhile goes out.</summary>
    private sealed class PresenceDue
    {
        public static readonly PresenceDue Instance = new();
    }

    /// <summary>Checks whether the room has been idle long enough to stop.</summary>
    private sealed class PassivationCheck
    {
        public static readonly PassivationCheck Instance = new();
    }

    /// <summary>A change to the rules handed to <see cref="RoomRules"/> (null while its password is being hashed) and the command behind it.</summary>
    private sealed record PendingChange(IRoomRulesEvent? Change, IRoomCommand Command);

    /// <summary>A join's password, checked off the room's thread.</summary>
    private sealed record PasswordChecked(Join Join, bool Matches);

    /// <summary>A new room password, hashed off the room's thread.</summary>
    private sealed record PasswordHashed(SetMode Command, string By, string? Hash);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Stopwatch _sinceLastCommand = Stopwatch.StartNew();
    private readonly string _key;
    private readonly ChatStatistics _statistics;
    private readonly RoomSettings _settings;
    private readonly List<RoomMember> _members;
    private readonly Cluster.MemberMail _mail = new(Context.System); // members on other nodes are reached through their node's relay
    private readonly Queue<MessageFrame> _recent = new();
    private readonly Dictionary<string, long> _messagesPerUser = new(StringComparer.Ordinal);
    private readonly Dictionary<long, (IActorRef Sender, string? Ref)> _unstored = []; // seq → sender, for posts handed to the journal
    private readonly Dictionary<long, long> _writtenAt = [];     // seq → when it was handed to the journal (for the metrics)
    private long _stagedPostedAt;  // when the oldest staged message reached the room; 0 while none is staged
    private int _stagedMessages;
    private bool _passivating;
    private readonly Queue<Post> _held = new();                    // posts waiting while a snapshot is due
    private readonly Stopwatch _recoveryTime = Stopwatch.StartNew();
    private readonly List<byte[]> _staged = [];                    // frames for every member, encoded, not yet sent
    private readonly List<StagedPost> _stagedPosts = [];           // which staged lines are posts, and whose
    private readonly Dictionary<IActorRef, int> _joinedDuringBatch = []; // member → how many staged lines predate it
    private int _stagedBytes;
    private bool _sendStagedScheduled;
    private bool _presenceDueScheduled;
    private long _lastBatchSentAt; // Stopwatch timestamp of the last batch that reached a member; 0 before the first
    private string _name;
    private long _stored;          // the last seq that is stored (and was sent to members)
    private long _assigned;        // the last seq handed out; equals LastSequenceNr
    private long _lastSnapshotSeq;
    private bool _snapshotDue;
    private bool _failed;
    private bool _crashed;
    private IActorRef _rules = ActorRefs.Nobody;
    private RoomPolicy _policy = new();
    private IActorRef _notesStore = ActorRefs.Nobody;
    private readonly MessageNotes _notes = new();
    private bool _messagesRecovered;
    private bool _rulesRecovered;
    private bool _notesRecovered;
    private bool _ready;
    private PendingChange? _change;
    private readonly Queue<IRoomCommand> _waitingForRules = new();
    private int _passwordWork; // password hashes and checks running on the thread pool

    private readonly int _generation;
    private HashSet<IActorRef>? _movingMembers; // moving to another node: the members yet to answer RoomMoving; null while not moving
    private bool _handedOff;                    // moved: what still reaches the room goes back to its entity

    /// <summary>Members that have not answered <see cref="RoomMoving"/> in this time are not waited for.</summary>
    private static readonly TimeSpan MovingAckTimeout = TimeSpan.FromSeconds(5);

    private sealed class MovingAcksOverdue
    {
        public static readonly MovingAcksOverdue Instance = new();
    }

    public RoomActor(string name, RoomSettings settings, ChatStatistics statistics, IReadOnlyList<RoomMember>? members = null, int generation = 0)
    {
        _name = name;
        _key = Protocol.Key(name);
        _generation = generation;
        _settings = settings;
        _statistics = statistics;
        _members = members is null ? [] : [.. members];
    }

    public static Props Props(string name, RoomSettings settings, ChatStatistics statistics, IReadOnlyList<RoomMember>? members = null, int generation = 0) =>
        Akka.Actor.Props.Create<RoomActor>(name, settings, statistics, members ?? Array.Empty<RoomMember>(), generation); // not the expression form: it is compiled on every call

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// <c>room-&lt;key&gt;</c>; a room made again under the name of a dropped one (generation 1 and on) adds
    /// <c>~&lt;generation&gt;</c>, which no key contains, so it starts empty and the dropped one's messages are never read.
    /// </summary>
    public static string PersistenceIdOf(string roomKey, int generation = 0) =>
        generation == 0 ? "room-" + roomKey : $"room-{roomKey}~{generation}";

    public override string PersistenceId => PersistenceIdOf(_key, _generation);

    protected override void PreStart()
    {
        // Members handed over from a failed incarnation are watched again; one that is gone by now is dropped.
        foreach (var member in _members) Context.Watch(member.Ref);
        _rules = Context.ActorOf(RoomRules.Props(_key, _generation), "rules");
        Context.Watch(_rules);
        _notesStore = Context.ActorOf(RoomNotes.Props(_key), "notes");
        Context.Watch(_notesStore);
        _statistics.Metrics.RoomStarted();
        base.PreStart();
    }

    protected override void PostStop()
    {
        SendStagedMessages();
        _statistics.Metrics.RoomStopped();
        if (_passivating && !_crashed && !_failed) _statistics.Metrics.RoomPassivated();
        if (_crashed)
        {
            // Stopped by its directory for a fault of its own: nobody is in the room any more, and everyone is told.
            var lost = new RoomLost(_key, _name);
            foreach (var member in _members) _mail.Tell(member.Ref, lost);
        }
        base.PostStop();
    }

    /// <summary>Notes a fault in the room's own code, which makes its directory stop it (see PostStop).</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            var handled = base.AroundReceive(receive, message);
            if (_movingMembers is not null) HandOffWhenDone();
            return handled;
        }
        catch (Exception)
        {
            _crashed = true;
            throw;
        }
    }

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: RoomSnapshot snapshot }: Restore(snapshot); break;
            case MessagePosted posted: Apply(posted); break;
            case RecoveryCompleted: OnRecovered(); break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case HandOffRoom: StartHandOff(); return;
            case MovingAck ack: _movingMembers?.Remove(ack.Member); return;
            case MovingAcksOverdue: _movingMembers?.Clear(); return;
            case IRoomCommand command when _handedOff:
                Context.Parent.Forward(command); // its entity sends it on to the room's next home
                return;
        }
        // Nothing is answered before the rules are known (who is banned, whether the room is private).
        if (!_ready && message is IRoomCommand)
        {
            Stash.Stash();
            return;
        }
        // Commands that need the rules wait while a change to them is being stored, and then go in order.
        if (_change is not null && NeedsRules(message))
        {
            _waitingForRules.Enqueue((IRoomCommand)message);
            return;
        }
        // Reactions and edits are decided one at a time, each on the notes as the one before left them.
        if (_noteChange is not null && message is React or Edit)
        {
            _waitingForNotes.Enqueue((IRoomCommand)message);
            return;
        }
        // A leave, a question or an error answer comes after the frames staged before it. Posts and joins do not
        // hold a batch back: a busy room keeps batching, and a joiner simply gets only the lines staged after it.
        if (message is SendStaged) _sendStagedScheduled = false;
        if (message is not (Post or Join or Attach or Typing)) SendStagedMessages();
        if (message is not PassivationCheck) _sinceLastCommand.Restart();
        switch (message)
        {
            case SendStaged: break;
            case PresenceDue: break; // sent out above
            case PassivationCheck: OnPassivationCheck(); break;
            case StopIfIdle when IsIdle:
                _log.Debug("Room {0} is idle; it stops until it is asked for again", _name);
                Context.Stop(Self);
                break;
            case StopIfIdle:
                Context.Parent.Tell(new RoomBusyAgain(_key));
                SchedulePassivationCheck();
                break;
            case DropNow drop: OnDropped(drop); break;
            case Post post: OnPost(post); break;
            case Join join: OnJoin(join); break;
            case Leave leave: OnLeave(leave); break;
            case GetMembers get when IndexOf(get.Member) < 0: Answer(get, NotInRoom("see who is there")); break;
            case GetMembers get: Answer(get, new MembersFrame(_name, MemberNames()) { Roles = MemberRoles() }); break;
            case Attach attach:
                if (IndexOf(attach.Member) >= 0) _mail.Tell(attach.Member, new RoomAttached(_key, Self, attach.Ticket));
                else _mail.Tell(attach.Member, new NotAMember(_key, _name, attach.Ticket));
                break;
            case GetStats get when IndexOf(get.Member) < 0: Answer(get, NotInRoom("see its stats")); break;
            case GetStats get: Answer(get, Stats()); break;
            case GetHistory get: OnHistory(get); break;
            case Terminated terminated when terminated.ActorRef.Equals(_rules): OnRulesGone(); break;
            case Terminated terminated when terminated.ActorRef.Equals(_notesStore): OnNotesGone(); break;
            case Terminated terminated: OnMemberGone(terminated.ActorRef); break;
            case RoomRules.Recovered recovered: OnRulesRecovered(recovered); break;
            case RoomRules.Unrecoverable unrecoverable: OnRulesUnrecoverable(unrecoverable); break;
            case RoomRules.Stored stored: OnRulesStored(stored.Change, stored.Nr); break;
            case RoomRules.NotStored notStored: OnRulesNotStored(notStored); break;
            case PasswordChecked checkedPassword: OnPasswordChecked(checkedPassword); break;
            case PasswordHashed hashed: OnPasswordHashed(hashed); break;
            case SetTopic topic: OnSetTopic(topic); break;
            case SetMode mode: OnSetMode(mode); break;
            case Invite invite: OnInvite(invite); break;
            case SetRole role: OnSetRole(role); break;
            case Kick kick: OnKick(kick); break;
            case BanFromRoom ban: OnBan(ban); break;
            case UnbanFromRoom unban: OnUnban(unban); break;
            case DeleteMessage delete: OnDelete(delete); break;
            case React react: OnReact(react); break;
            case Edit edit: OnEdit(edit); break;
            case Typing typing: OnTyping(typing); break;
            case RoomNotes.Recovered recovered: OnNotesRecovered(recovered); break;
            case RoomNotes.Unrecoverable unrecoverable: OnNotesUnrecoverable(unrecoverable); break;
            case RoomNotes.Stored stored: OnNoteStored(stored.Change, stored.Nr); break;
            case RoomNotes.NotStored: OnNoteNotStored(); break;
            case SaveSnapshotSuccess saved:
                // Older snapshots are superseded; the events stay, they are the history.
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                _log.Warning("Room {0}: snapshot at seq {1} not saved: {2}", _name, failed.Metadata.SequenceNr, failed.Cause.Message);
                break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure: break;
            default: Unhandled(message); break;
        }
    }

    private void Restore(RoomSnapshot snapshot)
    {
        _name = snapshot.Name;
        _stored = snapshot.Seq;
        _lastSnapshotSeq = snapshot.Seq;
        _recent.Clear();
        foreach (var posted in snapshot.Recent) Remember(ToFrame(posted));
        _messagesPerUser.Clear();
        foreach (var (user, count) in snapshot.MessagesPerUser) _messagesPerUser[user] = count;
    }

    private MessageFrame Apply(MessagePosted posted)
    {
        var frame = ToFrame(posted);
        Remember(frame);
        _messagesPerUser[posted.Sender] = _messagesPerUser.GetValueOrDefault(posted.Sender) + 1;
        _stored = posted.Seq;
        return frame;
    }

    private void Remember(MessageFrame frame)
    {
        if (_settings.HistorySize <= 0) return;
        while (_recent.Count >= _settings.HistorySize) _recent.Dequeue();
        _recent.Enqueue(frame);
    }

    private void OnRecovered()
    {
        _assigned = LastSequenceNr;
        _stored = Math.Max(_stored, LastSequenceNr);
        _recoveryTime.Stop();
        if (LastSequenceNr > 0)
            _log.Info("Room {0} recovered: {1} messages in {2} ms", _name, _stored, _recoveryTime.ElapsedMilliseconds);
        _messagesRecovered = true;
        BecomeReadyOnceRecovered();
    }

    /// <summary>An operator removed the room: every member is put out of it and told; the room stops.</summary>
    private void OnDropped(DropNow drop)
    {
        foreach (var member in _members) _mail.Tell(member.Ref, new RoomGone(_key, drop.Frame));
        _members.Clear();
        Context.Stop(Self);
    }

    /// <summary>The room is usable once its messages and its rules are both recovered.</summary>
    private void BecomeReadyOnceRecovered()
    {
        if (_ready || !_messagesRecovered || !_rulesRecovered || !_notesRecovered) return;
        _ready = true;
        if (_members.Count > 0 || _policy.IsPrivate) ReportOccupancy();
        if (_stored > 0) Context.Parent.Tell(new RoomProgress(_key, _stored));
        Context.Parent.Tell(new RoomRecovered(_key));
        SchedulePassivationCheck();
        Stash.UnstashAll();
    }

    /// <summary>Nobody is in the room and nothing it started is still going (writes, history reads, a failure).</summary>
    private bool IsIdle => _members.Count == 0 && !_failed && IsSettled;

    /// <summary>Nothing the room started is still going: no write, history read, change of rules or notes, or password work.</summary>
    private bool IsSettled =>
        _ready && _unstored.Count == 0 && _held.Count == 0 && HistoryReads == 0
        && _change is null && _waitingForRules.Count == 0 && _passwordWork == 0
        && _noteChange is null && _waitingForNotes.Count == 0;

    /// <summary>Sharding moves the room: every member is told, after everything else the room sent it (see <see cref="HandOffRoom"/>).</summary>
    private void StartHandOff()
    {
        if (_movingMembers is not null) return;
        _movingMembers = [.. _members.Select(m => m.Ref)];
        SendStagedMessages();
        foreach (var member in _members) _mail.Tell(member.Ref, new RoomMoving(_key, Self));
        Timers.StartSingleTimer(MovingAcksOverdue.Instance, MovingAcksOverdue.Instance, MovingAckTimeout);
        _log.Info("Room {0} moves to another node; {1} members are told", _name, _members.Count);
    }

    /// <summary>Once every member has answered and nothing is still going, the members go to the entity for the room's next home.</summary>
    private void HandOffWhenDone()
    {
        if (_handedOff || _failed || _movingMembers is not { Count: 0 } || !IsSettled) return;
        SendStagedMessages();
        _handedOff = true;
        Timers.Cancel(MovingAcksOverdue.Instance);
        Context.Parent.Tell(new HandedOff(_key, [.. _members]));
    }

    /// <summary>History readers at work: every child but the rules and the notes.</summary>
    private int HistoryReads => Context.GetChildren().Count(child => !child.Equals(_rules) && !child.Equals(_notesStore));

    /// <summary>Checks run only while the room has no members; the last member to go starts them again.</summary>
    private void SchedulePassivationCheck()
    {
        if (_members.Count > 0) return;
        var left = _settings.PassivateAfter - _sinceLastCommand.Elapsed;
        Timers.StartSingleTimer(PassivationCheck.Instance, PassivationCheck.Instance,
            left > TimeSpan.FromMilliseconds(10) ? left : TimeSpan.FromMilliseconds(10));
    }

    private void OnPassivationCheck()
    {
        if (_members.Count > 0) return;
        if (_sinceLastCommand.Elapsed < _settings.PassivateAfter)
        {
            SchedulePassivationCheck();
            return;
        }
        if (IsIdle)
        {
            Context.Parent.Tell(new RoomIdle(_key));
            _passivating = true; // the directory stops the room unless someone came meanwhile
            return;
        }
        // Quiet, but a write or a history read is still going: look again a little later.
        var again = _settings.PassivateAfter / 4;
        Timers.StartSingleTimer(PassivationCheck.Instance, PassivationCheck.Instance,
            again > TimeSpan.FromMilliseconds(50) ? again : TimeSpan.FromMilliseconds(50));
    }

    private void OnJoin(Join join, bool passwordMatched = false)
    {
        if (IndexOf(join.Member) < 0)
        {
            switch (_policy.Admit(join.User, join.Registered, join.Password, passwordMatched))
            {
                case Admission.Banned:
                    _policy.IsBanned(join.User, out var reason);
                    RefuseJoin(join, new ErrorFrame(ErrorCodes.Banned,
                        $"You are banned from room '{_name}'" + (reason is null ? "." : $": {reason}")));
                    return;
                case Admission.InviteOnly:
                    RefuseJoin(join, new ErrorFrame(ErrorCodes.InviteOnly, $"Room '{_name}' is private: join it by invitation or with its password."));
                    return;
                case Admission.BadPassword:
                    RefuseJoin(join, new ErrorFrame(ErrorCodes.BadPassword, $"That is not the password of room '{_name}'."));
                    return;
                case Admission.CheckPassword:
                    var hash = _policy.PasswordHash!;
                    var password = join.Password!;
                    _passwordWork++;
                    Task.Run(() => RoomPassword.Verify(password, hash)).PipeTo(Self,
                        success: matches => new PasswordChecked(join, matches),
                        failure: _ => new PasswordChecked(join, false));
                    return;
            }
            if (_policy.ShouldOwn(join.User, join.Registered, join.Creates))
            {
                // The creator's ownership is stored before anyone, the creator included, is told the room exists.
                StartChange(new RoleGiven(join.User, RoleRequest.Owner, join.User), join);
                return;
            }
            // Staged before the joiner is a member, so its own presence and what came before it are not for it.
            StagePresence(FrameCodec.EncodeLine(new PresenceFrame(_name, join.User, PresenceFrame.Join) { Role = RoleName(_policy.RoleOf(join.User, join.Registered)) }));
            _members.Add(new RoomMember(join.Member, join.User, join.Registered));
            _joinedDuringBatch[join.Member] = _staged.Count;
            Context.Watch(join.Member);
            ReportOccupancy();
            _log.Info("{0} joined {1} ({2} members)", join.User, _name, _members.Count);
        }
        else
        {
            // Joining again is harmless: the member gets the current state once more, after what it is owed.
            SendStagedMessages();
        }
        Answer(join, new JoinedFrame(_name, MemberNames(), _recent.Select(Shown).ToArray(), _policy.Topic) { Roles = MemberRoles(), LastRead = join.LastRead });
        _mail.Tell(join.Member, new RoomAttached(_key, Self, join.Ticket));
        if (_movingMembers is not null && _movingMembers.Add(join.Member)) _mail.Tell(join.Member, new RoomMoving(_key, Self));
    }

    private void OnLeave(Leave leave)
    {
        if (!Remove(leave.Member))
        {
            Answer(leave, new ErrorFrame(ErrorCodes.NotInRoom, $"You are not in room '{_name}'."));
            return;
        }
        Answer(leave, new LeftFrame(_name));
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
        _movingMembers?.Remove(memberRef);
        Context.Unwatch(memberRef);
        _joinedDuringBatch.Remove(memberRef);
        StagePresence(FrameCodec.EncodeLine(new PresenceFrame(_name, member.User, PresenceFrame.Leave)));
        ReportOccupancy();
        SchedulePassivationCheck();
        return true;
    }

    private void OnPost(Post post)
    {
        if (IndexOf(post.Member) < 0)
        {
            Answer(post, new ErrorFrame(ErrorCodes.NotInRoom, $"Join room '{_name}' before saying something there."));
            return;
        }
        if (post.ReplyTo is not null && RecentMessage(post.ReplyTo) is null)
        {
            Answer(post, NoSuchMessage());
            return;
        }
        if (_unstored.Count + _held.Count >= _settings.MaxPendingWrites)
        {
            Answer(post, new ErrorFrame(ErrorCodes.Busy, "The room is saving too many messages right now; this one was not saved. Try again."));
            return;
        }
        if (_snapshotDue && _unstored.Count > 0)
        {
            _held.Enqueue(post);
            return;
        }
        Write(post);
    }

    /// <summary>Hands one post to the journal. Posts written during one message, or while a write is in flight, form one batch.</summary>
    private void Write(Post post)
    {
        var answered = post.ReplyTo is null ? null : RecentMessage(post.ReplyTo);
        var posted = new MessagePosted(
            Seq: ++_assigned,
            Id: MessageIds.Next(),
            Sender: post.User,
            Text: post.Text,
            Timestamp: Protocol.FormatTimestamp(DateTime.UtcNow),
            ReplyTo: answered?.Id,
            ReplySender: answered?.Sender,
            ReplyText: answered is null ? null : ReplyPreviewText(answered),
            Action: post.Action ? true : null,
            Mentions: post.Text.Contains('@') ? MentionFinder.Find(post.Text) : null)
        {
            Attachments = post.Attachments is { Count: > 0 } attachments ? attachments : null,
        };
        _unstored[posted.Seq] = (post.Member, post.Ref);
        _writtenAt[posted.Seq] = Stopwatch.GetTimestamp();
        PersistAsync(posted, OnStored);
    }

    private void OnStored(MessagePosted posted)
    {
        _unstored.Remove(posted.Seq, out var poster);
        if (_writtenAt.Remove(posted.Seq, out var writtenAt))
        {
            _statistics.Metrics.MessageStored(writtenAt);
            if (_stagedPostedAt == 0) _stagedPostedAt = writtenAt;
        }
        _stagedMessages++;
        var frame = Apply(posted);
        if (poster.Sender is not null) _stagedPosts.Add(new StagedPost(_staged.Count, poster.Sender, frame, poster.Ref));
        Stage(FrameCodec.EncodeLine(frame));
        _statistics.CountMessage(_name, frame.Sender);
        if (posted.Mentions is { } mentioned) Context.System.EventStream.Publish(new Inboxes.UserInboxes.Mentioned(mentioned, frame));
        // The room's seq is its journal's sequence number: the index keeps its progress by it.
        Context.System.EventStream.Publish(new Search.MessageIndexed(_key, posted.Seq, posted.Id, posted.Sender, posted.Text,
            DateTimeOffset.Parse(posted.Timestamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal), null)
            { Stream = PersistenceId, Nr = posted.Seq, Generation = _generation });
        if (posted.Attachments is { } files) PublishAttached(posted.Id, files);
        if (_stored - _lastSnapshotSeq >= _settings.SnapshotEvery) _snapshotDue = true;
        SnapshotWhenQuiet();
    }

    /// <summary>
    /// Frames for every member (stored messages, presence) go out in batches: one <see cref="Deliver"/> per member
    /// holding all their lines, so a busy room costs each connection one actor message and one socket write per
    /// batch rather than per frame. Each line is still encoded once and shared by every member.
    /// </summary>
    private void Stage(byte[] line) => Stage(line, TimeSpan.Zero);

    /// <summary>
    /// Presence can wait a little where a message cannot: during a burst of joins and leaves a room sends a batch
    /// at most once per <see cref="PresenceSpacing"/>, so N joiners cost each member a few socket writes instead of
    /// N (a mass join of 100 was 100² writes). The first change after a quiet spell goes out at once, a message
    /// takes the waiting presence with it, and the order of lines is never changed.
    /// </summary>
    private void StagePresence(byte[] line) =>
        Stage(line, _lastBatchSentAt == 0 ? TimeSpan.Zero : PresenceSpacing() - Stopwatch.GetElapsedTime(_lastBatchSentAt));

    /// <summary>A line that may <paramref name="wait"/> goes out with the next batch or when its wait is over.</summary>
    private void Stage(byte[] line, TimeSpan wait)
    {
        _staged.Add(line);
        _stagedBytes += line.Length;
        if (_stagedBytes >= MaxStagedBytes)
        {
            SendStagedMessages();
        }
        else if (_sendStagedScheduled)
        {
            // goes out with the batch already on its way
        }
        else if (wait <= TimeSpan.Zero)
        {
            _sendStagedScheduled = true;
            Self.Tell(SendStaged.Instance);
        }
        else if (!_presenceDueScheduled)
        {
            _presenceDueScheduled = true;
            Timers.StartSingleTimer(PresenceDue.Instance, PresenceDue.Instance, wait);
        }
    }

    /// <summary>Grows with the room, as the cost of a batch does: one write per member.</summary>
    private TimeSpan PresenceSpacing()
    {
        var spacing = _settings.PresenceSpacingPerMember * _members.Count;
        return spacing < _settings.PresenceSpacingMax ? spacing : _settings.PresenceSpacingMax;
    }

    private void SendStagedMessages()
    {
        if (_presenceDueScheduled)
        {
            _presenceDueScheduled = false;
            Timers.Cancel(PresenceDue.Instance);
        }
        if (_staged.Count == 0) return;
        if (_stagedMessages > 0) Context.Parent.Tell(new RoomProgress(_key, _stored)); // before the members see them: a rooms list after counts them
        var lines = _staged;
        var everyone = new Deliver(Cluster.FanOutRelay.Join(lines, 0, [])) { PostedAt = _stagedPostedAt };
        var reachedAMember = false;
        foreach (var member in _members)
        {
            var skip = _joinedDuringBatch.GetValueOrDefault(member.Ref);
            if (skip >= lines.Count) continue;
            reachedAMember = true;
            var (answers, tagged) = PostsBy(member.Ref, skip);
            if (answers == 0 && skip == 0) _mail.Stage(member.Ref, everyone, lines);
            else _mail.Stage(new Cluster.FanOutRelay.Copy(member.Ref, skip, answers, tagged), everyone, lines);
        }
        _mail.SendBatch(lines, _stagedPostedAt);
        if (reachedAMember) _lastBatchSentAt = Stopwatch.GetTimestamp(); // once a batch, not once a member
        if (_stagedMessages > 0) _statistics.Metrics.MessagesFannedOut(_stagedMessages);
        _stagedMessages = 0;
        _stagedPostedAt = 0;
        _staged.Clear();
        _stagedPosts.Clear();
        _joinedDuringBatch.Clear();
        _stagedBytes = 0;
    }

    /// <summary>
    /// How many of the staged posts from <paramref name="first"/> on are the member's own, and those that carry a
    /// ref encoded again with it: the member's copy of its post answers its say.
    /// </summary>
    private (int Answers, Cluster.FanOutRelay.Tagged[] Tagged) PostsBy(IActorRef member, int first)
    {
        var answers = 0;
        List<Cluster.FanOutRelay.Tagged>? tagged = null;
        foreach (var post in _stagedPosts)
        {
            if (post.Index < first || !post.Sender.Equals(member)) continue;
            answers++;
            if (post.Ref is not null)
                (tagged ??= []).Add(new Cluster.FanOutRelay.Tagged(post.Index, FrameCodec.EncodeLine(post.Frame with { Ref = post.Ref })));
        }
        return (answers, tagged is null ? [] : [.. tagged]);
    }

    /// <summary>
    /// A snapshot must hold exactly the stored events up to its sequence number, so it is taken when nothing is in
    /// flight; posts that arrive meanwhile wait (one write round trip) and are written right after.
    /// </summary>
    private void SnapshotWhenQuiet()
    {
        if (!_snapshotDue || _unstored.Count > 0) return;
        SaveSnapshot(new RoomSnapshot(_name, _stored, _recent.Select(ToPosted).ToArray(), new Dictionary<string, long>(_messagesPerUser)));
        _lastSnapshotSeq = _stored;
        _snapshotDue = false;
        while (_held.TryDequeue(out var post)) Write(post);
    }

    private void OnHistory(GetHistory get)
    {
        if (IndexOf(get.Member) < 0)
        {
            Answer(get, new ErrorFrame(ErrorCodes.NotInRoom, $"Join room '{_name}' to read its history."));
            return;
        }
        var to = Math.Min(get.Before ?? long.MaxValue, _stored + 1) - 1;
        if (to < 1)
        {
            Answer(get, new HistoryFrame(_name, []));
            return;
        }
        var from = Math.Max(1, to - get.Limit + 1);
        if (_recent.TryPeek(out var oldest) && oldest.Seq <= from)
        {
            // Counted before the answer leaves, so whoever has the answer also sees it counted.
            _statistics.Metrics.HistoryRead(Operations.ChatMetrics.FromMemory);
            Answer(get, new HistoryFrame(_name, _recent.Where(m => m.Seq >= from && m.Seq <= to).Select(Shown).ToArray()));
            return;
        }
        if (HistoryReads >= MaxConcurrentHistoryReads)
        {
            Answer(get, new ErrorFrame(ErrorCodes.Busy, "Too many history requests for this room right now; try again."));
            return;
        }
        _statistics.Metrics.HistoryRead(Operations.ChatMetrics.FromJournal);
        Context.ActorOf(HistoryReader.Props(PersistenceId, _name, from, to, get.Member, get.Ref, _policy.DeletedBetween(from, to), _notes.Between(from, to)));
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The journal could not write: the room stops (Akka cannot know whether the write landed). Everyone waiting
        // is told the message was not saved; the directory starts the room again with the same members.
        if (_failed) return;
        _failed = true;
        SendStagedMessages(); // stored before the failure: the members get them
        _log.Error("Room {0}: message {1} not saved, restarting the room: {2}", _name, sequenceNr, cause.Message);
        NotSaved(_unstored.Values.Concat(_held.Select(p => (p.Member, p.Ref))));
        _unstored.Clear();
        _writtenAt.Clear();
        _held.Clear();
        Context.Parent.Tell(new RoomFailed(_key, _members.ToArray()));
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("Room {0}: message {1} rejected by the journal: {2}", _name, sequenceNr, cause.Message);
        _writtenAt.Remove(sequenceNr);
        if (_unstored.Remove(sequenceNr, out var poster)) NotSaved([poster]);
        SnapshotWhenQuiet();
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        // A damaged event or a database that is away: the directory answers for the room until it recovers.
        var cause = Describe(reason);
        _log.Error("Room {0} cannot be recovered; it answers unavailable until it can: {1}", _name, cause);
        Context.Parent.Tell(new RoomUnrecoverable(_key, _members.ToArray(), cause));
    }

    /// <summary>An exception and its inner ones as one line, for logs and for /healthz.</summary>
    public static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (var e = exception; e is not null && messages.Count < 4; e = e.InnerException)
        {
            var text = e.Message.ReplaceLineEndings(" ").Trim();
            if (text.Length > 0 && !messages.Exists(m => m.Contains(text, StringComparison.Ordinal))) messages.Add(text);
        }
        var line = string.Join(": ", messages);
        return line.Length <= 300 ? line : line[..299] + "…";
    }

    /// <summary>Each post that was not saved is answered, with its own ref.</summary>
    private void NotSaved(IEnumerable<(IActorRef Sender, string? Ref)> posts)
    {
        var notSaved = new ErrorFrame(ErrorCodes.Unavailable, "Message not saved; try again.");
        foreach (var (sender, reference) in posts)
        {
            _statistics.Metrics.ErrorSent(notSaved.Code);
            _mail.Tell(sender, Deliver.Answer(notSaved with { Ref = reference }));
        }
    }

    private MessageFrame ToFrame(MessagePosted posted) => FrameOf(posted, _name);

    /// <summary>A stored message as its message frame, as it was said (edits and reactions are not in it).</summary>
    public static MessageFrame FrameOf(MessagePosted posted, string room) =>
        new(posted.Id, room, posted.Sender, posted.Text, posted.Timestamp, posted.Seq)
        {
            ReplyTo = posted.ReplyTo,
            ReplyPreview = posted.ReplyTo is null ? null : new ReplyPreview(posted.ReplySender ?? "", posted.ReplyText ?? ""),
            Action = posted.Action,
            Mentions = posted.Mentions,
            Attachments = posted.Attachments,
        };

    private static MessagePosted ToPosted(MessageFrame frame) =>
        new(frame.Seq, frame.Id, frame.Sender, frame.Text, frame.Timestamp,
            frame.ReplyTo, frame.ReplyPreview?.Sender, frame.ReplyPreview?.Text, frame.Action, frame.Mentions)
        {
            Attachments = frame.Attachments,
        };

    /// <summary>
    /// The files of a stored message may be downloaded by whoever may read it: anyone signed in for a public room;
    /// for a private one its members and insiders as they are now (a later invite does not reach back to it).
    /// </summary>
    private void PublishAttached(string messageId, IReadOnlyList<FileAttachment> files) =>
        Context.System.EventStream.Publish(new Files.FileKeeper.Attached(_key, messageId, files.Select(f => f.Id).ToArray(),
            _policy.IsPrivate ? MemberNames().Concat(_policy.Insiders).ToArray() : null));

    /// <summary>The answer to one command, carrying its ref.</summary>
    private void Answer(IRoomCommand command, ServerFrame frame)
    {
        if (frame is ErrorFrame error) _statistics.Metrics.ErrorSent(error.Code); // counted first: see OnHistory
        _mail.Tell(command.Member, Deliver.Answer(frame with { Ref = command.Ref }));
    }

    /// <summary>A stored message staged for everyone, as its sender's answer.</summary>
    private sealed record StagedPost(int Index, IActorRef Sender, MessageFrame Frame, string? Ref);

    private int IndexOf(IActorRef member)
    {
        for (var i = 0; i < _members.Count; i++)
        {
            if (_members[i].Ref.Equals(member)) return i;
        }
        return -1;
    }

    private StatsFrame Stats() =>
        new(_name, PosterRanking.Top(_messagesPerUser, Protocol.MaxStatsPosters), _messagesPerUser.Values.Sum());

    private string[] MemberNames() => _members.Select(m => m.User).ToArray();

    /// <summary>The members whose role counts now, for clients to show beside their names; null when nobody has one.</summary>
    private Dictionary<string, string>? MemberRoles()
    {
        Dictionary<string, string>? roles = null;
        foreach (var member in _members)
        {
            if (RoleName(_policy.RoleOf(member.User, member.Registered)) is { } role)
                (roles ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase))[member.User] = role;
        }
        return roles;
    }

    private static string? RoleName(RoomRole role) => role switch
    {
        RoomRole.Owner => RoleRequest.Owner,
        RoomRole.Moderator => RoleRequest.Moderator,
        _ => null,
    };

    private void ReportOccupancy() => Context.Parent.Tell(_policy.IsPrivate
        ? new Occupancy(_key, _name, _members.Count, Private: true,
            VisibleTo: MemberNames().Concat(_policy.Insiders).ToHashSet(StringComparer.OrdinalIgnoreCase))
        : new Occupancy(_key, _name, _members.Count));
}
