using System.Text;
using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;
using static ActorChat.Server.Rooms.RoomProtocol;

namespace ActorChat.Server.Rooms;

/// <summary>
/// Reactions, edits, replies and typing: what members do with the room's recent messages. Reactions and edits are
/// stored by <see cref="RoomNotes"/> (a journal apart from the messages, so seq never moves) before anyone sees
/// them, one at a time, so each toggle is decided on the notes as the one before left them.
/// </summary>
public sealed partial class RoomActor
{
    /// <summary>How much of the answered message a reply carries, in characters (code points).</summary>
    public const int ReplyPreviewLength = 100;

    private IRoomCommand? _noteChange; // the reaction or edit being stored
    private readonly Queue<IRoomCommand> _waitingForNotes = new();

    private void OnNotesRecovered(RoomNotes.Recovered recovered)
    {
        _notes.Apply(recovered.Notes);
        _notesRecovered = true;
        BecomeReadyOnceRecovered();
    }

    private void OnNotesUnrecoverable(RoomNotes.Unrecoverable unrecoverable) =>
        StopAsUnrecoverable("Notes", "reactions and edits", unrecoverable.Reason);

    /// <summary>The notes actor stopped (it could not write): the room restarts with its members, as after a failed message write.</summary>
    private void OnNotesGone()
    {
        RestartAfterChildFailed("reactions and edits", _noteChange, _waitingForNotes);
        _noteChange = null;
    }

    /// <summary>A message among the room's recent ones (the last <see cref="Configuration.RoomSettings.HistorySize"/>), or null.</summary>
    private MessageFrame? RecentMessage(string id)
    {
        foreach (var message in _recent)
            if (message.Id == id) return message;
        return null;
    }

    private ErrorFrame NoSuchMessage() => new(ErrorCodes.NoSuchMessage,
        $"No message with that id among the last {_settings.HistorySize} of room '{_name}'.");

    /// <summary>The first <see cref="ReplyPreviewLength"/> characters of the message's latest text (nothing of a deleted one).</summary>
    private string ReplyPreviewText(MessageFrame answered)
    {
        if (_policy.IsDeleted(answered.Seq)) return "";
        var text = _notes.TextOf(answered.Seq, answered.Text);
        var builder = new StringBuilder();
        var count = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (count++ == ReplyPreviewLength) break;
            builder.Append(rune.ToString());
        }
        return builder.ToString();
    }

    /// <summary>The member and the live message a reaction or edit is about, or null after answering why not.</summary>
    private (RoomMember Member, MessageFrame Message)? Target(IRoomCommand command, string id, string toDo)
    {
        var index = IndexOf(command.Member);
        if (index < 0)
        {
            Answer(command, NotInRoom(toDo));
            return null;
        }
        var message = RecentMessage(id);
        if (message is null || _policy.IsDeleted(message.Seq))
        {
            Answer(command, message is null ? NoSuchMessage() : new ErrorFrame(ErrorCodes.NoSuchMessage, "That message is deleted."));
            return null;
        }
        return (_members[index], message);
    }

    private void OnReact(React react)
    {
        if (Target(react, react.Id, "react to its messages") is not var (member, message)) return;
        var on = !_notes.HasReacted(message.Seq, react.Emoji, member.User);
        if (on && _notes.IsFull(message.Seq, react.Emoji))
        {
            Answer(react, new ErrorFrame(ErrorCodes.BadRequest,
                $"A message carries at most {MessageNotes.MaxEmojiPerMessage} different reactions; add to one that is there."));
            return;
        }
        StartNote(new ReactionToggled(message.Seq, message.Id, react.Emoji, member.User, on), react);
    }

    private void OnEdit(Edit edit)
    {
        if (Target(edit, edit.Id, "edit its messages") is not var (member, message)) return;
        if (!string.Equals(message.Sender, member.User, StringComparison.OrdinalIgnoreCase))
        {
            Answer(edit, new ErrorFrame(ErrorCodes.NotPermitted, "Only its sender may edit a message."));
            return;
        }
        StartNote(new MessageEdited(message.Seq, message.Id, edit.Text, Protocol.FormatTimestamp(DateTime.UtcNow)), edit);
    }

    private void StartNote(IRoomNoteEvent change, IRoomCommand command)
    {
        _noteChange = command;
        _notesStore.Tell(new RoomNotes.Store(change));
    }

    private void OnNoteStored(IRoomNoteEvent change, long nr)
    {
        if (_noteChange is not { } command) return;
        _noteChange = null;
        _notes.Apply(change);
        switch (change)
        {
            case ReactionToggled toggled:
                Broadcast(command, new ReactionFrame(_name, toggled.Id, toggled.Emoji, toggled.User, toggled.On));
                break;
            case MessageEdited edited:
                Broadcast(command, new EditedFrame(_name, edited.Id, edited.Text, edited.EditedAt));
                Context.System.EventStream.Publish(new Search.MessageTextChanged(_key, edited.Seq, edited.Text, edited.Id)
                    { Stream = RoomNotes.PersistenceIdOf(_key), Nr = nr, Generation = _generation });
                break;
        }
        RunWaitingForNotes();
    }

    private void OnNoteNotStored()
    {
        if (_noteChange is not { } command) return;
        _noteChange = null;
        Answer(command, new ErrorFrame(ErrorCodes.Unavailable, "The change was not saved; try again."));
        RunWaitingForNotes();
    }

    private void RunWaitingForNotes()
    {
        while (_noteChange is null && !_failed && _waitingForNotes.TryDequeue(out var command)) OnCommand(command);
    }

    /// <summary>Typing goes to the other members as it comes: it is not stored, and nobody answers it (the session has).</summary>
    private void OnTyping(Typing typing)
    {
        var index = IndexOf(typing.Member);
        if (index < 0 || _members.Count < 2) return;
        var frame = new Deliver(FrameCodec.EncodeLine(new TypingFrame(_name, _members[index].User)));
        foreach (var member in _members)
            if (!member.Ref.Equals(typing.Member)) member.Ref.Tell(frame, ActorRefs.NoSender);
    }
}
