using ActorChat.Messages;

namespace ActorChat.Server.Rooms;

/// <summary>Finds the names a text calls with <c>@name</c>: a valid user name right after an '@' that does not follow a name character.</summary>
public static class MentionFinder
{
    /// <summary>The most names one message mentions; further ones stay plain text.</summary>
    public const int MaxMentions = 20;

    /// <summary>The names in order of appearance, each once (ignoring case), or null when there are none.</summary>
    public static IReadOnlyList<string>? Find(string text)
    {
        List<string>? names = null;
        var at = text.IndexOf('@');
        while (at >= 0 && (names?.Count ?? 0) < MaxMentions)
        {
            var start = at + 1;
            var end = start;
            while (end < text.Length && IsNameCharacter(text[end])) end++;
            while (end > start && text[end - 1] == '.') end--; // "thanks @bob." mentions bob
            var follows = at > 0 && (IsNameCharacter(text[at - 1]) || text[at - 1] == '@');
            var name = text[start..end];
            if (!follows && Protocol.IsValidName(name) && (end == text.Length || !IsNameCharacter(text[end]) || text[end] == '.'))
            {
                names ??= [];
                if (!names.Contains(name, StringComparer.OrdinalIgnoreCase)) names.Add(name);
            }
            at = text.IndexOf('@', Math.Max(end, start));
        }
        return names;
    }

    private static bool IsNameCharacter(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.';
}
