namespace ActorChat.Server.Rooms;

/// <summary>
/// What a room's notes actor (<see cref="RoomNotes"/>, persistence id <c>notes-&lt;key&gt;</c>) writes: reactions and
/// edits of messages. Kept apart from the room's own journal, whose sequence numbers are the messages' seq. Stored
/// data: add fields only with defaults, and give a changed shape a new manifest in <see cref="RoomNotesSerializer"/>.
/// </summary>
public interface IRoomNoteEvent;

/// <summary><see cref="User"/> put (<see cref="On"/>) or took back the reaction <see cref="Emoji"/> on the message with this seq and id.</summary>
public sealed record ReactionToggled(long Seq, string Id, string Emoji, string User, bool On) : IRoomNoteEvent;

/// <summary>The message with this seq and id reads <see cref="Text"/> since <see cref="EditedAt"/> (its first text stays in the room's journal).</summary>
public sealed record MessageEdited(long Seq, string Id, string Text, string EditedAt) : IRoomNoteEvent;

/// <summary>One emoji on a message and who reacted with it, in order.</summary>
public sealed record StoredReaction(string Emoji, IReadOnlyList<string> Users);

/// <summary>The notes of one message: its latest text (null: never edited) and its reactions.</summary>
public sealed record NotedMessage(long Seq, string? Text, string? EditedAt, IReadOnlyList<StoredReaction> Reactions);

/// <summary>All of a room's notes at once.</summary>
public sealed record NotesSnapshot(IReadOnlyList<NotedMessage> Messages) : IRoomNoteEvent;
