using System.Globalization;
using System.Text;
using ActorChat.Messages;

namespace ActorChat.Client.Cli;

/// <summary>How a line is set apart on a terminal (colour); plain output shows only the text.</summary>
public enum LineKind
{
    /// <summary>A chat message.</summary>
    Message,
    /// <summary>A direct message.</summary>
    Direct,
    /// <summary>Joins, leaves, connection state.</summary>
    System,
    /// <summary>Answers to the user's own requests: lists, help, charts.</summary>
    Info,
    /// <summary>Errors from the server or from the client.</summary>
    Error,
    /// <summary>Earlier messages fetched with /history, and the lines that frame them.</summary>
    History,
}

/// <summary>One line for the user to see.</summary>
public sealed record OutputLine(LineKind Kind, string Text)
{
    public static OutputLine System(string text) => new(LineKind.System, "*** " + text);
    public static OutputLine Info(string text) => new(LineKind.Info, text);
    public static OutputLine Error(string text) => new(LineKind.Error, "!!! " + text);
}

/// <summary>
/// Turns server frames into the lines the user sees. Messages show local time (HH:mm:ss) and sender, and the
/// room when it is not the current one. Pure: knows the current room and the user's name only through its
/// arguments, so it is tested without a console.
/// </summary>
public sealed class Renderer(TimeZoneInfo? timeZone = null)
{
    private const int BarWidth = 30;
    private readonly TimeZoneInfo _timeZone = timeZone ?? TimeZoneInfo.Local;

    public IReadOnlyList<OutputLine> Render(ServerFrame frame, string? currentRoom)
    {
        switch (frame)
        {
            case MessageFrame message:
                return [Message(message, currentRoom)];
            case DirectMessageFrame dm:
                return [new OutputLine(LineKind.Direct, $"{Time(dm.Timestamp)} [dm] {dm.From} -> {dm.To}: {dm.Text}")];
            case PresenceFrame presence:
                var verb = presence.Event == PresenceFrame.Join ? "joined" : "left";
                return [OutputLine.System($"{presence.User} {verb} #{presence.Room}")];
            case JoinedFrame joined:
                return Joined(joined, joined.History);
            case LeftFrame left:
                return [OutputLine.System($"You left #{left.Room}")];
            case RoomListFrame list:
                if (list.Rooms.Count == 0) return [OutputLine.Info(list.Next is null ? "No rooms yet; /join one to open it." : "No more rooms.")];
                var roomsLine = OutputLine.Info("Rooms: " + string.Join(", ", list.Rooms.Select(r => $"#{r.Name} ({r.Members})")));
                return list.Next is null ? [roomsLine] : [roomsLine, OutputLine.Info($"More rooms: /rooms {list.Next}")];
            case MembersFrame members:
                return [OutputLine.Info($"In #{members.Room} ({members.Members.Count}): {string.Join(", ", members.Members)}")];
            case StatsFrame stats:
                return Stats(stats);
            case HistoryFrame history:
                return History(history, currentRoom);
            case ErrorFrame error:
                return [OutputLine.Error($"{error.Message} [{error.Code}]")];
            case ByeFrame bye:
                return [bye.Reason switch
                {
                    ByeFrame.ServerShutdown => OutputLine.System("The server is shutting down."),
                    ByeFrame.Killed => OutputLine.Error($"An operator disconnected you{(bye.Message is { Length: > 0 } why ? ": " + why : ".")}"),
                    _ => OutputLine.System("Bye."),
                }];
            case TopicFrame topic:
                return [OutputLine.System(topic.Topic.Length == 0
                    ? $"{topic.By} cleared the topic of #{topic.Room}"
                    : $"{topic.By} set the topic of #{topic.Room}: {topic.Topic}")];
            case ModeFrame mode:
                return [OutputLine.System(mode.Private
                    ? $"{mode.By} made #{mode.Room} private ({(mode.Password ? "joined by invitation or with its password" : "joined by invitation only")})"
                    : $"{mode.By} made #{mode.Room} public")];
            case InvitedFrame invited:
                return [OutputLine.System($"{invited.User} may now join #{invited.Room} (invited by {invited.By})")];
            case RoleFrame role:
                return [OutputLine.System($"{role.User} is now {(role.Role == RoleRequest.Owner ? "an owner" : "a " + role.Role)} of #{role.Room} (by {role.By})")];
            case KickedFrame kicked:
                return [OutputLine.System($"{kicked.User} was kicked from #{kicked.Room} by {kicked.By}{Because(kicked.Reason)}")];
            case RoomBannedFrame banned:
                return [OutputLine.System($"{banned.User} is banned from #{banned.Room} (by {banned.By}){Because(banned.Reason)}")];
            case RoomUnbannedFrame unbanned:
                return [OutputLine.System($"{unbanned.User} is no longer banned from #{unbanned.Room} (by {unbanned.By})")];
            case DeletedFrame deleted:
                return [OutputLine.System($"[{deleted.Seq}] in #{deleted.Room}: message deleted (by {deleted.By})")];
            case RegisteredFrame registered:
                return [OutputLine.System($"Registered: {registered.Name} is your account now; sign in with --password next time.")];
            case DoneFrame { Request: "password" }:
                return [OutputLine.System("Password changed.")];
            case DoneFrame done:
                return [OutputLine.Info($"Done: {done.Request}.")];
            default:
                return []; // welcome and pong are handled by the client itself
        }
    }

