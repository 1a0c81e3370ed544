using ActorChat.Messages;
using ActorChat.Server.Rooms;
using Akka.Actor;

namespace ActorChat.Server.Sessions;

/// <summary>
/// What people do with messages besides saying them: reactions, edits and typing. The session checks the fields;
/// the room decides (and answers reactions and edits exactly once). Typing is answered here.
/// </summary>
public sealed partial class ChatSession
{
    /// <summary>A client tells a room it is typing at most this often; the server drops the ones in between.</summary>
    public static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(3);

    private readonly Dictionary<string, long> _typingSent = new(StringComparer.Ordinal); // room key → when typing last went out

    private void OnConversation(ClientFrame frame)
    {
        if (!CheckRoomName(frame)) return;
        var self = _transport.Self;
        (ErrorFrame? Problem, IRoomCommand? Command) request = frame switch
        {
            ReactRequest r => (MessageIdProblem(r.Id) ?? EmojiProblem(r.Emoji) ?? MembershipProblem(r.Room, "react to its messages"),
                new RoomProtocol.React(r.Room, r.Id, r.Emoji, self, r.Ref)),
            EditRequest e => (MessageIdProblem(e.Id) ?? TextProblem(e.Text) ?? MembershipProblem(e.Room, "edit its messages"),
                new RoomProtocol.Edit(e.Room, e.Id, e.Text, self, e.Ref)),
            TypingRequest t => (MembershipProblem(t.Room, "type there"), null),
            _ => (new ErrorFrame(ErrorCodes.UnknownType, "This server does not handle that frame."), null),
        };
        if (request.Problem is { } problem)
        {
            Reply(frame, problem);
            return;
        }
        if (frame is TypingRequest typing)
        {
            OnTyping(typing);
            return;
        }
        Ask(frame, request.Command!);
    }

    /// <summary>Answered at once; passed on to the room at most once per <see cref="TypingInterval"/> per room, the rest dropped.</summary>
    private void OnTyping(TypingRequest typing)
    {
        var key = Protocol.Key(typing.Room);
        var now = Environment.TickCount64;
        if (!_typingSent.TryGetValue(key, out var last) || now - last >= (long)TypingInterval.TotalMilliseconds)
        {
            if (_typingSent.Count >= _services.Settings.MaxRoomsPerSession) _typingSent.Clear(); // rooms left long ago
            _typingSent[key] = now;
            TellRoom(new RoomProtocol.Typing(typing.Room, _transport.Self));
        }
        Reply(typing, new DoneFrame("typing"));
    }

    private ErrorFrame? MembershipProblem(string room, string toDo) => _rooms.ContainsKey(Protocol.Key(room))
        ? null
        : new ErrorFrame(ErrorCodes.NotInRoom, $"Join room '{room}' to {toDo}.");

    /// <summary>Message ids are the server's own (32 hex digits); anything far off is no message.</summary>
    private static ErrorFrame? MessageIdProblem(string id) => id.Length is 0 or > 64
        ? new ErrorFrame(ErrorCodes.NoSuchMessage, "That is not a message id.")
        : null;

    private static ErrorFrame? EmojiProblem(string emoji) => MessageNotes.IsValidEmoji(emoji)
        ? null
        : new ErrorFrame(ErrorCodes.BadRequest, $"A reaction is one emoji (one grapheme cluster of at most {MessageNotes.MaxEmojiBytes} bytes).");
}

/// <summary>A registered user's mentions and read markers, kept by their inbox (which answers).</summary>
public sealed partial class ChatSession
{
    public const int DefaultMentionsLimit = 20;

    private bool HasInboxes => !_services.Inboxes.IsNobody();

    private RoomProtocol.Join? _joinAwaitingLastRead; // a join held until the user's read marker for the room is in

    private void OnInbox(ClientFrame frame)
    {
        if (frame is ReadRequest { Room: var room } direct && IsConversationName(room))
        {
            OnDirectRead(direct);
            return;
        }
        if (frame is ReadRequest read && !CheckRoomName(read)) return;
        if (!_signedInToAccount || _services.Inboxes.IsNobody())
        {
            Reply(frame, new ErrorFrame(ErrorCodes.NotPermitted, "Mentions and read markers are kept for accounts; sign in or register first."));
            return;
        }
        switch (frame)
        {
            case MentionsRequest mentions:
                var limit = mentions.Limit ?? DefaultMentionsLimit;
                if (limit is < 1 or > Inboxes.Inbox.MaxMentions)
                {
                    Reply(frame, new ErrorFrame(ErrorCodes.BadRequest, $"A mentions limit is 1 to {Inboxes.Inbox.MaxMentions}; {limit} is not."));
                    return;
                }
                Expect(frame);
                Tell(_services.Inboxes, new Inboxes.UserInboxes.ForUser(UserName!, new Inboxes.UserInbox.GetMentions(limit, _transport.Self, frame.Ref)));
                break;
            case ReadRequest mark:
                if (mark.Seq is not >= 1)
                {
                    Reply(frame, new ErrorFrame(ErrorCodes.BadRequest, "'seq' is a message seq, 1 or more."));
                    return;
                }
                if (MembershipProblem(mark.Room, "mark it read") is { } notIn)
                {
                    Reply(frame, notIn);
                    return;
                }
                Expect(frame);
                Tell(_services.Inboxes, new Inboxes.UserInboxes.ForUser(UserName!,
                    new Inboxes.UserInbox.MarkRead(Protocol.Key(mark.Room), mark.Seq.Value, _transport.Self, frame.Ref)));
                break;
        }
    }

    /// <summary>The join waits (as answered by the room) while the inbox says how far the user has read; then it goes to the room.</summary>
    private void JoinWithLastRead(JoinRequest join, RoomProtocol.Join command)
    {
        Expect(join, Protocol.Key(command.Room));
        _joinAwaitingLastRead = command;
        Tell(_services.Inboxes, new Inboxes.UserInboxes.ForUser(UserName!, new Inboxes.UserInbox.GetLastRead(Protocol.Key(command.Room), _transport.Self)));
    }

    private RoomProtocol.ListRooms? _listAwaitingReadMarkers; // a rooms list held until the user's read markers are in

    /// <summary>The rooms list waits (as answered by the directory) for the user's read markers, so it can count what is unread.</summary>
    private void ListRoomsWithReadMarkers(RoomProtocol.ListRooms command)
    {
        _listAwaitingReadMarkers = command;
        Tell(_services.Inboxes, new Inboxes.UserInboxes.ForUser(UserName!, new Inboxes.UserInbox.GetReadMarkers(_transport.Self)));
    }

    private void OnReadMarkers(Inboxes.UserInbox.ReadMarkers markers)
    {
        if (_listAwaitingReadMarkers is not { } list) return;
        _listAwaitingReadMarkers = null;
        Tell(_services.RoomDirectory, list with { Read = markers.Seqs });
    }

    private void OnLastRead(Inboxes.UserInbox.LastRead lastRead)
    {
        if (_joinAwaitingLastRead is not { } join || Protocol.Key(join.Room) != lastRead.RoomKey) return;
        _joinAwaitingLastRead = null;
        TellRoom(join with { LastRead = lastRead.Seq });
    }
}
