namespace ActorChat.Client.Cli;

/// <summary>What one line typed by the user asks for. <see cref="CommandParser"/> makes these.</summary>
public abstract record Command;

/// <summary>A plain line: said in the current room.</summary>
public sealed record SayCommand(string Text) : Command;

/// <summary>Join a room; <see cref="Password"/> is a private room's password, when given.</summary>
public sealed record JoinCommand(string Room, string? Password = null) : Command;

/// <summary>Leave a room; null means the current one.</summary>
public sealed record LeaveCommand(string? Room) : Command;

/// <summary>Make a room already joined the current one.</summary>
public sealed record SwitchCommand(string Room) : Command;

/// <summary>List the rooms: the first page, or the page after <see cref="After"/> (a cursor the server gave).</summary>
public sealed record RoomsCommand(string? After = null) : Command;

/// <summary>Who is in a room; null means the current one.</summary>
public sealed record WhoCommand(string? Room) : Command;

public sealed record DirectMessageCommand(string To, string Text) : Command;

/// <summary>Messages per user in a room, as a bar chart; null means the current one.</summary>
public sealed record StatsCommand(string? Room) : Command;

/// <summary>Search the messages one may read (words, word* prefixes, "phrases").</summary>
public sealed record SearchCommand(string Query) : Command;

/// <summary>
/// Earlier messages of the current room (or, with <see cref="With"/>, of the direct messages with that user): the
/// <see cref="Count"/> before the oldest one shown.
/// </summary>
public sealed record HistoryCommand(int Count, string? With = null) : Command
{
    public const int DefaultCount = 20;
    public const int MaxCount = 200;
}

/// <summary>The direct-message conversations kept for the account, with their unread counts.</summary>
public sealed record DmsCommand : Command;

public sealed record HelpCommand : Command;

/// <summary>Clear the screen (a terminal only).</summary>
public sealed record ClearCommand : Command;

public sealed record QuitCommand : Command;

/// <summary>An empty line: nothing to do.</summary>
public sealed record EmptyCommand : Command;

/// <summary>A line that is not a valid command; <see cref="Hint"/> says what to type instead. Nothing is sent.</summary>
public sealed record InvalidCommand(string Hint) : Command;

/// <summary>Register the name in use as an account with this password; null: ask for it without echo.</summary>
public sealed record RegisterCommand(string? Password) : Command;

/// <summary>Change the account's password; null: ask for both without echo.</summary>
public sealed record PasswordCommand(string? Old, string? New) : Command;

/// <summary>Set the current room's topic; an empty text clears it.</summary>
public sealed record TopicCommand(string Topic) : Command;

/// <summary>Make the current room private (joined by invitation or with <see cref="Password"/>) or public.</summary>
public sealed record ModeCommand(bool Private, string? Password) : Command;

public sealed record InviteCommand(string User) : Command;

/// <summary>Give someone a role in the current room: owner, moderator or member.</summary>
public sealed record RoleCommand(string User, string Role) : Command;

public sealed record KickCommand(string User, string? Reason) : Command;

/// <summary>Ban someone from the current room (and put them out of it).</summary>
public sealed record RoomBanCommand(string User, string? Reason) : Command;

public sealed record RoomUnbanCommand(string User) : Command;

/// <summary>Delete the message numbered <see cref="Seq"/> (the number shown before it) in the current room.</summary>
public sealed record DeleteCommand(long Seq) : Command;

/// <summary>An operator disconnects a user from the server.</summary>
public sealed record KillCommand(string User, string? Reason) : Command;

/// <summary>An operator bans an account (<see cref="User"/>) or an address or CIDR range from the whole server; no minutes: for good.</summary>
public sealed record ServerBanCommand(string? User, string? Address, double? Minutes, string? Reason) : Command;

/// <summary>An operator lifts a server-wide ban of an account or an address.</summary>
public sealed record ServerUnbanCommand(string? User, string? Address) : Command;

/// <summary>Answer message <see cref="Seq"/> (the number shown before it) in the current room.</summary>
public sealed record ReplyCommand(long Seq, string Text) : Command;

/// <summary>Put or take back a reaction on message <see cref="Seq"/> of the current room.</summary>
public sealed record ReactCommand(long Seq, string Emoji) : Command;

/// <summary>Change the text of one's own message <see cref="Seq"/> of the current room.</summary>
public sealed record EditCommand(long Seq, string Text) : Command;

/// <summary>An action ("/me waves"), shown as "* alice waves".</summary>
public sealed record ActionCommand(string Text) : Command;

/// <summary>Upload the file at <see cref="Path"/> and say it in the current room with <see cref="Text"/> (may be empty).</summary>
public sealed record UploadCommand(string Path, string Text) : Command;
