using System.Collections.Concurrent;

namespace ActorChat.Server.Rooms;

/// <summary>
/// What keeps rooms from working, for <c>/healthz</c>: rooms (and the room catalog) that cannot be recovered from
/// the database, each with a sentence saying why. Written by the room directory, read by the web front end; one
/// instance per server, safe to share between threads.
/// </summary>
public sealed class RoomHealth
{
    private readonly ConcurrentDictionary<string, string> _problems = new(StringComparer.Ordinal);

    /// <summary>Marks <paramref name="key"/> as not working, for the reason given (a sentence for an operator).</summary>
    public void Report(string key, string problem) => _problems[key] = problem;

    public void Clear(string key) => _problems.TryRemove(key, out _);

    /// <summary>Null when every room that was asked for works; otherwise the first problem, and how many more there are.</summary>
    public string? Problem
    {
        get
        {
            var problems = _problems.ToArray();
            if (problems.Length == 0) return null;
            var first = problems.MinBy(p => p.Key, StringComparer.Ordinal).Value;
            return problems.Length == 1 ? first : $"{first} (and {problems.Length - 1} more)";
        }
    }
}
