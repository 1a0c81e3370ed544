namespace ActorChat.Server.Rooms;

/// <summary>The users with the most messages in a room, for stats frames that stay small however many have spoken.</summary>
public static class PosterRanking
{
    /// <summary>The <paramref name="count"/> largest counts, most first; ties in name order (ignoring case, then exactly).</summary>
    public static Dictionary<string, long> Top(IReadOnlyDictionary<string, long> messagesPerUser, int count)
    {
        var top = messagesPerUser
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.OrdinalIgnoreCase)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(count);
        var result = new Dictionary<string, long>(Math.Min(count, messagesPerUser.Count), StringComparer.Ordinal);
        foreach (var (user, messages) in top) result[user] = messages;
        return result;
    }
}
