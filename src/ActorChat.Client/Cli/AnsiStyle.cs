namespace ActorChat.Client.Cli;

/// <summary>The few ANSI escape codes the client uses on a terminal; never written to a pipe.</summary>
internal static class AnsiStyle
{
    public const string Reset = "\u001b[0m";
    public const string ClearLine = "\r\u001b[2K";

    /// <summary>Cursor home, erase the screen and the scrollback.</summary>
    public const string ClearScreen = "\u001b[H\u001b[2J\u001b[3J";

    /// <summary>Erase from the cursor to the end of the screen.</summary>
    public const string ClearToEnd = "\u001b[J";

    public static string? ColourOf(LineKind kind) => kind switch
    {
        LineKind.System => "\u001b[36m",  // cyan
        LineKind.Error => "\u001b[1;31m", // bold red
        LineKind.Direct => "\u001b[35m",  // magenta
        LineKind.History => "\u001b[2m",  // dim: older than the lines around it
        LineKind.Mention => "\u001b[1;33m", // bold yellow: someone called the user
        _ => null,
    };

    /// <summary>The colours names are shown in: neither red (errors) nor the dim of history.</summary>
    private static readonly string[] NameColours =
        ["\u001b[32m", "\u001b[33m", "\u001b[34m", "\u001b[35m", "\u001b[36m", "\u001b[92m", "\u001b[93m", "\u001b[94m", "\u001b[95m", "\u001b[96m"];

    /// <summary>
    /// The colour of a name: the same for the same name (ignoring case) in every run and on every machine, so it is
    /// a hash of its own (FNV-1a), not string.GetHashCode, which changes from run to run.
    /// </summary>
    public static string ColourOfName(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name.ToLowerInvariant())
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return NameColours[hash % (uint)NameColours.Length];
    }

    public static string Paint(OutputLine line, bool colour)
    {
        var text = SafeText.Clean(line.Text);
        if (!colour) return text;
        var code = ColourOf(line.Kind);
        if (line.Speaker is { Length: > 0 } speaker && text.IndexOf(SafeText.Clean(speaker), StringComparison.Ordinal) is var at and >= 0)
        {
            var name = SafeText.Clean(speaker);
            // Back to the line's own colour after the name.
            text = text[..at] + ColourOfName(speaker) + name + Reset + code + text[(at + name.Length)..];
        }
        return code is null ? text : code + text + Reset;
    }

    /// <summary>The terminal's bell, rung for a line that mentions the user.</summary>
    public const string Bell = "\a";

    public static string CursorRight(int columns) => columns > 0 ? $"\u001b[{columns}C" : "";

    public static string CursorUp(int rows) => rows > 0 ? $"\u001b[{rows}A" : "";
}
