using ActorChat.Messages;

namespace ActorChat.Server.Rooms;

/// <summary>
/// The rooms the directory knows, by key, with their spelling and member count, kept in key order so that a page of
/// the rooms list is a range read rather than a sort of every room. Keys are lowercase, so key order is name order
/// ignoring case; the cursor of a page is the key of its last room.
/// </summary>
public sealed class RoomIndex
{
    private readonly Dictionary<string, (string Name, int Members)> _rooms = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);

    public int Count => _rooms.Count;

    public bool Contains(string key) => _rooms.ContainsKey(key);

    public string? NameOf(string key) => _rooms.TryGetValue(key, out var room) ? room.Name : null;

    /// <summary>Every room, key and spelling.</summary>
    public IEnumerable<(string Key, string Name)> All => _rooms.Select(r => (r.Key, r.Value.Name));

    /// <summary>Remembers a room with no members; a room already known keeps its spelling.</summary>
    public void Add(string key, string name)
    {
        if (_rooms.TryAdd(key, (name, 0))) _keys.Add(key);
    }

    public void SetMembers(string key, string name, int members)
    {
        if (!_rooms.ContainsKey(key)) _keys.Add(key);
        _rooms[key] = (name, members);
    }

    /// <summary>Up to <paramref name="size"/> rooms after the cursor (null: from the first), and the cursor for the rest.</summary>
    public (RoomSummary[] Rooms, string? Next) Page(string? after, int size)
    {
        // Cursors are valid room names (ASCII), so this upper bound is above every key.
        var range = after is null || _keys.Count == 0 ? _keys : _keys.GetViewBetween(after, "\uffff");
        var page = new List<RoomSummary>(Math.Min(size, _rooms.Count));
        string? last = null;
        foreach (var key in range)
        {
            if (key == after) continue;
            if (page.Count == size) return ([.. page], last);
            var room = _rooms[key];
            page.Add(new RoomSummary(room.Name, room.Members));
            last = key;
        }
        return ([.. page], null);
    }

    /// <summary>Every room in name order (for the status page).</summary>
    public RoomSummary[] Summaries() => _keys.Select(key => new RoomSummary(_rooms[key].Name, _rooms[key].Members)).ToArray();
}
