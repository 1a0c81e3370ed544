using System.Text.Json.Serialization;

namespace ActorChat.Messages;

/// <summary>A frame a client sends to the server (wire protocol v1). The JSON "type" field selects the record.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HelloRequest), "hello")]
[JsonDerivedType(typeof(JoinRequest), "join")]
[JsonDerivedType(typeof(SayRequest), "say")]
[JsonDerivedType(typeof(LeaveRequest), "leave")]
[JsonDerivedType(typeof(DirectMessageRequest), "dm")]
[JsonDerivedType(typeof(RoomListRequest), "rooms")]
[JsonDerivedType(typeof(WhoRequest), "who")]
[JsonDerivedType(typeof(StatsRequest), "stats")]
[JsonDerivedType(typeof(HistoryRequest), "history")]
[JsonDerivedType(typeof(SearchRequest), "search")]
[JsonDerivedType(typeof(PingRequest), "ping")]
[JsonDerivedType(typeof(PongRequest), "pong")]
[JsonDerivedType(typeof(QuitRequest), "quit")]
[JsonDerivedType(typeof(RegisterRequest), "register")]
[JsonDerivedType(typeof(PasswordRequest), "password")]
[JsonDerivedType(typeof(KillRequest), "kill")]
[JsonDerivedType(typeof(BanRequest), "ban")]
[JsonDerivedType(typeof(UnbanRequest), "unban")]
[JsonDerivedType(typeof(TopicRequest), "topic")]
[JsonDerivedType(typeof(ModeRequest), "mode")]
[JsonDerivedType(typeof(InviteRequest), "invite")]
[JsonDerivedType(typeof(RoleRequest), "role")]
[JsonDerivedType(typeof(KickRequest), "kick")]
[JsonDerivedType(typeof(RoomBanRequest), "room_ban")]
[JsonDerivedType(typeof(RoomUnbanRequest), "room_unban")]
[JsonDerivedType(typeof(DeleteRequest), "delete")]
[JsonDerivedType(typeof(DropRequest), "drop")]
[JsonDerivedType(typeof(ReactRequest), "react")]
[JsonDerivedType(typeof(EditRequest), "edit")]
[JsonDerivedType(typeof(TypingRequest), "typing")]
[JsonDerivedType(typeof(MentionsRequest), "mentions")]
[JsonDerivedType(typeof(ReadRequest), "read")]
[JsonDerivedType(typeof(DmsRequest), "dms")]
[JsonDerivedType(typeof(UploadTokenRequest), "uploadToken")]
public abstract record ClientFrame
{
    /// <summary>
    /// The client's own tag for this frame (at most <see cref="Protocol.MaxRefLength"/> characters), or null. The
    /// direct answer to the frame, any error it causes and the sender's own copy of its message carry it back.
    /// </summary>
    public string? Ref { get; init; }

    /// <summary>The name of the first required field that the JSON left out, or null when all are there.</summary>
    internal virtual string? MissingField() => null;
}

/// <summary>Identifies the connection; with <see cref="Password"/> it signs in to the account of that name.</summary>
public sealed record HelloRequest(string Name, string? Password = null) : ClientFrame
{
    internal override string? MissingField() => Name is null ? "name" : null;

    // A password never goes into a log line through ToString.
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Name = {Name}, Password = {(Password is null ? "null" : "(hidden)")}, Ref = {Ref}");
        return true;
    }
}

/// <summary>Joins a room; <see cref="Password"/> opens a private room that has one.</summary>
public sealed record JoinRequest(string Room, string? Password = null) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : null;
}

/// <summary>
/// Says <see cref="Text"/> in a room. <see cref="ReplyTo"/> is the id of a message of that room it answers;
/// <see cref="Action"/> marks an action ("/me waves", shown as "* alice waves").
/// </summary>
public sealed record SayRequest(string Room, string Text, string? ReplyTo = null, bool? Action = null) : ClientFrame
{
    /// <summary>Ids of files the sender uploaded (<c>POST /api/files</c>), at most 10; null or empty: none.</summary>
    public IReadOnlyList<string>? Attachments { get; init; }

    internal override string? MissingField() => Room is null ? "room" : Text is null ? "text" : null;
}

public sealed record LeaveRequest(string Room) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : null;
}

public sealed record DirectMessageRequest(string To, string Text) : ClientFrame
{
    /// <summary>As in <see cref="SayRequest.Attachments"/>.</summary>
    public IReadOnlyList<string>? Attachments { get; init; }

    internal override string? MissingField() => To is null ? "to" : Text is null ? "text" : null;
}

/// <summary>
/// Asks for the rooms, a page at a time in name order; <see cref="After"/> is the <c>next</c> cursor of the page
/// before (null: the first page).
/// </summary>
public sealed record RoomListRequest(string? After = null) : ClientFrame
{
    public static readonly RoomListRequest Instance = new();
}

public sealed record WhoRequest(string Room) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : null;
}

public sealed record StatsRequest(string Room) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : null;
}

/// <summary>
/// Asks for older messages of a room the client is in: up to <see cref="Limit"/> messages with a seq below
/// <see cref="Before"/> (the latest when left out), oldest first.
/// </summary>
public sealed record HistoryRequest(string Room, long? Before = null, int? Limit = null) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : null;
}

public sealed record PingRequest : ClientFrame
{
    public static readonly PingRequest Instance = new();
}

/// <summary>The answer to the server's <see cref="ServerPingFrame"/>: says the client is still there.</summary>
public sealed record PongRequest : ClientFrame
{
    public static readonly PongRequest Instance = new();
}

public sealed record QuitRequest : ClientFrame
{
    public static readonly QuitRequest Instance = new();
}

