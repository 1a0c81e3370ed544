namespace ActorChat.Server.Search;

// What the search index is told as messages are stored, edited and deleted. Rooms and direct-message conversations
// publish these on the actor system's event stream after the event is persisted, so the index never holds up posting.

/// <summary>
/// A message was stored. <paramref name="Conversation"/> is the room key, or for a direct-message conversation
/// "dm:" followed by the two participants' name keys, sorted and joined by '~' (room names cannot contain ':').
/// <paramref name="Readers"/> is null for a room (the room's own rules say who may read it) and the two
/// participants' name keys for a direct-message conversation.
/// </summary>
public sealed record MessageIndexed(
    string Conversation, long Seq, string Id, string From, string Text, DateTimeOffset At, IReadOnlyList<string>? Readers);

/// <summary>A stored message's text was edited; search finds it by its current text.</summary>
public sealed record MessageTextChanged(string Conversation, long Seq, string Text);

/// <summary>A stored message was deleted; search never finds it again.</summary>
public sealed record MessageRemoved(string Conversation, long Seq);

public static class SearchConversations
{
    public const string DirectPrefix = "dm:";

    /// <summary>The conversation key of the direct messages between two users (by their name keys).</summary>
    public static string Direct(string oneNameKey, string otherNameKey) =>
        string.CompareOrdinal(oneNameKey, otherNameKey) <= 0
            ? $"{DirectPrefix}{oneNameKey}~{otherNameKey}"
            : $"{DirectPrefix}{otherNameKey}~{oneNameKey}";
}
