using ActorChat.Messages;
using ActorChat.Server.Direct;
using ActorChat.Server.Inboxes;
using ActorChat.Server.Search;
using Akka.Actor;

namespace ActorChat.Server.Sessions;

/// <summary>
/// Kept direct messages: between two accounts a dm goes to its conversation, which stores it, gives it a seq and
/// delivers it; "@name" in history and read stands for the caller's own conversation with that name.
/// </summary>
public sealed partial class ChatSession
{
    private const string ConversationPrefix = "@";

    private bool KeepsDirectMessages => _signedInToAccount && HasInboxes && !_services.Directs.IsNobody();

    private static bool IsConversationName(string? room) => room is not null && room.StartsWith(ConversationPrefix, StringComparison.Ordinal);

    /// <summary>Where a dm's answer comes from: its conversation when kept (so dms to one name pipeline), else the registry.</summary>
    private string DirectTarget(DirectMessageRequest dm) =>
        KeepsDirectMessages && !IsOwnName(dm.To) ? DirectMessages + ":" + Protocol.Key(dm.To) : DirectMessages;

    private bool IsOwnName(string name) => Protocol.Key(name) == Protocol.Key(UserName!);

    /// <summary>The other's name in "@name", or an error for the frame.</summary>
    private string? ConversationPartner(ClientFrame frame, string room)
    {
        var other = room[ConversationPrefix.Length..];
        if (Protocol.IsValidName(other)) return other;
        Reply(frame, new ErrorFrame(ErrorCodes.InvalidRoom, $"A conversation is '@' and a user's name (1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.')."));
        return null;
    }

    private bool CheckKeptDirect(ClientFrame frame)
    {
        if (KeepsDirectMessages) return true;
        Reply(frame, new ErrorFrame(ErrorCodes.NotPermitted, "Direct messages are kept between accounts only; sign in or register first."));
        return false;
    }

    private void SendDirect(DirectMessageRequest dm)
    {
        Expect(dm, DirectTarget(dm), saysMayFollow: true);
        if (DirectTarget(dm) == DirectMessages)
            Tell(_services.UserRegistry, new Users.UserRegistry.SendDirect(UserName!, dm.To, dm.Text, _transport.Self, dm.Ref) { Attachments = AttachmentsOf(dm.Attachments) });
        else
            Tell(_services.Directs, new DirectConversations.Send(UserName!, dm.To, dm.Text, _transport.Self, dm.Ref) { Attachments = AttachmentsOf(dm.Attachments) });
    }

    /// <summary>History of "@name" is always the caller's own conversation with that name: nobody reads anyone else's.</summary>
    private void OnDirectHistory(HistoryRequest history, int limit)
    {
        if (ConversationPartner(history, history.Room) is not { } other || !CheckKeptDirect(history)) return;
        Expect(history);
        Tell(_services.Directs, new DirectConversations.History(UserName!, other, history.Before, limit, _transport.Self, history.Ref));
    }

    private void OnDirectRead(ReadRequest read)
    {
        if (ConversationPartner(read, read.Room) is not { } other || !CheckKeptDirect(read)) return;
        if (read.Seq is not >= 1)
        {
            Reply(read, new ErrorFrame(ErrorCodes.BadRequest, "'seq' is a message seq, 1 or more."));
            return;
        }
        Expect(read);
        var key = SearchConversations.Direct(Protocol.Key(UserName!), Protocol.Key(other));
        Tell(_services.Inboxes, new UserInboxes.ForUser(UserName!, new UserInbox.MarkRead(key, read.Seq.Value, _transport.Self, read.Ref)));
    }

    /// <summary>Guests' direct messages are not kept, so they have no conversations to list.</summary>
    private void OnDms(DmsRequest dms)
    {
        if (!KeepsDirectMessages)
        {
            Reply(dms, new DmsFrame([]));
            return;
        }
        Expect(dms);
        Tell(_services.Inboxes, new UserInboxes.ForUser(UserName!, new UserInbox.GetConversations(_transport.Self, dms.Ref)));
    }

    /// <summary>After signing in to an account: a dms frame, unasked, when some conversation has unread messages.</summary>
    private void NoticeUnreadDirectMessages()
    {
        if (KeepsDirectMessages)
            Tell(_services.Inboxes, new UserInboxes.ForUser(UserName!, new UserInbox.GetConversations(_transport.Self, null, AtSignIn: true)));
    }
}
