namespace ActorChat.Server.Inboxes;

/// <summary>
/// One registered user's mentions (the latest <see cref="MaxMentions"/>) and read markers (at most
/// <see cref="MaxRooms"/> rooms, the least recently read forgotten first). A plain class the inbox actor keeps.
/// </summary>
public sealed class Inbox
{
    public const int MaxMentions = 100;
    public const int MaxRooms = 1000;

    private readonly LinkedList<MentionStored> _mentions = new();
    private readonly Dictionary<string, long> _read = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _readOrder = new(); // room keys, least recently marked first

    public IReadOnlyCollection<MentionStored> Mentions => _mentions;

    /// <summary>The seq the user has read the room up to; 0 when never.</summary>
    public long LastRead(string roomKey) => _read.GetValueOrDefault(roomKey);

    /// <summary>Every read marker: room key → seq read up to.</summary>
    public IReadOnlyDictionary<string, long> ReadMarkers => _read;

    /// <summary>Markers only go forward.</summary>
    public bool Advances(string roomKey, long seq) => seq > LastRead(roomKey);

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
            case ReadMarked marked:
                if (!Advances(marked.Room, marked.Seq)) return;
                if (_read.ContainsKey(marked.Room)) _readOrder.Remove(marked.Room);
                _read[marked.Room] = marked.Seq;
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
                foreach (var mention in snapshot.Mentions) Apply(mention);
                foreach (var (room, seq) in snapshot.Read) Apply(new ReadMarked(room, seq));
                break;
        }
    }

    public InboxSnapshot ToSnapshot() =>
        new(_mentions.ToArray(), _readOrder.ToDictionary(room => room, room => _read[room], StringComparer.Ordinal));
}
