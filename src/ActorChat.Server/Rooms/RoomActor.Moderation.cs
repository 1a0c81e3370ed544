using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Rooms;

/// <summary>
/// The room's rules at work: what its owners and moderators may do (decided by <see cref="RoomPolicy"/> for the member
/// who asks, as it joined), each change stored by <see cref="RoomRules"/> before it takes effect.
/// </summary>
public sealed partial class RoomActor
{
    private static bool NeedsRules(object message) =>
        message is SetTopic or SetMode or Invite or SetRole or Kick or BanFromRoom or UnbanFromRoom or DeleteMessage
        || message is Join { Creates: true };

    private void OnRulesRecovered(RoomRules.Recovered recovered)
    {
        _policy = RoomPolicy.From(recovered.Rules);
        _rulesRecovered = true;
        BecomeReadyOnceRecovered();
    }

    /// <summary>Without its rules a room cannot say who may come in: it is unusable, like a room whose messages cannot be read.</summary>
    private void OnRulesUnrecoverable(RoomRules.Unrecoverable unrecoverable) => StopAsUnrecoverable("Rules", "rules", unrecoverable.Reason);

    /// <summary>The rules actor stopped (it could not write): the room restarts with its members, as after a failed message write.</summary>
    private void OnRulesGone()
    {
        RestartAfterChildFailed("rules", _change?.Command, _waitingForRules);
        _change = null;
    }

    private void StartChange(IRoomRulesEvent change, IRoomCommand command)
    {
        _change = new PendingChange(change, command);
        _rules.Tell(new RoomRules.Store(change));
    }

    private void OnRulesStored(IRoomRulesEvent change, long nr)
    {
        if (_change is not { } pending) return;
        _policy.Apply(change);
        _change = null;
        switch (pending.Command)
        {
            case Join join:
                _log.Info("{0} created room {1} and owns it", join.User, _name);
                OnJoin(join);
                break;
            case SetTopic topic:
                Broadcast(topic, new TopicFrame(_name, ((TopicSet)change).Topic, ((TopicSet)change).By));
                break;
            case SetMode mode:
                var set = (ModeSet)change;
                ReportOccupancy(); // before the answer: whoever is answered finds the rooms list up to date
                Broadcast(mode, new ModeFrame(_name, set.Private, set.PasswordHash is not null, set.By));
                break;
            case Invite invite:
                var invited = (UserInvited)change;
                ReportOccupancy();
                Answer(invite, new InvitedFrame(_name, invited.User, invited.By));
                break;
            case SetRole role:
                var given = (RoleGiven)change;
                ReportOccupancy();
                Broadcast(role, new RoleFrame(_name, given.User, given.Role, given.By));
                break;
            case BanFromRoom ban:
                var banned = (UserBanned)change;
                if (IndexOfUser(banned.User) is var index and >= 0) KickOut(index, banned.By, banned.Reason);
                Answer(ban, new RoomBannedFrame(_name, banned.User, banned.By, banned.Reason));
                break;
            case UnbanFromRoom unban:
                var unbanned = (UserUnbanned)change;
                Answer(unban, new RoomUnbannedFrame(_name, unbanned.User, unbanned.By));
                break;
            case DeleteMessage delete:
                var deleted = (MessageDeleted)change;
                Broadcast(delete, new DeletedFrame(_name, deleted.Id, deleted.Seq, deleted.By));
                Context.System.EventStream.Publish(new Search.MessageRemoved(_key, deleted.Seq, deleted.Id)
                    { Stream = RoomRules.PersistenceIdOf(_key, _generation), Nr = nr, Generation = _generation });
                Context.System.EventStream.Publish(new Files.FileKeeper.Detached(_key, deleted.Id));
                break;
        }
        RunWaitingForRules();
    }

    private void OnRulesNotStored(RoomRules.NotStored notStored)
    {
        if (_change is not { } pending) return;
        _change = null;
        if (pending.Command is Join join)
        {
            _log.Warning("Room {0}: {1} created it but could not be made its owner: {2}", _name, join.User, notStored.Reason);
            OnJoin(join with { Creates = false });
        }
        else
        {
            Answer(pending.Command, new ErrorFrame(ErrorCodes.Unavailable, "The change was not saved; try again."));
        }
        RunWaitingForRules();
    }

