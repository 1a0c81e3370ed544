using System.Text.Json.Serialization;

namespace ActorChat.Messages;

/// <summary>A frame the server sends to a client (wire protocol v1). The JSON "type" field selects the record.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(WelcomeFrame), "welcome")]
[JsonDerivedType(typeof(JoinedFrame), "joined")]
[JsonDerivedType(typeof(PresenceFrame), "presence")]
[JsonDerivedType(typeof(MessageFrame), "message")]
[JsonDerivedType(typeof(LeftFrame), "left")]
[JsonDerivedType(typeof(DirectMessageFrame), "dm")]
[JsonDerivedType(typeof(RoomListFrame), "rooms")]
[JsonDerivedType(typeof(MembersFrame), "members")]
[JsonDerivedType(typeof(StatsFrame), "stats")]
[JsonDerivedType(typeof(HistoryFrame), "history")]
[JsonDerivedType(typeof(SearchResultsFrame), "searchResults")]
[JsonDerivedType(typeof(PongFrame), "pong")]
[JsonDerivedType(typeof(ServerPingFrame), "ping")]
[JsonDerivedType(typeof(ErrorFrame), "error")]
[JsonDerivedType(typeof(ByeFrame), "bye")]
[JsonDerivedType(typeof(RegisteredFrame), "registered")]
[JsonDerivedType(typeof(DoneFrame), "done")]
[JsonDerivedType(typeof(TopicFrame), "topic")]
[JsonDerivedType(typeof(ModeFrame), "mode")]
[JsonDerivedType(typeof(InvitedFrame), "invited")]
[JsonDerivedType(typeof(RoleFrame), "role")]
[JsonDerivedType(typeof(KickedFrame), "kicked")]
[JsonDerivedType(typeof(RoomBannedFrame), "room_banned")]
[JsonDerivedType(typeof(RoomUnbannedFrame), "room_unbanned")]
[JsonDerivedType(typeof(DeletedFrame), "deleted")]
[JsonDerivedType(typeof(DroppedFrame), "dropped")]
[JsonDerivedType(typeof(ReactionFrame), "reaction")]
[JsonDerivedType(typeof(EditedFrame), "edited")]
[JsonDerivedType(typeof(TypingFrame), "typing")]
[JsonDerivedType(typeof(MentionsFrame), "mentions")]
[JsonDerivedType(typeof(DmsFrame), "dms")]
[JsonDerivedType(typeof(UploadTokenFrame), "uploadToken")]
public abstract record ServerFrame
{
    /// <summary>The <c>ref</c> of the client frame this answers (left out when it had none, and on frames for everyone).</summary>
    public string? Ref { get; init; }
}

/// <summary>The answer to hello. <see cref="Room"/> is the server's default room, where clients start unless told otherwise.</summary>
public sealed record WelcomeFrame(string Name, string Server, int Protocol, string? Room = null) : ServerFrame
{
    /// <summary>On a WebSocket, after signing in with a password: a token the page trades once for its session cookie.</summary>
    public string? SessionToken { get; init; }

    /// <summary>True when the account signed in is one of the server's operators (left out otherwise).</summary>
    public bool? Operator { get; init; }
}

/// <summary>The answer to join; <see cref="Topic"/> is the room's topic (left out when it has none).</summary>
public sealed record JoinedFrame(string Room, IReadOnlyList<string> Members, IReadOnlyList<MessageFrame> History, string? Topic = null) : ServerFrame
{
    /// <summary>Members whose role counts now (signed in): name → <c>owner</c> or <c>moderator</c>; left out when none has one.</summary>
    public IReadOnlyDictionary<string, string>? Roles { get; init; }

    /// <summary>For a registered user: the seq they have read the room up to (0: nothing yet); left out for guests.</summary>
    public long? LastRead { get; init; }
}

/// <summary>Someone joined or left a room; <see cref="Event"/> is <c>join</c> or <c>leave</c>.</summary>
public sealed record PresenceFrame(string Room, string User, string Event) : ServerFrame
{
    /// <summary>On a join: <c>owner</c> or <c>moderator</c> when the joiner's role counts (left out otherwise).</summary>
    public string? Role { get; init; }

    public const string Join = "join";
    public const string Leave = "leave";
}

/// <summary>
/// A message said in a room. <see cref="Seq"/> numbers a room's messages 1, 2, 3… A deleted message is a tombstone:
/// <see cref="Deleted"/> true and an empty text, with its id, sender, timestamp and seq (left out otherwise).
/// </summary>
public sealed record MessageFrame(string Id, string Room, string Sender, string Text, string Timestamp, long Seq, bool? Deleted = null) : ServerFrame
{
    /// <summary>The id of the message this one answers (left out when it answers none).</summary>
    public string? ReplyTo { get; init; }