    /// <summary>The joined line and the history to show (the caller may leave out messages already shown).</summary>
    public IReadOnlyList<OutputLine> Joined(JoinedFrame joined, IEnumerable<MessageFrame> history)
    {
        var lines = new List<OutputLine>
        {
            OutputLine.System($"You joined #{joined.Room} ({joined.Members.Count} here: {string.Join(", ", joined.Members)})"),
        };
        if (joined.Topic is { Length: > 0 } topic) lines.Add(OutputLine.System($"Topic of #{joined.Room}: {topic}"));
        foreach (var message in history) lines.Add(Message(message, joined.Room));
        return lines;
    }

    public OutputLine Message(MessageFrame message, string? currentRoom)
    {
        var room = string.Equals(message.Room, currentRoom, StringComparison.OrdinalIgnoreCase) ? "" : $"#{message.Room} ";
        // The number is the room's seq: /delete N names the message by it.
        var number = message.Seq >= 1 ? $"[{message.Seq}] " : "";
        var text = message.Deleted == true ? "(message deleted)" : message.Text;
        return new OutputLine(LineKind.Message, $"{Time(message.Timestamp)} {number}{room}{message.Sender}: {text}");
    }

    /// <summary>
    /// A page of earlier messages asked for with /history: rendered like messages, between a header and a footer
    /// that say they are older than what is above them; a line saying so when there are none.
    /// </summary>
    public IReadOnlyList<OutputLine> History(HistoryFrame history, string? currentRoom)
    {
        if (history.Messages.Count == 0) return [OutputLine.Info($"No earlier messages in #{history.Room}.")];
        var count = history.Messages.Count;
        var lines = new List<OutputLine>(count + 2)
        {
            new(LineKind.History, $"— {count} earlier message{(count == 1 ? "" : "s")} in #{history.Room} —"),
        };
        foreach (var message in history.Messages) lines.Add(Message(message, currentRoom) with { Kind = LineKind.History });
        lines.Add(new OutputLine(LineKind.History, $"— end of earlier messages in #{history.Room} —"));
        return lines;
    }

    /// <summary>A line said in <paramref name="room"/> was refused: say that it was not sent, and what to do.</summary>
    public static OutputLine SayFailed(ErrorFrame error, string room, string text)
    {
        var why = error.Code switch
        {
            ErrorCodes.Unavailable => "the server could not save it just now; try again",
            ErrorCodes.Busy => "the room is too busy just now; try again",
            // The server's message is a sentence of its own; the line ends it once.
            _ => error.Message.TrimEnd('.'),
        };
        return OutputLine.Error($"Not sent to #{room}: \"{Shorten(text, 60)}\" — {why}. [{error.Code}]");
    }