    private void RunWaitingForRules()
    {
        while (_change is null && !_failed && _waitingForRules.TryDequeue(out var command)) OnCommand(command);
    }

    private void OnPasswordChecked(PasswordChecked result)
    {
        _passwordWork--;
        if (result.Matches) OnJoin(result.Join, passwordMatched: true);
        else RefuseJoin(result.Join, new ErrorFrame(ErrorCodes.BadPassword, $"That is not the password of room '{_name}'."));
    }

    private void OnPasswordHashed(PasswordHashed hashed)
    {
        _passwordWork--;
        if (hashed.Hash is null)
        {
            _change = null;
            Answer(hashed.Command, new ErrorFrame(ErrorCodes.Unavailable, "The password could not be set; try again."));
            RunWaitingForRules();
            return;
        }
        StartChange(new ModeSet(true, hashed.Hash, hashed.By), hashed.Command);
    }

    /// <summary>The member that sent a moderation command, or null after answering not_in_room.</summary>
    private RoomMember? Moderator(IRoomCommand command)
    {
        var index = IndexOf(command.Member);
        if (index >= 0) return _members[index];
        Answer(command, NotInRoom("moderate it"));
        return null;
    }

    private RoomRole RoleOf(RoomMember member) => _policy.RoleOf(member.User, member.Registered);

    /// <summary>Answers with <paramref name="problem"/> when there is one.</summary>
    private bool Refused(IRoomCommand command, ErrorFrame? problem)
    {
        if (problem is null) return false;
        Answer(command, problem);
        return true;
    }

    private void OnSetTopic(SetTopic topic)
    {
        if (Moderator(topic) is not { } member || Refused(topic, _policy.TopicProblem(RoleOf(member)))) return;
        StartChange(new TopicSet(topic.Topic, member.User), topic);
    }

    private void OnSetMode(SetMode mode)
    {
        if (Moderator(mode) is not { } member || Refused(mode, _policy.ModeProblem(RoleOf(member)))) return;
        if (!mode.Private || mode.Password is null)
        {
            StartChange(new ModeSet(mode.Private, null, member.User), mode);
            return;
        }
        // Hashing takes a while on purpose: it runs on the thread pool, and other changes wait for it.
        _change = new PendingChange(null, mode);
        _passwordWork++;
        var password = mode.Password;
        var by = member.User;
        Task.Run(() => RoomPassword.Hash(password)).PipeTo(Self,
            success: hash => new PasswordHashed(mode, by, hash),
            failure: _ => new PasswordHashed(mode, by, null));
    }

    private void OnInvite(Invite invite)
    {
        if (Moderator(invite) is not { } member || Refused(invite, _policy.InviteProblem(RoleOf(member)))) return;
        StartChange(new UserInvited(invite.User, member.User), invite);
    }

    private void OnSetRole(SetRole role)
    {
        if (Moderator(role) is not { } member) return;
        var wanted = RoomPolicy.ParseRole(role.Role);
        if (Refused(role, _policy.RoleProblem(RoleOf(member), role.User, wanted))) return;
        StartChange(new RoleGiven(role.User, RoomPolicy.NameOf(wanted), member.User), role);
    }

    private void OnKick(Kick kick)
    {
        if (Moderator(kick) is not { } member || Refused(kick, _policy.ActOnProblem(RoleOf(member), kick.User, "kick"))) return;
        var index = IndexOfUser(kick.User);
        if (index < 0)
        {
            Answer(kick, new ErrorFrame(ErrorCodes.NoSuchUser, $"No one named '{kick.User}' is in room '{_name}'."));
            return;
        }
        var kicked = KickOut(index, member.User, kick.Reason);
        Answer(kick, kicked);
        _log.Info("{0} kicked {1} out of {2}", member.User, kicked.User, _name);
    }

