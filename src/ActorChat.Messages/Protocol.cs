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

    /// <summary>The longest <c>ref</c> a client may tag a frame with, in UTF-16 code units.</summary>
    public const int MaxRefLength = 64;

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

    /// <summary>
    /// True when the text has nothing a reader could see: it is empty, or holds only white space, control
    /// characters, format characters (category Cf: zero-width space, joiners, direction marks, tags), variation
    /// selectors and the blank "filler" letters (Hangul fillers, the blank braille pattern) that fonts draw as
    /// nothing. Such a message would look like an empty line from nobody knows whom.
    /// </summary>
    public static bool IsBlank(string text)
    {
        foreach (var rune in text.EnumerateRunes())
            if (!IsInvisible(rune)) return false;
        return true;
    }

    /// <summary>
    /// The first character a message text may not hold, or null. That is every control character (category Cc:
    /// U+0000–U+001F, U+007F–U+009F) except line feed and tab: carriage returns, escapes and the rest can rewrite
    /// what a terminal shows (ANSI sequences, overwritten lines), and NUL cuts strings short in C code. A line
    /// break is "\n" alone.
    /// </summary>
    public static Rune? ForbiddenCharacter(string text)
    {
        foreach (var c in text)
            if (char.IsControl(c) && c is not ('\n' or '\t')) return new Rune(c);
        return null;
    }

    /// <summary>The sentence an error frame gives for a character <see cref="ForbiddenCharacter"/> found.</summary>
    public static string DescribeForbidden(Rune rune)
    {
        var name = rune.Value switch
        {
            0x00 => " (NUL)",
            0x07 => " (bell)",
            0x08 => " (backspace)",
            0x0D => " (carriage return)",
            0x1B => " (escape)",
            0x7F => " (delete)",
            _ => "",
        };
        return $"A message may not hold the control character U+{rune.Value:X4}{name}; only line feeds (\\n) and tabs may appear.";
    }

    private static bool IsInvisible(Rune rune) =>
        Rune.IsWhiteSpace(rune)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
        || rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 // Hangul choseong, jungseong, compatibility and halfwidth fillers
            or 0x2800 // braille pattern blank: drawn as nothing, the usual way to post an "empty" message
            or 0x034F // combining grapheme joiner
            or (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF); // variation selectors

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
