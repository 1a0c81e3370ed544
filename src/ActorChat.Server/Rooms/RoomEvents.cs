namespace ActorChat.Server.Rooms;

/// <summary>
/// What rooms and the room catalog write to the journal and the snapshot store. These records are stored data:
/// add fields only with defaults, and give a changed shape a new manifest in <see cref="RoomEventSerializer"/>.
/// </summary>
public interface IRoomEvent;

/// <summary>
/// A message was said in a room. <see cref="Seq"/> equals the event's persistence sequence number. A reply names the
/// message it answers (<see cref="ReplyTo"/>) with its sender and the start of its text as they were; an action is
/// "/me waves"; <see cref="Mentions"/> are the names called with @name; <see cref="Attachments"/> the files it carries.
/// </summary>
public sealed record MessagePosted(
    long Seq,
    string Id,
    string Sender,
    string Text,
    string Timestamp,
    string? ReplyTo = null,
    string? ReplySender = null,
    string? ReplyText = null,
    bool? Action = null,
    IReadOnlyList<string>? Mentions = null) : IRoomEvent
{
    /// <summary>The files the message carries (null: none; journals from before file sharing have none).</summary>
    public IReadOnlyList<ActorChat.Messages.FileAttachment>? Attachments { get; init; }
}

/// <summary>The state of a room at <see cref="Seq"/>: its recent messages (oldest first) and counts per user.</summary>
public sealed record RoomSnapshot(
    string Name,
    long Seq,
    IReadOnlyList<MessagePosted> Recent,
    IReadOnlyDictionary<string, long> MessagesPerUser) : IRoomEvent;

/// <summary>A room came into being under <see cref="Name"/> (its first spelling); <see cref="Key"/> is its lowercase key.</summary>
public sealed record RoomCreated(string Key, string Name) : IRoomEvent;

/// <summary>A room was made private or public (the catalog keeps it, so a private room stays unlisted after a restart).</summary>
public sealed record RoomPrivacySet(string Key, bool Private) : IRoomEvent;

/// <summary>
/// An operator (<see cref="By"/>) removed the room. Its messages and rules stay under their old persistence ids, which
/// nothing reads again: the room made next under that name is <see cref="Generation"/>, with fresh ids (see
/// <see cref="RoomActor.PersistenceIdOf"/>), so it starts empty.
/// </summary>
public sealed record RoomDropped(string Key, int Generation, string By, string Reason) : IRoomEvent;
