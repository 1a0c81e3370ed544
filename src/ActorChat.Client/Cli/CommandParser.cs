using System.Globalization;
using ActorChat.Messages;

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
        ("/join ROOM [PASSWORD]", "join a room and make it the current one (a private room with its password)"),
        ("/leave [ROOM]", "leave a room (the current one if none is named)"),
        ("/switch ROOM", "make a room you are in the current one"),
        ("/rooms [FROM]", "list the rooms on the server, a page at a time (FROM: where the last page said to go on)"),
        ("/who [ROOM]", "who is in the room"),
        ("/msg NAME TEXT", "send a direct message"),
        ("/stats [ROOM]", "messages per user in the room, as a bar chart"),
        ("/history [N]", $"show N earlier messages of the current room (default {HistoryCommand.DefaultCount}, at most {HistoryCommand.MaxCount})"),
        ("/history @NAME [N]", "show N earlier direct messages between you and NAME (accounts)"),
        ("/dms", "list your direct-message conversations with their unread counts (accounts)"),
        ("/search TEXT", "search the messages you may read: words, word* for a prefix, \"quoted words\" for a phrase"),
        ("/register [PASSWORD]", "register your name as an account with this password (asked for without echo when left out)"),
        ("/password [OLD NEW]", "change your account's password (both asked for without echo when left out)"),
        ("/topic [TEXT]", "set the current room's topic (no text clears it)"),
        ("/mode private|public [PASSWORD]", "make the current room private (joined by invitation, or with the password) or public"),
        ("/invite NAME", "let someone into the current (private) room"),
        ("/role NAME owner|moderator|member", "give someone a role in the current room"),
        ("/kick NAME [REASON]", "put someone out of the current room"),
        ("/ban NAME [REASON]", "ban someone from the current room"),
        ("/unban NAME", "lift someone's ban from the current room"),
        ("/kill NAME [REASON]", "operators: disconnect someone from the server"),
        ("/gban NAME|ADDRESS [MINUTES] [REASON]", "operators: ban an account, an address or a range (1.2.3.0/24) from the whole server; no minutes: for good"),
        ("/gunban NAME|ADDRESS", "operators: lift a server-wide ban"),
        ("/delete N", "delete message N of the current room (the number in brackets before it)"),
        ("/reply N TEXT", "answer message N of the current room; the answer shows a short quote of it"),
        ("/react N EMOJI", "react to message N with an emoji (the same again takes it back)"),
        ("/edit N TEXT", "change the text of your message N"),
        ("/me TEXT", "say an action, shown as \"* you TEXT\""),
        ("/upload PATH [TEXT]", "upload a file (over the server's web port) and say it in the current room with TEXT"),
        ("/clear", "clear the screen"),
        ("/help", "this list"),
        ("/quit", "leave the chat (typing exit does the same)"),
    ];

    /// <summary>
    /// A line with its passwords hidden (/register, /password), for a screen or a line history; null when the line
    /// has none and may be shown as typed.
    /// </summary>
    public static string? Redacted(string line)
    {
        var trimmed = line.TrimStart();
        var space = trimmed.IndexOf(' ');
        if (space < 0) return null;
        var name = trimmed[..space].ToLowerInvariant();
        if (name is "/register" or "/password" or "/passwd") return name + " ***";
        // A private room's password: /join ROOM PASSWORD.
        var words = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return name is "/join" or "/j" && words.Length > 2 ? $"{name} {words[1]} ***" : null;
    }

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
            "join" or "j" => words.Length switch { 1 => new JoinCommand(words[0]), 2 => new JoinCommand(words[0], words[1]), _ => Usage("/join ROOM [PASSWORD]") },
            "leave" or "part" => words.Length switch { 0 => new LeaveCommand(null), 1 => new LeaveCommand(words[0]), _ => Usage("/leave [ROOM]") },
            "switch" or "sw" => words.Length == 1 ? new SwitchCommand(words[0]) : Usage("/switch ROOM"),
            "rooms" or "list" => words.Length switch { 0 => new RoomsCommand(), 1 => new RoomsCommand(words[0]), _ => Usage("/rooms [FROM]") },
            "who" or "names" => words.Length switch { 0 => new WhoCommand(null), 1 => new WhoCommand(words[0]), _ => Usage("/who [ROOM]") },
            "msg" or "dm" or "m" => ParseDirectMessage(rest),
            "stats" => words.Length switch { 0 => new StatsCommand(null), 1 => new StatsCommand(words[0]), _ => Usage("/stats [ROOM]") },
            "history" or "hist" => ParseHistory(words),
            "dms" => words.Length == 0 ? new DmsCommand() : Usage("/dms"),
            "search" or "find" => rest.Trim().Length > 0 ? new SearchCommand(rest.Trim()) : Usage("/search TEXT"),
            "help" or "h" or "?" => new HelpCommand(),
            "register" => words.Length switch { 0 => new RegisterCommand(null), 1 => new RegisterCommand(words[0]), _ => Usage("/register [PASSWORD]") },
            "password" or "passwd" => words.Length switch { 0 => new PasswordCommand(null, null), 2 => new PasswordCommand(words[0], words[1]), _ => Usage("/password [OLD NEW]") },
            "topic" => new TopicCommand(rest),
            "mode" => ParseMode(words),
            "invite" => words.Length == 1 ? new InviteCommand(words[0]) : Usage("/invite NAME"),
            "role" => words.Length == 2 && words[1].ToLowerInvariant() is RoleRequest.Owner or RoleRequest.Moderator or RoleRequest.Member
                ? new RoleCommand(words[0], words[1].ToLowerInvariant())
                : Usage("/role NAME owner|moderator|member"),
            "kick" => words.Length >= 1 ? new KickCommand(words[0], Reason(rest)) : Usage("/kick NAME [REASON]"),
            "ban" => words.Length >= 1 ? new RoomBanCommand(words[0], Reason(rest)) : Usage("/ban NAME [REASON]"),
            "unban" => words.Length == 1 ? new RoomUnbanCommand(words[0]) : Usage("/unban NAME"),
            "kill" => words.Length >= 1 ? new KillCommand(words[0], Reason(rest)) : Usage("/kill NAME [REASON]"),
            "gban" => ParseServerBan(words, rest),
            "gunban" => words.Length == 1
                ? IsAddress(words[0]) ? new ServerUnbanCommand(null, words[0]) : new ServerUnbanCommand(words[0], null)
                : Usage("/gunban NAME|ADDRESS"),
            "delete" or "del" => words.Length == 1 && long.TryParse(words[0].Trim('[', ']'), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq >= 1
                ? new DeleteCommand(seq)
                : Usage("/delete N, N the number in brackets before a message of the current room"),
            "reply" or "re" => NumberAndText(words, rest, "/reply N TEXT", (seq, text) => new ReplyCommand(seq, text)),
            "edit" => NumberAndText(words, rest, "/edit N TEXT", (seq, text) => new EditCommand(seq, text)),
            "react" => words.Length == 2 && Number(words[0]) is { } reacted ? new ReactCommand(reacted, words[1]) : Usage("/react N EMOJI"),
            "me" => rest.Length > 0 ? new ActionCommand(rest) : Usage("/me TEXT"),
            "upload" => words.Length >= 1 ? new UploadCommand(words[0], rest[words[0].Length..].Trim()) : Usage("/upload PATH [TEXT]"),
            "clear" or "cls" => words.Length == 0 ? new ClearCommand() : Usage("/clear"),
            "quit" or "exit" or "q" => new QuitCommand(),
            _ => new InvalidCommand($"Unknown command '/{name}'. Type /help for the commands; start a line with // to say something that begins with '/'."),
        };
    }

    /// <summary>A message's number as shown before it ("12" or "[12]"); null when the word is none.</summary>
    private static long? Number(string word) =>
        long.TryParse(word.Trim('[', ']'), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq >= 1 ? seq : null;

    /// <summary>/reply N TEXT and /edit N TEXT: a message number, then the rest of the line as typed.</summary>
    private static Command NumberAndText(string[] words, string rest, string usage, Func<long, string, Command> make)
    {
        if (words.Length < 2 || Number(words[0]) is not { } seq) return Usage(usage + ", N the number in brackets before a message of the current room");
        var text = rest[(rest.IndexOf(' ') + 1)..].Trim();
        return make(seq, text);
    }

    private static Command ParseDirectMessage(string rest)
    {
        var space = rest.IndexOf(' ');
        if (space <= 0) return Usage("/msg NAME TEXT");
        var text = rest[(space + 1)..].Trim();
        return text.Length == 0 ? Usage("/msg NAME TEXT") : new DirectMessageCommand(rest[..space], text);
    }

    /// <summary>The text after the first word (a name), or null when there is none.</summary>
    private static string? Reason(string rest)
    {
        var space = rest.IndexOf(' ');
        return space < 0 ? null : rest[(space + 1)..].Trim() is { Length: > 0 } reason ? reason : null;
    }

    /// <summary>/gban NAME|ADDRESS [MINUTES] [REASON]: a number after the target is the minutes, the rest the reason.</summary>
    private static Command ParseServerBan(string[] words, string rest)
    {
        const string usage = "/gban NAME|ADDRESS [MINUTES] [REASON]";
        if (words.Length == 0) return Usage(usage);
        var target = words[0];
        var reason = Reason(rest);
        double? minutes = null;
        if (words.Length >= 2 && double.TryParse(words[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            if (number <= 0) return Usage(usage + ", MINUTES above 0");
            minutes = number;
            reason = Reason(reason!);
        }
        return IsAddress(target)
            ? new ServerBanCommand(null, target, minutes, reason)
            : new ServerBanCommand(target, null, minutes, reason);
    }

    /// <summary>
    /// An IP address or a CIDR range rather than a name: IPv4 as four dotted numbers, or anything with a ':' (IPv6).
    /// Names may hold digits and dots too, so a bare number is a name.
    /// </summary>
    public static bool IsAddress(string word)
    {
        var slash = word.IndexOf('/');
        var address = slash < 0 ? word : word[..slash];
        if (slash >= 0 && !int.TryParse(word[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _)) return false;
        if (address.Contains(':')) return System.Net.IPAddress.TryParse(address, out _);
        var parts = address.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    private static Command ParseMode(string[] words) => words switch
    {
        ["private"] => new ModeCommand(true, null),
        ["private", var password] => new ModeCommand(true, password),
        ["public"] => new ModeCommand(false, null),
        _ => Usage("/mode private [PASSWORD] or /mode public"),
    };

    private static Command ParseHistory(string[] words)
    {
        if (words.Length > 0 && words[0].Length > 1 && words[0][0] == '@')
        {
            var with = words[0][1..];
            return ParseHistory(words[1..]) is HistoryCommand page ? page with { With = with } : Usage($"/history @NAME [N], N from 1 to {HistoryCommand.MaxCount}");
        }
        if (words.Length == 0) return new HistoryCommand(HistoryCommand.DefaultCount);
        if (words.Length == 1 && int.TryParse(words[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count is >= 1 and <= HistoryCommand.MaxCount)
            return new HistoryCommand(count);
        return Usage($"/history [N], N from 1 to {HistoryCommand.MaxCount}");
    }

    private static InvalidCommand Usage(string usage) => new($"Usage: {usage}");
}