    /// <summary>A direct message was refused: say that it was not sent, and why.</summary>
    public static OutputLine DirectMessageFailed(ErrorFrame error, string text) =>
        OutputLine.Error($"Direct message not sent: \"{Shorten(text, 60)}\" — {error.Message.TrimEnd('.')}. [{error.Code}]");

    /// <summary>A /history request for <paramref name="room"/> was refused.</summary>
    public static OutputLine HistoryFailed(ErrorFrame error, string room) => error.Code is ErrorCodes.Unavailable or ErrorCodes.Busy
        ? OutputLine.Error($"Could not fetch earlier messages of #{room} just now; try /history again. [{error.Code}]")
        : OutputLine.Error($"{error.Message} [{error.Code}]");

    private static string Because(string? reason) => reason is { Length: > 0 } ? $": {reason}" : "";

    /// <summary>This user was put out of a room: say so, by whom and why, and how to come back.</summary>
    public static OutputLine KickedYou(KickedFrame kicked) =>
        OutputLine.Error($"You were kicked from #{kicked.Room} by {kicked.By}{Because(kicked.Reason)}. /join {kicked.Room} to come back, unless you are banned.");

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    public static IReadOnlyList<OutputLine> Stats(StatsFrame stats)
    {
        if (stats.MessagesPerUser.Count == 0) return [OutputLine.Info($"No messages in #{stats.Room} yet.")];
        var lines = new List<OutputLine> { OutputLine.Info($"Messages per user in #{stats.Room}:") };
        foreach (var bar in BarChart(stats.MessagesPerUser, BarWidth)) lines.Add(OutputLine.Info(bar));
        var shown = stats.MessagesPerUser.Values.Sum();
        if (stats.Total > shown) lines.Add(OutputLine.Info($"({stats.Total} messages in all; {stats.Total - shown} by others not shown)"));
        return lines;
    }

    /// <summary>One line per user, most messages first: name, a bar of '#' scaled to the largest count, the count.</summary>
    public static IReadOnlyList<string> BarChart(IReadOnlyDictionary<string, long> counts, int width)
    {
        if (counts.Count == 0) return [];
        var max = Math.Max(1, counts.Values.Max());
        var nameWidth = counts.Keys.Max(k => k.Length);
        var lines = new List<string>();
        foreach (var (user, count) in counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            var length = count == 0 ? 0 : Math.Max(1, (int)Math.Round((double)count * width / max));
            lines.Add($"  {user.PadRight(nameWidth)} {new string('#', length).PadRight(width)} {count}");
        }
        return lines;
    }

    /// <summary>The protocol's UTC timestamp as local HH:mm:ss; the raw text when it cannot be read.</summary>
    public string Time(string timestamp)
    {
        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            return timestamp;
        return TimeZoneInfo.ConvertTime(when, _timeZone).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>The /help text.</summary>
    public static IReadOnlyList<OutputLine> Help()
    {
        var lines = new List<OutputLine> { OutputLine.Info("Type a line to say it in the current room. Commands:") };
        var width = CommandParser.Commands.Max(c => c.Usage.Length);
        foreach (var (usage, help) in CommandParser.Commands) lines.Add(OutputLine.Info($"  {usage.PadRight(width)}  {help}"));
        return lines;
    }
}

/// <summary>Strips what is not for a screen (control characters) from text that came over the wire.</summary>
public static class SafeText
{
    public static string Clean(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var builder = new StringBuilder(text.Length);
        foreach (var c in text) builder.Append(c == '\t' ? ' ' : char.IsControl(c) ? '\uFFFD' : c);
        return builder.ToString();
    }
}
