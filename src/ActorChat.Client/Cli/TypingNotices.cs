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