/// <summary>Creates an account of <see cref="Name"/> with <see cref="Password"/> and identifies the connection as it.</summary>
public sealed record RegisterRequest(string Name, string Password) : ClientFrame
{
    internal override string? MissingField() => Name is null ? "name" : Password is null ? "password" : null;

    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Name = {Name}, Password = (hidden), Ref = {Ref}");
        return true;
    }
}

/// <summary>Changes the password of the account the connection signed in to.</summary>
public sealed record PasswordRequest(string Old, string New) : ClientFrame
{
    internal override string? MissingField() => Old is null ? "old" : New is null ? "new" : null;

    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Old = (hidden), New = (hidden), Ref = {Ref}");
        return true;
    }
}

/// <summary>An operator disconnects <see cref="User"/>, who gets bye with reason <c>killed</c> and the reason text.</summary>
public sealed record KillRequest(string User, string? Reason = null) : ClientFrame
{
    internal override string? MissingField() => User is null ? "user" : null;
}

/// <summary>
/// An operator bans an account (<see cref="User"/>) or a source address or range (<see cref="Address"/>) for
/// <see cref="Minutes"/> (fractions allowed; left out: for good).
/// </summary>
public sealed record BanRequest(string? User = null, string? Address = null, double? Minutes = null, string? Reason = null) : ClientFrame;

/// <summary>An operator lifts the ban of an account or an address.</summary>
public sealed record UnbanRequest(string? User = null, string? Address = null) : ClientFrame;

/// <summary>Sets the topic of a room (owners and moderators); an empty topic clears it.</summary>
public sealed record TopicRequest(string Room, string Topic) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : Topic is null ? "topic" : null;
}

/// <summary>
/// Makes a room private or public (owners). A private room is joined by invitation or with its
/// <see cref="Password"/> (null: none); a public one ignores the password.
/// </summary>
public sealed record ModeRequest(string Room, bool? Private, string? Password = null) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : Private is null ? "private" : null;
}

/// <summary>Lets <see cref="User"/> (by name) into a private room (owners and moderators).</summary>
public sealed record InviteRequest(string Room, string User) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : User is null ? "user" : null;
}

/// <summary>Gives <see cref="User"/> (an account name) the role <c>owner</c>, <c>moderator</c> or <c>member</c> in a room (owners).</summary>
public sealed record RoleRequest(string Room, string User, string Role) : ClientFrame
{
    public const string Owner = "owner";
    public const string Moderator = "moderator";
    public const string Member = "member";

    internal override string? MissingField() => Room is null ? "room" : User is null ? "user" : Role is null ? "role" : null;
}

/// <summary>Puts <see cref="User"/> out of a room; they may join again (owners and moderators).</summary>
public sealed record KickRequest(string Room, string User, string? Reason = null) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : User is null ? "user" : null;
}

/// <summary>Bans <see cref="User"/> (by name) from a room, and puts them out if they are in it (owners and moderators).</summary>
public sealed record RoomBanRequest(string Room, string User, string? Reason = null) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : User is null ? "user" : null;
}

/// <summary>Lifts a room ban (owners and moderators).</summary>
public sealed record RoomUnbanRequest(string Room, string User) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : User is null ? "user" : null;
}

/// <summary>Deletes the message <see cref="Id"/> of a room (its sender, moderators and owners); it stays as a tombstone.</summary>
public sealed record DeleteRequest(string Room, string Id) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : Id is null ? "id" : null;
}

/// <summary>
/// An operator removes the whole room: its members are put out of it (each gets a dropped frame), it leaves the rooms
/// list and its history is gone for clients; the name may later make a fresh, empty room.
/// </summary>
public sealed record DropRequest(string Room, string? Reason = null) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : null;
}

/// <summary>Toggles the sender's reaction <see cref="Emoji"/> (one grapheme cluster) on the message <see cref="Id"/> of a room.</summary>
public sealed record ReactRequest(string Room, string Id, string Emoji) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : Id is null ? "id" : Emoji is null ? "emoji" : null;
}

/// <summary>Replaces the text of the sender's own message <see cref="Id"/>; its id and seq stay.</summary>
public sealed record EditRequest(string Room, string Id, string Text) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : Id is null ? "id" : Text is null ? "text" : null;
}

/// <summary>Tells the other members of a room that the sender is typing (clients send it at most every 3 s).</summary>
public sealed record TypingRequest(string Room) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : null;
}

/// <summary>Asks for the caller's latest mentions across rooms, newest first (registered users).</summary>
public sealed record MentionsRequest(int? Limit = null) : ClientFrame;

/// <summary>Records that the caller (a registered user) has read <see cref="Room"/> up to <see cref="Seq"/>; markers only go forward.</summary>
public sealed record ReadRequest(string Room, long? Seq) : ClientFrame
{
    internal override string? MissingField() => Room is null ? "room" : Seq is null ? "seq" : null;
}

/// <summary>Asks for the caller's direct-message conversations, the most recently active first (registered users; guests get none).</summary>
public sealed record DmsRequest : ClientFrame;
/// <summary>
/// Searches the messages the client may read (public rooms, private rooms it belongs to, its own direct messages):
/// whole words, <c>word*</c> prefixes and "quoted phrases", all of which must match; optionally in one room, from one
/// sender, and before a cursor (the <c>next</c> of the page before). Newest first, up to <see cref="Limit"/> (1 to 50).
/// </summary>
public sealed record SearchRequest(string Query, string? Room = null, string? From = null, long? Before = null, int? Limit = null) : ClientFrame
{
    internal override string? MissingField() => Query is null ? "query" : null;
}
/// <summary>Asks for a token to upload files with over HTTP (<c>Authorization: Bearer TOKEN</c>); answered with an uploadToken frame.</summary>
public sealed record UploadTokenRequest : ClientFrame;