    /// <summary>Who wrote the message answered and the first 100 characters of its text, as it was when answered.</summary>
    public ReplyPreview? ReplyPreview { get; init; }

    /// <summary>True for an action ("/me waves"); left out otherwise.</summary>
    public bool? Action { get; init; }

    /// <summary>The names called with <c>@name</c> in the text, in order, each once (left out when none).</summary>
    public IReadOnlyList<string>? Mentions { get; init; }

    /// <summary>In joined and history: emoji → the users who reacted with it, in order (left out when none).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Reactions { get; init; }

    /// <summary>When the text was last edited (left out when never); <see cref="Text"/> is the latest text.</summary>
    public string? EditedAt { get; init; }

    /// <summary>The files the message carries, in the order the sender gave them (left out when none).</summary>
    public IReadOnlyList<FileAttachment>? Attachments { get; init; }
}

/// <summary>
/// A file a message carries: download it at <c>/api/files/{Id}/{Name}</c> on the web port. <see cref="Type"/> is the
/// MIME type the server sniffed from the file's first bytes.
/// </summary>
public sealed record FileAttachment(string Id, string Name, long Size, string Type);

/// <summary>The message a reply answers: its sender and the first 100 characters of its text.</summary>
public sealed record ReplyPreview(string Sender, string Text);

/// <summary><see cref="User"/> put (<see cref="On"/> true) or took back a reaction on message <see cref="Id"/>; sent to every member.</summary>
public sealed record ReactionFrame(string Room, string Id, string Emoji, string User, bool On) : ServerFrame;

/// <summary>The message <see cref="Id"/> now reads <see cref="Text"/>; sent to every member, the editor's copy answers its frame.</summary>
public sealed record EditedFrame(string Room, string Id, string Text, string EditedAt) : ServerFrame;

/// <summary><see cref="User"/> is typing in the room; sent to the other members.</summary>
public sealed record TypingFrame(string Room, string User) : ServerFrame;

public sealed record LeftFrame(string Room) : ServerFrame;

public sealed record DirectMessageFrame(string Id, string From, string To, string Text, string Timestamp) : ServerFrame
{
    /// <summary>Its place in the conversation between the two, when it is kept (both have accounts); left out otherwise.</summary>
    public long? Seq { get; init; }
    /// <summary>As in <see cref="MessageFrame.Attachments"/>.</summary>
    public IReadOnlyList<FileAttachment>? Attachments { get; init; }
}

public sealed record RoomSummary(string Name, int Members)
{
    /// <summary>
    /// For a signed-in user with a read marker in the room: the room's last seq minus the marker (deleted messages
    /// count). Absent without a marker, for guests, and while the server has not seen the room since it started.
    /// </summary>
    public long? Unread { get; init; }
}

/// <summary>
/// One page of the rooms, in name order ignoring case. <see cref="Next"/> is the cursor for the page after this
/// one, or null (sent as JSON null) on the last page.
/// </summary>
public sealed record RoomListFrame(
    IReadOnlyList<RoomSummary> Rooms,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Next = null) : ServerFrame;

public sealed record MembersFrame(string Room, IReadOnlyList<string> Members) : ServerFrame
{
    /// <summary>As in <see cref="JoinedFrame.Roles"/>.</summary>
    public IReadOnlyDictionary<string, string>? Roles { get; init; }
}

/// <summary>
/// Messages per user in a room for the users with the most (at most <see cref="Protocol.MaxStatsPosters"/>);
/// <see cref="Total"/> counts every message of the room.
/// </summary>
public sealed record StatsFrame(string Room, IReadOnlyDictionary<string, long> MessagesPerUser, long Total = 0) : ServerFrame;

/// <summary>The answer to a history request: message frames of one room, oldest first; empty when there are no older ones.</summary>
public sealed record HistoryFrame(string Room, IReadOnlyList<MessageFrame> Messages) : ServerFrame;

public sealed record PongFrame : ServerFrame
{
    public static readonly PongFrame Instance = new();
}

/// <summary>The server asks a connection that has been silent whether it is still there; answer with a pong.</summary>
public sealed record ServerPingFrame : ServerFrame
{
    public static readonly ServerPingFrame Instance = new();
}

/// <summary>
/// A request could not be served. <see cref="Code"/> is one of <see cref="ErrorCodes"/>. <see cref="Room"/> names
/// the room an unprompted error is about (<c>room_failed</c>); an answer to a frame is tied to it by its ref.
/// </summary>
public sealed record ErrorFrame(string Code, string Message) : ServerFrame
{
    public string? Room { get; init; }
}

/// <summary>The server is about to close the connection: the client quit, or the server shuts down.</summary>
public sealed record ByeFrame(string Reason) : ServerFrame
{
    public const string ClientQuit = "quit";
    public const string ServerShutdown = "server_shutdown";

