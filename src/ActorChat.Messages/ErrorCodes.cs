namespace ActorChat.Messages;

/// <summary>The <c>code</c> values of error frames.</summary>
public static class ErrorCodes
{
    public const string BadJson = "bad_json";
    public const string BadRequest = "bad_request";
    public const string UnknownType = "unknown_type";
    public const string FrameTooLarge = "frame_too_large";
    public const string NotIdentified = "not_identified";
    public const string AlreadyIdentified = "already_identified";
    public const string NameTaken = "name_taken";
    public const string InvalidName = "invalid_name";
    public const string InvalidRoom = "invalid_room";
    public const string NotInRoom = "not_in_room";
    public const string EmptyMessage = "empty_message";
    public const string MessageTooLong = "message_too_long";
    public const string NoSuchUser = "no_such_user";
    public const string SlowConsumer = "slow_consumer";
    public const string TooManyRooms = "too_many_rooms";
    public const string Busy = "busy";

    /// <summary>A search query the server cannot read: empty, too long, unbalanced quotes, or search syntax such as NEAR( or col:x.</summary>
    public const string BadQuery = "bad_query";

    /// <summary>The client's address has too many connections open, or opened too many just now; the connection is closed.</summary>
    public const string TooManyConnections = "too_many_connections";

    /// <summary>The server could not store or read messages right now (its database is away); try again.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>A room failed and stopped; the client is no longer in it and may join it again. The message names the room.</summary>
    public const string RoomFailed = "room_failed";

    /// <summary>The name is registered and the password was missing or wrong, or the name is not registered (one answer for both).</summary>
    public const string AuthFailed = "auth_failed";

    /// <summary>The server takes accounts only (mode required): hello needs a password, or register first.</summary>
    public const string AuthRequired = "auth_required";

    /// <summary>A new password is too short (or too long).</summary>
    public const string WeakPassword = "weak_password";

    /// <summary>The request is for operators only, or needs an account, or the client's role in the room does not allow it (or the room would lose its last owner).</summary>
    public const string NotPermitted = "not_permitted";

    /// <summary>The account or the address is banned from the server (the message gives the reason and the time left), or the user from the room (with the reason).</summary>
    public const string Banned = "banned";

    /// <summary>The room is private and the user was not invited (and gave no password).</summary>
    public const string InviteOnly = "invite_only";

    /// <summary>The password given to join a private room is not its password.</summary>
    public const string BadPassword = "bad_password";

    /// <summary>No message with that id in the room (or too old to delete).</summary>
    public const string NoSuchMessage = "no_such_message";

    /// <summary>No room of that name exists (for drop).</summary>
    public const string NoSuchRoom = "no_such_room";

    /// <summary>The server has as many accounts as it may have, or this address registered too many just now.</summary>
    public const string TooManyAccounts = "too_many_accounts";

    /// <summary>An attachment's id is no file the sender uploaded (unknown, deleted or someone else's).</summary>
    public const string NoSuchFile = "no_such_file";

    /// <summary>A kept direct message to someone who has as many unread in that conversation as the server keeps for them.</summary>
    public const string TooManyUnread = "too_many_unread";
}
