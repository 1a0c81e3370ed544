namespace ActorChat.Server.Search;

// What the search index is told as messages are stored, edited and deleted. Rooms and direct-message conversations
// publish these on the actor system's event stream after the event is persisted, so the index never holds up posting.
// Each change may name the journal event it comes from (its persistence id and sequence number, see
// SearchChange): the index keeps, per persistence id, the last event it has applied, and at the next start the
// journal is replayed past it (SearchReplay), so changes lost with the process (the feed is a queue in memory) are
// indexed all the same. Applying a change twice, or out of order with the others of its message, leaves the index
// as applying them once in order would: a message inserted after its deletion stays out, and one inserted after
// its edit reads as edited.

/// <summary>What every change of the feed may say about where it comes from.</summary>
public abstract record SearchChange
{
    /// <summary>The persistence id of the journal event this change comes from, or null (the index records no progress).</summary>
    public string? Stream { get; init; }

    /// <summary>That event's sequence number in <see cref="Stream"/>.</summary>
    public long Nr { get; init; }

    /// <summary>
    /// For a room, its generation (how many times its name was dropped before it was made); 0 for direct messages.
    /// A change of a generation older than the last drop the index knows of is ignored.
    /// </summary>
    public int Generation { get; init; }
}

/// <summary>
/// A message was stored. <paramref name="Conversation"/> is the room key, or for a direct-message conversation
/// "dm:" followed by the two participants' name keys, sorted and joined by '~' (room names cannot contain ':').
/// <paramref name="Readers"/> is null for a room (the room's own rules say who may read it) and the two
/// participants' name keys for a direct-message conversation.
/// </summary>
public sealed record MessageIndexed(
    string Conversation, long Seq, string Id, string From, string Text, DateTimeOffset At, IReadOnlyList<string>? Readers) : SearchChange;

/// <summary>
/// A stored message's text was edited; search finds it by its current text. <paramref name="Id"/>: the message's id,
/// when known (an edit then applies to that message only, not to another one with the same seq).
/// </summary>
public sealed record MessageTextChanged(string Conversation, long Seq, string Text, string? Id = null) : SearchChange;

/// <summary>A stored message was deleted; search never finds it again.</summary>
public sealed record MessageRemoved(string Conversation, long Seq, string? Id = null) : SearchChange;

/// <summary>
/// A room was dropped: its messages leave the index, and messages of its earlier generations that come later (from a
/// room still stopping) are not indexed. <paramref name="NextGeneration"/> is the generation of the next room of that
/// name. <see cref="Forget"/>: the journal streams whose progress the index forgets (those of the earlier
/// generations). Never dropped by the feed's queue.
/// </summary>
public sealed record ConversationDropped(string Conversation, int NextGeneration) : SearchChange
{
    public IReadOnlyList<string> Forget { get; init; } = [];
}

/// <summary>The index has seen <see cref="SearchChange.Stream"/> up to <see cref="SearchChange.Nr"/> (events that change nothing in it, such as reactions).</summary>
public sealed record StreamProgress : SearchChange;

public static class SearchConversations
{
    public const string DirectPrefix = "dm:";

    /// <summary>The conversation key of the direct messages between two users (by their name keys).</summary>
    public static string Direct(string oneNameKey, string otherNameKey) =>
        string.CompareOrdinal(oneNameKey, otherNameKey) <= 0
            ? $"{DirectPrefix}{oneNameKey}~{otherNameKey}"
            : $"{DirectPrefix}{otherNameKey}~{oneNameKey}";
}
