using System.Globalization;
using System.Text;
using ActorChat.Messages;

namespace ActorChat.Server.Rooms;

/// <summary>
/// The reactions and edits of a room's messages, by seq: what <see cref="RoomNotes"/> stores and the room shows in
/// joined and history. A plain class: the room decides with it, the notes actor rebuilds it on recovery.
/// </summary>
public sealed class MessageNotes
{
    /// <summary>The most distinct emoji one message carries, so no client can grow a message's state without bound.</summary>
    public const int MaxEmojiPerMessage = 20;

    /// <summary>The longest emoji in UTF-8 bytes (a family or a flag with modifiers fits).</summary>
    public const int MaxEmojiBytes = 16;

    private sealed class Noted
    {
        public string? Text;
        public string? EditedAt;
        public readonly List<(string Emoji, List<string> Users)> Reactions = [];

        public bool IsEmpty => Text is null && Reactions.Count == 0;
    }

    private readonly SortedDictionary<long, Noted> _bySeq = [];

    public int Count => _bySeq.Count;

    /// <summary>An emoji is one grapheme cluster of at most <see cref="MaxEmojiBytes"/> UTF-8 bytes, visible and without control characters.</summary>
    public static bool IsValidEmoji(string? emoji) =>
        !string.IsNullOrEmpty(emoji)
        && Encoding.UTF8.GetByteCount(emoji) <= MaxEmojiBytes
        && StringInfo.GetNextTextElementLength(emoji) == emoji.Length
        && Protocol.ForbiddenCharacter(emoji) is null
        && !Protocol.IsBlank(emoji)
        && !emoji.Contains('\n') && !emoji.Contains('\t');

    /// <summary>Whether <paramref name="user"/> has reacted to the message with <paramref name="emoji"/>.</summary>
    public bool HasReacted(long seq, string emoji, string user) =>
        _bySeq.TryGetValue(seq, out var noted)
        && noted.Reactions.Find(r => r.Emoji == emoji).Users?.Contains(user, StringComparer.OrdinalIgnoreCase) == true;

    /// <summary>Whether a new emoji (one nobody has put on the message yet) would exceed the bound.</summary>
    public bool IsFull(long seq, string emoji) =>
        _bySeq.TryGetValue(seq, out var noted)
        && noted.Reactions.Count >= MaxEmojiPerMessage
        && !noted.Reactions.Exists(r => r.Emoji == emoji);

    public void Apply(IRoomNoteEvent change)
    {
        switch (change)
        {
            case ReactionToggled toggled: Apply(toggled); break;
            case MessageEdited edited:
                var noted = NotedAt(edited.Seq);
                noted.Text = edited.Text;
                noted.EditedAt = edited.EditedAt;
                break;
            case NotesSnapshot snapshot:
                _bySeq.Clear();
                foreach (var message in snapshot.Messages)
                {
                    var restored = NotedAt(message.Seq);
                    restored.Text = message.Text;
                    restored.EditedAt = message.EditedAt;
                    foreach (var reaction in message.Reactions) restored.Reactions.Add((reaction.Emoji, [.. reaction.Users]));
                }
                break;
        }
    }

    private void Apply(ReactionToggled toggled)
    {
        var noted = NotedAt(toggled.Seq);
        var index = noted.Reactions.FindIndex(r => r.Emoji == toggled.Emoji);
        if (toggled.On)
        {
            if (index < 0)
            {
                noted.Reactions.Add((toggled.Emoji, [toggled.User]));
            }
            else if (!noted.Reactions[index].Users.Contains(toggled.User, StringComparer.OrdinalIgnoreCase))
            {
                noted.Reactions[index].Users.Add(toggled.User);
            }
        }
        else if (index >= 0)
        {
            noted.Reactions[index].Users.RemoveAll(u => string.Equals(u, toggled.User, StringComparison.OrdinalIgnoreCase));
            if (noted.Reactions[index].Users.Count == 0) noted.Reactions.RemoveAt(index);
        }
        if (noted.IsEmpty) _bySeq.Remove(toggled.Seq);
    }

    private Noted NotedAt(long seq)
    {
        if (!_bySeq.TryGetValue(seq, out var noted)) _bySeq[seq] = noted = new Noted();
        return noted;
    }

    /// <summary>The message as members see it: its latest text with when it was edited, and its reactions.</summary>
    public MessageFrame Show(MessageFrame frame)
    {
        if (!_bySeq.TryGetValue(frame.Seq, out var noted)) return frame;
        var shown = frame;
        if (noted.Text is not null && frame.Deleted != true) shown = shown with { Text = noted.Text, EditedAt = noted.EditedAt };
        if (noted.Reactions.Count > 0)
        {
            var reactions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var (emoji, users) in noted.Reactions) reactions[emoji] = users.ToArray();
            shown = shown with { Reactions = reactions };
        }
        return shown;
    }

    /// <summary>The latest text of the message (its edit, else <paramref name="original"/>).</summary>
    public string TextOf(long seq, string original) =>
        _bySeq.TryGetValue(seq, out var noted) && noted.Text is not null ? noted.Text : original;

    /// <summary>The notes of the messages with seq <paramref name="from"/> to <paramref name="to"/>, for a history page read from the journal.</summary>
    public MessageNotes Between(long from, long to)
    {
        var page = new MessageNotes();
        foreach (var (seq, noted) in _bySeq)
        {
            if (seq < from) continue;
            if (seq > to) break;
            var copy = page.NotedAt(seq);
            copy.Text = noted.Text;
            copy.EditedAt = noted.EditedAt;
            foreach (var (emoji, users) in noted.Reactions) copy.Reactions.Add((emoji, [.. users]));
        }
        return page;
    }

    public NotesSnapshot ToSnapshot() => new(_bySeq.Select(entry => new NotedMessage(
        entry.Key, entry.Value.Text, entry.Value.EditedAt,
        entry.Value.Reactions.Select(r => new StoredReaction(r.Emoji, r.Users.ToArray())).ToArray())).ToArray());
}
