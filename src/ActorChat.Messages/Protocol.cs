using System.Globalization;
using System.Text;

namespace ActorChat.Messages;

/// <summary>Constants and validation rules of wire protocol v1, shared by server and clients.</summary>
public static class Protocol
{
    public const int Version = 1;
    public const int DefaultTcpPort = 12345;
    public const int DefaultMaxFrameBytes = 64 * 1024;
    public const int MaxNameLength = 32;
    public const int MaxRoomLength = 64;
    public const int MaxTextLength = 4000;

    /// <summary>Messages one history frame returns when the request names no limit.</summary>
    public const int DefaultHistoryPage = 50;

    /// <summary>The most messages one history request may ask for.</summary>
    public const int MaxHistoryPage = 200;

    /// <summary>The most rooms one rooms frame lists; its <c>next</c> cursor asks for the ones after them.</summary>
    public const int RoomsPerPage = 200;

    /// <summary>The most users a stats frame counts (the ones with the most messages).</summary>
    public const int MaxStatsPosters = 100;

    /// <summary>1–32 of ASCII letters, digits, '_', '-', '.'.</summary>
    public static bool IsValidName(string? name) => IsToken(name, MaxNameLength);

    /// <summary>1–64 of ASCII letters, digits, '_', '-', '.'.</summary>
    public static bool IsValidRoom(string? room) => IsToken(room, MaxRoomLength);

    /// <summary>Room and user names compare case-insensitively; this is the key they are compared by.</summary>
    public static string Key(string name) => name.ToLowerInvariant();

    /// <summary>Length of a message text in Unicode code points, so an emoji counts as one character.</summary>
    public static int TextLength(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }

    /// <summary>True when the text has nothing to show: empty or only white space.</summary>
    public static bool IsBlank(string text) => string.IsNullOrWhiteSpace(text);

    /// <summary>ISO-8601 UTC with milliseconds, e.g. 2026-11-24T10:00:00.123Z.</summary>
    public static string FormatTimestamp(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static bool IsToken(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value) || value.Length > maxLength) return false;
        foreach (var c in value)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.';
            if (!ok) return false;
        }
        return true;
    }
}
