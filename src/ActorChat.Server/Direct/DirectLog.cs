using ActorChat.Messages;

namespace ActorChat.Server.Direct;

/// <summary>
/// What a conversation keeps in memory: its last seq and the latest <see cref="MaxRecent"/> messages. Pages of
/// history older than those are read from the journal. A plain class the conversation actor keeps.
/// </summary>
public sealed class DirectLog
{
    public const int MaxRecent = 100;

    private readonly Queue<DirectMessageKept> _recent = new();

    public long LastSeq { get; private set; }

    public IReadOnlyCollection<DirectMessageKept> Recent => _recent;

    public void Apply(IDirectEvent change)
    {
        switch (change)
        {
            case DirectMessageKept kept:
                LastSeq = Math.Max(LastSeq, kept.Seq);
                _recent.Enqueue(kept);
                while (_recent.Count > MaxRecent) _recent.Dequeue();
                break;
            case DirectSnapshot snapshot:
                _recent.Clear();
                LastSeq = 0;
                foreach (var kept in snapshot.Recent) Apply(kept);
                LastSeq = Math.Max(LastSeq, snapshot.LastSeq);
                break;
        }
    }

    public DirectSnapshot ToSnapshot() => new(LastSeq, _recent.ToArray());

    /// <summary>
    /// The seq range of the page of <paramref name="limit"/> messages before <paramref name="before"/> (null: the
    /// latest), or null when there are none; <see cref="InMemory"/> says whether memory holds the whole range.
    /// </summary>
    public (long From, long To)? PageRange(long? before, int limit)
    {
        var to = Math.Min(before ?? long.MaxValue, LastSeq + 1) - 1;
        if (to < 1) return null;
        return (Math.Max(1, to - limit + 1), to);
    }

    public bool InMemory(long from) => _recent.TryPeek(out var oldest) && oldest.Seq <= from;

    public IEnumerable<DirectMessageKept> Between(long from, long to) => _recent.Where(m => m.Seq >= from && m.Seq <= to);

    /// <summary>A kept message as history shows it to the viewer: a message frame whose room is "@" and the other's name.</summary>
    public static MessageFrame FrameOf(DirectMessageKept kept, string conversationName) =>
        new(kept.Id, conversationName, kept.From, kept.Text, kept.Timestamp, kept.Seq) { Attachments = kept.Attachments };

    public static DirectMessageFrame DmFrameOf(DirectMessageKept kept) =>
        new(kept.Id, kept.From, kept.To, kept.Text, kept.Timestamp) { Seq = kept.Seq, Attachments = kept.Attachments };
}
