namespace ActorChat.Server.Inboxes;

/// <summary>
/// One registered user's mentions (the latest <see cref="MaxMentions"/>), read markers (at most
/// <see cref="MaxRooms"/> rooms and conversations, the least recently read forgotten first) and direct-message
/// conversations (the <see cref="MaxConversations"/> most recently active). A plain class the inbox actor keeps.
/// </summary>
public sealed class Inbox
{
    public const int MaxMentions = 100;
    public const int MaxRooms = 1000;
    public const int MaxConversations = 200;

    private readonly Dictionary<string, DirectTouched> _conversations = new(StringComparer.Ordinal); // conversation key → latest
    private readonly LinkedList<string> _conversationOrder = new(); // conversation keys, least recently active first

    private readonly LinkedList<MentionStored> _mentions = new();
    private readonly Dictionary<string, long> _read = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _readOrder = new(); // room keys, least recently marked first

    public IReadOnlyCollection<MentionStored> Mentions => _mentions;

    /// <summary>The seq the user has read the room up to; 0 when never.</summary>
    public long LastRead(string roomKey) => _read.GetValueOrDefault(roomKey);

    /// <summary>Every read marker: room key → seq read up to.</summary>
    public IReadOnlyDictionary<string, long> ReadMarkers => _read;

    /// <summary>Markers only go forward (and for a conversation, no further than its latest message).</summary>
    public bool Advances(string roomKey, long seq) => Capped(roomKey, seq) > LastRead(roomKey);

    private long Capped(string key, long seq) =>
        _conversations.TryGetValue(key, out var latest) ? Math.Min(seq, latest.Seq) : seq;

    /// <summary>The user's conversations, the most recently active first.</summary>
    public IEnumerable<DirectTouched> Conversations => _conversationOrder.Reverse().Select(key => _conversations[key]);

    /// <summary>How many messages of the conversation came after the user's read marker (sending one marks it read).</summary>
    public long Unread(string conversationKey) =>
        _conversations.TryGetValue(conversationKey, out var latest) ? Math.Max(0, latest.Seq - LastRead(conversationKey)) : 0;

    /// <summary>The latest <paramref name="limit"/> mentions, newest first.</summary>
    public IEnumerable<MentionStored> Latest(int limit) => _mentions.Reverse().Take(limit);

    public void Apply(IInboxEvent change)
    {
        switch (change)
        {
            case MentionStored mention:
                _mentions.AddLast(mention);
                while (_mentions.Count > MaxMentions) _mentions.RemoveFirst();
                break;
            case DirectTouched touched:
                if (_conversations.TryGetValue(touched.Conversation, out var known) && known.Seq > touched.Seq) return;
                if (known is not null) _conversationOrder.Remove(touched.Conversation);
                _conversations[touched.Conversation] = touched;
                _conversationOrder.AddLast(touched.Conversation);
                while (_conversationOrder.Count > MaxConversations)
                {
                    _conversations.Remove(_conversationOrder.First!.Value);
                    _conversationOrder.RemoveFirst();
                }
                if (touched.FromSelf) Apply(new ReadMarked(touched.Conversation, touched.Seq));
                break;
            case ReadMarked marked:
                if (!Advances(marked.Room, marked.Seq)) return;
                if (_read.ContainsKey(marked.Room)) _readOrder.Remove(marked.Room);
                _read[marked.Room] = Capped(marked.Room, marked.Seq);
                _readOrder.AddLast(marked.Room);
                while (_readOrder.Count > MaxRooms)
                {
                    _read.Remove(_readOrder.First!.Value);
                    _readOrder.RemoveFirst();
                }
                break;
            case InboxSnapshot snapshot:
                _mentions.Clear();
                _read.Clear();
                _readOrder.Clear();
                _conversations.Clear();
                _conversationOrder.Clear();
                foreach (var conversation in snapshot.Conversations ?? []) Apply(conversation with { FromSelf = false });
                foreach (var mention in snapshot.Mentions) Apply(mention);
                foreach (var (room, seq) in snapshot.Read) Apply(new ReadMarked(room, seq));
                break;
        }
    }

    public InboxSnapshot ToSnapshot() =>
        new(_mentions.ToArray(), _readOrder.ToDictionary(room => room, room => _read[room], StringComparer.Ordinal),
            _conversationOrder.Select(key => _conversations[key]).ToArray());
}