    /// <summary>The connection did not say hello in time, or stayed silent past its ping.</summary>
    public const string Timeout = "timeout";

    /// <summary>An operator disconnected the client; <see cref="Message"/> holds the operator's reason.</summary>
    public const string Killed = "killed";

    /// <summary>The client's account or address was banned; <see cref="Message"/> says why and for how long.</summary>
    public const string Banned = "banned";

    /// <summary>Words for a person, when the reason has some (left out otherwise).</summary>
    public string? Message { get; init; }
}

/// <summary>
/// The answer to register: the account exists and the connection is identified as <see cref="Name"/>, as after a
/// welcome (the same fields, so a client may treat it as one).
/// </summary>
public sealed record RegisteredFrame(string Name, string? Server = null, int? Protocol = null, string? Room = null) : ServerFrame
{
    /// <summary>On a WebSocket: a token the page trades once for its session cookie (see <see cref="WelcomeFrame.SessionToken"/>).</summary>
    public string? SessionToken { get; init; }

    /// <summary>As in <see cref="WelcomeFrame.Operator"/>.</summary>
    public bool? Operator { get; init; }
}

/// <summary>The answer to a request that has nothing else to say: password, kill, ban and unban (<see cref="Request"/> names it).</summary>
public sealed record DoneFrame(string Request) : ServerFrame;

/// <summary>A room's topic was set (empty: cleared) by <see cref="By"/>; sent to every member, the setter's copy answers its frame.</summary>
public sealed record TopicFrame(string Room, string Topic, string By) : ServerFrame;

/// <summary>
/// A room was made private or public by <see cref="By"/>; <see cref="Password"/> says whether it has a password (never
/// the password itself). Sent to every member, the setter's copy answers its frame.
/// </summary>
public sealed record ModeFrame(string Room, bool Private, bool Password, string By) : ServerFrame;

/// <summary>The answer to invite: <see cref="User"/> may now join the private room.</summary>
public sealed record InvitedFrame(string Room, string User, string By) : ServerFrame;

/// <summary><see cref="User"/> now has <see cref="Role"/> in the room; sent to every member, the setter's copy answers its frame.</summary>
public sealed record RoleFrame(string Room, string User, string Role, string By) : ServerFrame;

/// <summary>
/// <see cref="User"/> was put out of the room by <see cref="By"/>: sent to that user, who is no longer in it, and as
/// the answer to the kick (or ban) that did it.
/// </summary>
public sealed record KickedFrame(string Room, string User, string By, string? Reason = null) : ServerFrame;

/// <summary>The answer to room_ban: <see cref="User"/> may not join the room until unbanned.</summary>
public sealed record RoomBannedFrame(string Room, string User, string By, string? Reason = null) : ServerFrame;

/// <summary>The answer to room_unban.</summary>
public sealed record RoomUnbannedFrame(string Room, string User, string By) : ServerFrame;

/// <summary>The message <see cref="Id"/> was deleted by <see cref="By"/>; sent to every member, the deleter's copy answers its frame.</summary>
public sealed record DeletedFrame(string Room, string Id, long Seq, string By) : ServerFrame;

/// <summary>
/// The room was removed by the operator <see cref="By"/>: sent to each of its members, who are no longer in it. The
/// answer to the drop itself is a done frame.
/// </summary>
public sealed record DroppedFrame(string Room, string By, string? Reason = null) : ServerFrame;

/// <summary>The answer to mentions: messages that mentioned the caller, newest first (their text as said, at most 300 characters).</summary>
public sealed record MentionsFrame(IReadOnlyList<MessageFrame> Mentions) : ServerFrame;

/// <summary>
/// One of the caller's direct-message conversations: <see cref="Unread"/> messages from <see cref="With"/> after the
/// caller's read marker, the latest message (null when none is known) and its seq.
/// </summary>
public sealed record DirectConversationSummary(
    string With,
    long Unread,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DirectMessageFrame? Last,
    long LastSeq);

/// <summary>The answer to dms (and, unasked, sent after sign-in when something is unread): the most recently active conversation first.</summary>
public sealed record DmsFrame(IReadOnlyList<DirectConversationSummary> Conversations) : ServerFrame;

/// <summary>
/// The answer to a search: matching messages, newest first, each a message frame naming its room (a direct message
/// names "@" and the other participant). <see cref="Next"/> is the <c>before</c> of the next page, or null at the end.
/// </summary>
public sealed record SearchResultsFrame(
    string Query,
    IReadOnlyList<MessageFrame> Results,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? Next = null) : ServerFrame;

/// <summary>
/// A token for uploading files: <c>POST</c> them to <see cref="Url"/> with <c>Authorization: Bearer TOKEN</c>.
/// <see cref="Url"/> is null when the server's web port is off (no uploads then).
/// </summary>
public sealed record UploadTokenFrame(string Token, string? Url) : ServerFrame;
