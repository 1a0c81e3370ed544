namespace ActorChat.Server.Direct;

/// <summary>
/// What a direct-message conversation (<see cref="DirectConversation"/>, persistence id <c>dm-&lt;a&gt;~&lt;b&gt;</c>) writes.
/// Stored data: add fields only with defaults, and give a changed shape a new manifest in <see cref="DirectEventSerializer"/>.
/// </summary>
public interface IDirectEvent;

/// <summary>A direct message, the <see cref="Seq"/>th of its conversation, with the names as the sender wrote them.</summary>
public sealed record DirectMessageKept(long Seq, string Id, string From, string To, string Text, string Timestamp) : IDirectEvent
{
    /// <summary>The files the message carries; absent in events stored before file sharing.</summary>
    public IReadOnlyList<ActorChat.Messages.FileAttachment>? Attachments { get; init; }
}

/// <summary>The conversation's last seq and the latest messages it keeps in memory (oldest first).</summary>
public sealed record DirectSnapshot(long LastSeq, IReadOnlyList<DirectMessageKept> Recent) : IDirectEvent;