    private void OnBan(BanFromRoom ban)
    {
        if (Moderator(ban) is not { } member || Refused(ban, _policy.ActOnProblem(RoleOf(member), ban.User, "ban"))) return;
        StartChange(new UserBanned(ban.User, ban.Reason, member.User), ban);
    }

    private void OnUnban(UnbanFromRoom unban)
    {
        if (Moderator(unban) is not { } member || Refused(unban, _policy.ActOnProblem(RoleOf(member), unban.User, "unban"))) return;
        if (!_policy.IsBanned(unban.User, out _))
        {
            Answer(unban, new RoomUnbannedFrame(_name, unban.User, member.User)); // nothing to store
            return;
        }
        StartChange(new UserUnbanned(unban.User, member.User), unban);
    }

    private void OnDelete(DeleteMessage delete)
    {
        if (Moderator(delete) is not { } member) return;
        var message = _recent.FirstOrDefault(m => m.Id == delete.Id);
        if (message is null || _policy.IsDeleted(message.Seq))
        {
            Answer(delete, new ErrorFrame(ErrorCodes.NoSuchMessage, message is null
                ? $"No message with that id among the last {_settings.HistorySize} of room '{_name}'."
                : "That message is deleted already."));
            return;
        }
        var own = string.Equals(message.Sender, member.User, StringComparison.OrdinalIgnoreCase);
        if (Refused(delete, _policy.DeleteProblem(RoleOf(member), own))) return;
        StartChange(new MessageDeleted(message.Seq, message.Id, member.User), delete);
    }

    /// <summary>
    /// Puts a member out: what was staged for it still reaches it, the others see it leave, and it is told (its
    /// session forgets the room). Returns the kicked frame, which also answers whoever did it.
    /// </summary>
    private KickedFrame KickOut(int index, string by, string? reason)
    {
        var member = _members[index];
        SendStagedMessages();
        var frame = new KickedFrame(_name, member.User, by, reason);
        Remove(member.Ref);
        member.Ref.Tell(new Kicked(_key, frame), ActorRefs.NoSender);
        SendStagedMessages();
        return frame;
    }

    /// <summary>A frame for every member now (after what is staged), the sender's copy answering its command.</summary>
    private void Broadcast(IRoomCommand command, ServerFrame frame)
    {
        SendStagedMessages();
        var everyone = new Deliver(FrameCodec.EncodeLine(frame));
        var answered = false;
        foreach (var member in _members)
        {
            if (member.Ref.Equals(command.Member))
            {
                Answer(command, frame);
                answered = true;
            }
            else
            {
                member.Ref.Tell(everyone, ActorRefs.NoSender);
            }
        }
        if (!answered) Answer(command, frame); // left meanwhile: still answered
    }

    /// <summary>A join the room refuses: the session forgets the room and passes the error on.</summary>
    private static void RefuseJoin(Join join, ErrorFrame error) =>
        join.Member.Tell(new JoinRefused(join.Room, error with { Ref = join.Ref }), ActorRefs.NoSender);

    private void AnswerOrRefuse(IRoomCommand command, ErrorFrame error)
    {
        if (command is Join join) RefuseJoin(join, error);
        else Answer(command, error);
    }

    private ErrorFrame NotInRoom(string toDo) => new(ErrorCodes.NotInRoom, $"Join room '{_name}' to {toDo}.");

    /// <summary>A deleted message shows as a tombstone: no text, its id, sender, time and seq kept.</summary>
    private MessageFrame Shown(MessageFrame frame) =>
        _policy.IsDeleted(frame.Seq) ? Tombstone(frame) : _notes.Show(frame);

    /// <summary>A tombstone keeps nothing of what was said: no text, no preview of what it answered, no reactions, no files.</summary>
    public static MessageFrame Tombstone(MessageFrame frame) =>
        frame with { Text = "", Deleted = true, ReplyPreview = null, Mentions = null, Reactions = null, EditedAt = null, Attachments = null };

    private int IndexOfUser(string user) =>
        _members.FindIndex(m => string.Equals(m.User, user, StringComparison.OrdinalIgnoreCase));
}
