namespace ActorChat.Server.Inboxes;

/// <summary>
/// What a registered user's inbox (<see cref="UserInbox"/>, persistence id <c>inbox-&lt;name key&gt;</c>) writes.
/// Stored data: add fields only with defaults, and give a changed shape a new manifest in <see cref="InboxEventSerializer"/>.
/// </summary>
public interface IInboxEvent;

/// <summary>The user was mentioned in <see cref="Room"/> by the message with this id and seq (its text as said, shortened).</summary>
public sealed record MentionStored(string Room, string Id, long Seq, string Sender, string Text, string Timestamp) : IInboxEvent;

/// <summary>The user has read room <see cref="Room"/> (its key) up to <see cref="Seq"/>.</summary>
public sealed record ReadMarked(string Room, long Seq) : IInboxEvent;

/// <summary>
/// A direct message between the user and <see cref="With"/> was kept in <see cref="Conversation"/> (its key, see
/// SearchConversations.Direct) as <see cref="Seq"/>; <see cref="FromSelf"/>: the user sent it, which also marks the
/// conversation read up to it. The text is shortened as for mentions.
/// </summary>
public sealed record DirectTouched(
    string Conversation, string With, long Seq, string Id, string From, string To, string Text, string Timestamp, bool FromSelf) : IInboxEvent;

/// <summary>
/// The whole inbox: the latest mentions (oldest first), the read markers by room key and the direct-message
/// conversations (least recently active first; null in snapshots from before they were kept).
/// </summary>
public sealed record InboxSnapshot(
    IReadOnlyList<MentionStored> Mentions, IReadOnlyDictionary<string, long> Read, IReadOnlyList<DirectTouched>? Conversations = null) : IInboxEvent;
