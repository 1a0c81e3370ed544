using System.Globalization;
using System.Text;

namespace ActorChat.Server.Files;

/// <summary>
/// What an uploaded file is called: the last part of whatever path the client gave, without control or
/// direction-changing characters, at most <see cref="MaxLength"/> characters (its extension kept), never empty.
/// </summary>
public static class FileNames
{
    public const int MaxLength = 120;
    public const string Fallback = "file";

    public static string Sanitize(string? name)
    {
        if (string.IsNullOrEmpty(name)) return Fallback;
        if (name.Length > 4 * MaxLength) name = name[^(4 * MaxLength)..]; // the last part is what counts
        var lastPart = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        var clean = new StringBuilder(lastPart.Length);
        foreach (var rune in lastPart.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator)
                continue;
            clean.Append(rune is { Value: '"' or ':' or '*' or '?' or '<' or '>' or '|' } ? '_' : rune.ToString());
        }
        var result = clean.ToString().Trim().Trim('.').Trim();
        if (result.Length == 0) return Fallback;
        return result.Length <= MaxLength ? result : Shorten(result);
    }

    /// <summary>Cuts the stem, not the extension (if it is a short one), and never in the middle of a surrogate pair.</summary>
    private static string Shorten(string name)
    {
        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 16 ? name[dot..] : "";
        var stem = name[..(name.Length - extension.Length)];
        var keep = MaxLength - extension.Length;
        if (char.IsHighSurrogate(stem[keep - 1])) keep--;
        return stem[..keep] + extension;
    }
}
