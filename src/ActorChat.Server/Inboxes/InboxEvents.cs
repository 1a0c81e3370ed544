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

/// <summary>The whole inbox: the latest mentions (oldest first) and the read markers by room key.</summary>
public sealed record InboxSnapshot(IReadOnlyList<MentionStored> Mentions, IReadOnlyDictionary<string, long> Read) : IInboxEvent;
