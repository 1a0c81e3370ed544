using ActorChat.Messages;
using ActorChat.Server.Rooms;

namespace ActorChat.Server.Sessions;

/// <summary>
/// Frames of rooms that belong to someone: topic, mode, invitations, roles, kicks, room bans and deletions. The
/// session checks their fields; the room decides who may (and answers each exactly once).
/// </summary>
public sealed partial class ChatSession
{
    /// <summary>A topic, and the reason of a kick or ban, follow the text rules of messages but are shorter.</summary>
    public const int MaxTopicLength = 300;

    private void OnModeration(ClientFrame frame)
    {
        if (!CheckRoomName(frame)) return;
        var self = _transport.Self;
        (ErrorFrame? Problem, IRoomCommand? Command) request = frame switch
        {
            TopicRequest t => (t.Topic.Length == 0 ? null : ShortTextProblem(t.Topic, "A topic"),
                new RoomProtocol.SetTopic(t.Room, t.Topic, self, t.Ref)),
            ModeRequest m => (PasswordProblem(m.Password),
                new RoomProtocol.SetMode(m.Room, m.Private!.Value, m.Private.Value ? m.Password : null, self, m.Ref)),
            InviteRequest i => (UserProblem(i.User), new RoomProtocol.Invite(i.Room, i.User, self, i.Ref)),
            RoleRequest r => (UserProblem(r.User) ?? RoleProblem(r.Role), new RoomProtocol.SetRole(r.Room, r.User, r.Role, self, r.Ref)),
            KickRequest k => (UserProblem(k.User) ?? ReasonProblem(k.Reason, MaxTopicLength),
                new RoomProtocol.Kick(k.Room, k.User, NullIfEmpty(k.Reason), self, k.Ref)),
            RoomBanRequest b => (UserProblem(b.User) ?? ReasonProblem(b.Reason, MaxTopicLength),
                new RoomProtocol.BanFromRoom(b.Room, b.User, NullIfEmpty(b.Reason), self, b.Ref)),
            RoomUnbanRequest u => (UserProblem(u.User), new RoomProtocol.UnbanFromRoom(u.Room, u.User, self, u.Ref)),
            DeleteRequest d => (d.Id.Length is 0 or > 64 ? new ErrorFrame(ErrorCodes.NoSuchMessage, "That is not a message id.") : null,
                new RoomProtocol.DeleteMessage(d.Room, d.Id, self, d.Ref)),
            _ => (new ErrorFrame(ErrorCodes.UnknownType, "This server does not handle that frame."), null),
        };
        if (request.Problem is { } problem)
        {
            Reply(frame, problem);
            return;
        }
        Ask(frame, request.Command!);
    }

    /// <summary>Kicked or banned out of a room: the client is no longer in it and is told who did it and why.</summary>
    private void OnKicked(RoomProtocol.Kicked kicked)
    {
        var wasIn = _rooms.Remove(kicked.Key);
        Detach(kicked.Key);
        if (wasIn) _transport.Send(kicked.Frame);
    }

    private static ErrorFrame? UserProblem(string user) => Protocol.IsValidName(user)
        ? null
        : new ErrorFrame(ErrorCodes.InvalidName, $"A user name is 1 to {Protocol.MaxNameLength} letters, digits, '_', '-' or '.'.");

    private static ErrorFrame? RoleProblem(string role) => role is RoleRequest.Owner or RoleRequest.Moderator or RoleRequest.Member
        ? null
        : new ErrorFrame(ErrorCodes.BadRequest, "A role is 'owner', 'moderator' or 'member'.");

    /// <summary>A room password: left out (or null) for none, else 1 to <see cref="RoomPassword.MaxLength"/> characters.</summary>
    private static ErrorFrame? PasswordProblem(string? password) => password is null or { Length: >= 1 and <= RoomPassword.MaxLength }
        ? null
        : new ErrorFrame(ErrorCodes.BadRequest, $"A room password is 1 to {RoomPassword.MaxLength} characters.");

    private static ErrorFrame? ShortTextProblem(string text, string what)
    {
        if (TextProblem(text) is { Code: not ErrorCodes.MessageTooLong } problem) return problem;
        var length = Protocol.TextLength(text);
        return length > MaxTopicLength
            ? new ErrorFrame(ErrorCodes.MessageTooLong, $"{what} is at most {MaxTopicLength} characters; this one has {length}.")
            : null;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
