namespace ActorChat.Client.Cli;

/// <summary>The few ANSI escape codes the client uses on a terminal; never written to a pipe.</summary>
internal static class AnsiStyle
{
    public const string Reset = "\u001b[0m";
    public const string ClearLine = "\r\u001b[2K";

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

    public static string CursorLeft(int columns) => columns > 0 ? $"\u001b[{columns}D" : "";
}
