namespace ActorChat.Server.Rooms;

/// <summary>
/// What a room's rules actor (<see cref="RoomRules"/>, persistence id <c>rules-&lt;key&gt;</c>) writes. They are kept
/// apart from the room's own journal, whose sequence numbers are the messages' seq and must stay 1, 2, 3… without
/// gaps. Stored data: add fields only with defaults, and give a changed shape a new manifest in
/// <see cref="RoomRulesSerializer"/>.
/// </summary>
public interface IRoomRulesEvent;

/// <summary><see cref="User"/> (an account name) has <see cref="Role"/> (owner, moderator or member) in the room.</summary>
public sealed record RoleGiven(string User, string Role, string By) : IRoomRulesEvent;

/// <summary>The room's topic; empty when it was cleared.</summary>
public sealed record TopicSet(string Topic, string By) : IRoomRulesEvent;

/// <summary>The room was made private or public; <see cref="PasswordHash"/> is <see cref="RoomPassword"/>'s hash, or null.</summary>
public sealed record ModeSet(bool Private, string? PasswordHash, string By) : IRoomRulesEvent;

public sealed record UserInvited(string User, string By) : IRoomRulesEvent;

public sealed record UserBanned(string User, string? Reason, string By) : IRoomRulesEvent;

public sealed record UserUnbanned(string User, string By) : IRoomRulesEvent;

/// <summary>The message with this seq and id is a tombstone from now on (its text stays in the room's journal).</summary>
public sealed record MessageDeleted(long Seq, string Id, string By) : IRoomRulesEvent;

/// <summary>All of a room's rules at once.</summary>
public sealed record RulesSnapshot(
    IReadOnlyList<string> Owners,
    IReadOnlyList<string> Moderators,
    string? Topic,
    string? TopicBy,
    bool Private,
    string? PasswordHash,
    IReadOnlyList<string> Invited,
    IReadOnlyDictionary<string, string?> Bans,
    IReadOnlyList<long> Deleted) : IRoomRulesEvent;
