using ActorChat.Messages;

namespace ActorChat.Server.Rooms;

/// <summary>
/// The rooms the directory knows, by key, with their spelling and member count, kept in key order so that a page of
/// the rooms list is a range read rather than a sort of every room. Keys are lowercase, so key order is name order
/// ignoring case; the cursor of a page is the key of its last room. A private room is listed only to the users its
/// room names as able to see it (those in it, its owners, moderators and invited users); one whose room has not
/// said so since a restart is listed to nobody.
/// </summary>
public sealed class RoomIndex
{
    private sealed record Entry(string Name, int Members, bool Private = false, IReadOnlyCollection<string>? VisibleTo = null, long LastSeq = 0);

    private readonly Dictionary<string, Entry> _rooms = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);

    public int Count => _rooms.Count;

    public bool Contains(string key) => _rooms.ContainsKey(key);

    public string? NameOf(string key) => _rooms.TryGetValue(key, out var room) ? room.Name : null;

    public bool IsPrivate(string key) => _rooms.TryGetValue(key, out var room) && room.Private;

    /// <summary>Every room, key and spelling.</summary>
    public IEnumerable<(string Key, string Name)> All => _rooms.Select(r => (r.Key, r.Value.Name));

    /// <summary>Remembers a room with no members; a room already known keeps its spelling.</summary>
    public void Add(string key, string name, bool isPrivate = false)
    {
        if (_rooms.TryAdd(key, new Entry(name, 0, isPrivate))) _keys.Add(key);
    }

    public void SetMembers(string key, string name, int members, bool isPrivate = false, IReadOnlyCollection<string>? visibleTo = null)
    {
        var lastSeq = _rooms.TryGetValue(key, out var known) ? known.LastSeq : 0;
        if (known is null) _keys.Add(key);
        _rooms[key] = new Entry(name, members, isPrivate, isPrivate ? visibleTo : null, lastSeq);
    }

    /// <summary>The room's last stored seq as it reported it; 0 (not known) until it has run since the server started.</summary>
    public void SetLastSeq(string key, long lastSeq)
    {
        if (_rooms.TryGetValue(key, out var room) && lastSeq > room.LastSeq) _rooms[key] = room with { LastSeq = lastSeq };
    }

    /// <summary>The room was dropped: it is no longer listed, and its name is free.</summary>
    public void Remove(string key)
    {
        if (_rooms.Remove(key)) _keys.Remove(key);
    }

    /// <summary>The room stopped: nobody is in it, and it stays as private as it was.</summary>
    public void ClearMembers(string key)
    {
        if (_rooms.TryGetValue(key, out var room)) _rooms[key] = room with { Members = 0 };
    }

    /// <summary>
    /// Up to <paramref name="size"/> rooms after the cursor (null: from the first) that <paramref name="viewer"/> may
    /// see, and the cursor for the rest. A room the viewer has a marker for in <paramref name="read"/> (room key → seq
    /// read up to) carries how many messages came after it, if the room's last seq is known.
    /// </summary>
    public (RoomSummary[] Rooms, string? Next) Page(string? after, int size, string? viewer = null, IReadOnlyDictionary<string, long>? read = null)
    {
        // Cursors are valid room names (ASCII), so this upper bound is above every key.
        var range = after is null || _keys.Count == 0 ? _keys : _keys.GetViewBetween(after, "\uffff");
        var page = new List<RoomSummary>(Math.Min(size, _rooms.Count));
        string? last = null;
        foreach (var key in range)
        {
            if (key == after) continue;
            var room = _rooms[key];
            if (!MaySee(room, viewer)) continue;
            if (page.Count == size) return ([.. page], last);
            page.Add(read is not null && room.LastSeq > 0 && read.TryGetValue(key, out var readUpTo)
                ? new RoomSummary(room.Name, room.Members) { Unread = Math.Max(0, room.LastSeq - readUpTo) }
                : new RoomSummary(room.Name, room.Members));
            last = key;
        }
        return ([.. page], null);
    }

    private static bool MaySee(Entry room, string? viewer) =>
        !room.Private || (viewer is not null && room.VisibleTo is { } visible && visible.Contains(viewer, StringComparer.OrdinalIgnoreCase));

    /// <summary>The rooms <paramref name="viewer"/> may read (for search): key → name, public ones and the private ones it may see.</summary>
    public IReadOnlyDictionary<string, string> ReadableBy(string viewer) =>
        _rooms.Where(room => MaySee(room.Value, viewer)).ToDictionary(room => room.Key, room => room.Value.Name, StringComparer.Ordinal);

    /// <summary>Every public room in name order (for the status page, which anyone who reaches the web port can read).</summary>
    public RoomSummary[] Summaries() =>
        _keys.Where(key => !_rooms[key].Private).Select(key => new RoomSummary(_rooms[key].Name, _rooms[key].Members)).ToArray();
}
