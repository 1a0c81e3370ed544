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
        _ => null,
    };

    public static string Paint(OutputLine line, bool colour)
    {
        var text = SafeText.Clean(line.Text);
        var code = colour ? ColourOf(line.Kind) : null;
        return code is null ? text : code + text + Reset;
    }

    public static string CursorRight(int columns) => columns > 0 ? $"\u001b[{columns}C" : "";

    public static string CursorUp(int rows) => rows > 0 ? $"\u001b[{rows}A" : "";
}
