using ActorChat.Messages;

namespace ActorChat.Client.Cli;

/// <summary>
/// The messages shown in one room, the most recent ones only, as they read now: by number (seq), so that /reply,
/// /react, /edit and /delete N find the message's id, and by id, so that a reaction, an edit or a deletion that
/// arrives later changes the message it is about.
/// </summary>
public sealed class RecentMessages(int capacity)
{
    private readonly Dictionary<long, string> _ids = [];
    private readonly Dictionary<string, MessageFrame> _byId = new(StringComparer.Ordinal);
    private readonly Queue<long> _order = new();

    public string? IdOf(long seq) => _ids.GetValueOrDefault(seq);

    public MessageFrame? Get(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Keeps a message shown (its latest state when shown again, after a reconnection or in a history page).</summary>
    public void Note(MessageFrame message)
    {
        if (message.Seq < 1) return;
        if (_ids.TryAdd(message.Seq, message.Id))
        {
            _order.Enqueue(message.Seq);
            if (_order.Count > capacity && _ids.Remove(_order.Dequeue(), out var oldId)) _byId.Remove(oldId);
        }
        _byId[message.Id] = message;
    }

    /// <summary>The message after the reaction; null when it is not among those shown.</summary>
    public MessageFrame? Apply(ReactionFrame reaction)
    {
        if (Get(reaction.Id) is not { } message) return null;
        var reactions = (message.Reactions ?? new Dictionary<string, IReadOnlyList<string>>())
            .ToDictionary(p => p.Key, p => p.Value.ToList());
        if (!reactions.TryGetValue(reaction.Emoji, out var users)) reactions[reaction.Emoji] = users = [];
        users.RemoveAll(u => string.Equals(u, reaction.User, StringComparison.OrdinalIgnoreCase));
        if (reaction.On) users.Add(reaction.User);
        if (users.Count == 0) reactions.Remove(reaction.Emoji);
        var changed = message with
        {
            Reactions = reactions.Count == 0 ? null : reactions.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value),
        };
        return _byId[message.Id] = changed;
    }

    /// <summary>The message with its new text; null when it is not among those shown.</summary>
    public MessageFrame? Apply(EditedFrame edited)
    {
        if (Get(edited.Id) is not { } message) return null;
        return _byId[message.Id] = message with { Text = edited.Text, EditedAt = edited.EditedAt };
    }

    /// <summary>The message becomes a tombstone: no text, reactions, preview nor mentions.</summary>
    public void Apply(DeletedFrame deleted)
    {
        if (Get(deleted.Id) is not { } message) return;
        _byId[message.Id] = message with { Text = "", Deleted = true, Reactions = null, ReplyPreview = null, Mentions = null };
    }
}
