namespace ActorChat.Client.Cli;

/// <summary>
/// Whether to show that someone is typing: clients send typing every few seconds while a person types, and the
/// console shows one line per stretch of typing, not one per frame; a message from them ends the stretch.
/// </summary>
public sealed class TypingNotices(TimeSpan shownFor)
{
    private readonly Dictionary<(string Room, string User), DateTime> _shown = [];

    /// <summary>True when a line should say that <paramref name="user"/> is typing in <paramref name="room"/>.</summary>
    public bool ShouldShow(string room, string user, DateTime now)
    {
        var key = Key(room, user);
        if (_shown.TryGetValue(key, out var shown) && now - shown < shownFor) return false;
        _shown[key] = now;
        return true;
    }

    /// <summary>The user said something: the next typing is a new stretch.</summary>
    public void Said(string room, string user) => _shown.Remove(Key(room, user));

    private static (string, string) Key(string room, string user) => (room.ToLowerInvariant(), user.ToLowerInvariant());
}

/// <summary>
/// Who is typing in each room, for a terminal's status (its prompt): someone is shown for <paramref name="shownFor"/>
/// after their last typing frame, and no longer once they say something.
/// </summary>
public sealed class TypingStatus(TimeSpan shownFor)
{
    private readonly Dictionary<(string Room, string User), (string Name, DateTime At)> _typing = [];

    public void Typing(string room, string user, DateTime now) => _typing[Key(room, user)] = (user, now);

    /// <summary>The user said something: not typing any more. True when that changes what is shown.</summary>
    public bool Said(string room, string user) => _typing.Remove(Key(room, user));

    /// <summary>"bob is typing…", "bob and carol are typing…", "3 people are typing…"; null when nobody is.</summary>
    public string? Text(string? room, DateTime now)
    {
        if (room is null) return null;
        var key = room.ToLowerInvariant();
        var names = _typing
            .Where(entry => entry.Key.Room == key && now - entry.Value.At < shownFor)
            .OrderBy(entry => entry.Value.At)
            .Select(entry => entry.Value.Name)
            .ToList();
        return names.Count switch
        {
            0 => null,
            1 => $"{names[0]} is typing…",
            2 => $"{names[0]} and {names[1]} are typing…",
            _ => $"{names.Count} people are typing…",
        };
    }

    /// <summary>When the next one shown stops being shown (to redraw then); null when nobody is shown.</summary>
    public DateTime? NextExpiry(DateTime now)
    {
        foreach (var key in _typing.Where(entry => now - entry.Value.At >= shownFor).Select(entry => entry.Key).ToList()) _typing.Remove(key);
        return _typing.Count == 0 ? null : _typing.Values.Min(v => v.At) + shownFor;
    }

    private static (string, string) Key(string room, string user) => (room.ToLowerInvariant(), user.ToLowerInvariant());
}
