using System.Globalization;

namespace ActorChat.Client.Cli;

/// <summary>
/// Turns a typed line into a <see cref="Command"/>. A line starting with '/' is a command; anything else is said
/// in the current room (a line starting with "//" says the text after the first '/'). "exit" alone quits.
/// </summary>
public static class CommandParser
{
    /// <summary>The commands, as /help lists them.</summary>
    public static readonly IReadOnlyList<(string Usage, string Help)> Commands =
    [
        ("/join ROOM", "join a room and make it the current one"),
        ("/leave [ROOM]", "leave a room (the current one if none is named)"),
        ("/switch ROOM", "make a room you are in the current one"),
        ("/rooms [FROM]", "list the rooms on the server, a page at a time (FROM: where the last page said to go on)"),
        ("/who [ROOM]", "who is in the room"),
        ("/msg NAME TEXT", "send a direct message"),
        ("/stats [ROOM]", "messages per user in the room, as a bar chart"),
        ("/history [N]", $"show N earlier messages of the current room (default {HistoryCommand.DefaultCount}, at most {HistoryCommand.MaxCount})"),
        ("/clear", "clear the screen"),
        ("/help", "this list"),
        ("/quit", "leave the chat (typing exit does the same)"),
    ];

    public static Command Parse(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0) return new EmptyCommand();
        if (trimmed.Equals("exit", StringComparison.OrdinalIgnoreCase)) return new QuitCommand();
        if (!trimmed.StartsWith('/')) return new SayCommand(line.TrimEnd());
        if (trimmed.StartsWith("//", StringComparison.Ordinal)) return new SayCommand(trimmed[1..]);

        var space = trimmed.IndexOf(' ');
        var name = (space < 0 ? trimmed[1..] : trimmed[1..space]).ToLowerInvariant();
        var rest = space < 0 ? "" : trimmed[(space + 1)..].Trim();
        var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        return name switch
        {
            "join" or "j" => words.Length == 1 ? new JoinCommand(words[0]) : Usage("/join ROOM"),
            "leave" or "part" => words.Length switch { 0 => new LeaveCommand(null), 1 => new LeaveCommand(words[0]), _ => Usage("/leave [ROOM]") },
            "switch" or "sw" => words.Length == 1 ? new SwitchCommand(words[0]) : Usage("/switch ROOM"),
            "rooms" or "list" => words.Length switch { 0 => new RoomsCommand(), 1 => new RoomsCommand(words[0]), _ => Usage("/rooms [FROM]") },
            "who" or "names" => words.Length switch { 0 => new WhoCommand(null), 1 => new WhoCommand(words[0]), _ => Usage("/who [ROOM]") },
            "msg" or "dm" or "m" => ParseDirectMessage(rest),
            "stats" => words.Length switch { 0 => new StatsCommand(null), 1 => new StatsCommand(words[0]), _ => Usage("/stats [ROOM]") },
            "history" or "hist" => ParseHistory(words),
            "help" or "h" or "?" => new HelpCommand(),
            "clear" or "cls" => words.Length == 0 ? new ClearCommand() : Usage("/clear"),
            "quit" or "exit" or "q" => new QuitCommand(),
            _ => new InvalidCommand($"Unknown command '/{name}'. Type /help for the commands; start a line with // to say something that begins with '/'."),
        };
    }

    private static Command ParseDirectMessage(string rest)
    {
        var space = rest.IndexOf(' ');
        if (space <= 0) return Usage("/msg NAME TEXT");
        var text = rest[(space + 1)..].Trim();
        return text.Length == 0 ? Usage("/msg NAME TEXT") : new DirectMessageCommand(rest[..space], text);
    }

    private static Command ParseHistory(string[] words)
    {
        if (words.Length == 0) return new HistoryCommand(HistoryCommand.DefaultCount);
        if (words.Length == 1 && int.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count is >= 1 and <= HistoryCommand.MaxCount)
            return new HistoryCommand(count);
        return Usage($"/history [N], N from 1 to {HistoryCommand.MaxCount}");
    }

    private static InvalidCommand Usage(string usage) => new($"Usage: {usage}");
}
