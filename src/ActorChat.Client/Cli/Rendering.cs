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
    /// <summary>A message that mentions the user (@name).</summary>
    Mention,
}

/// <summary>One line for the user to see.</summary>
public sealed record OutputLine(LineKind Kind, string Text)
{
    /// <summary>The name that said the line, coloured by name on a terminal with colours (null: none).</summary>
    public string? Speaker { get; init; }

    /// <summary>Ring the terminal's bell with this line (a mention of the user); never on a pipe.</summary>
    public bool Bell { get; init; }

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

    public IReadOnlyList<OutputLine> Render(ServerFrame frame, string? currentRoom, string? me = null)
    {
        switch (frame)
        {
            case MessageFrame message:
                return [Message(message, currentRoom, me)];
            case DirectMessageFrame dm:
                return [new OutputLine(LineKind.Direct, $"{Time(dm.Timestamp)} [dm] {dm.From} -> {dm.To}: {dm.Text}"
                    + string.Concat((dm.Attachments ?? []).Select(f => " " + Attachment(f))))];
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
                return History(history, currentRoom, me);
            case DmsFrame dms:
                return Dms(dms);
            case SearchResultsFrame results:
                return SearchResults(results, me);
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
            case TypingFrame typing:
                return [OutputLine.System($"{typing.User} is typing{InRoom(typing.Room, currentRoom)}…")];
            case DroppedFrame dropped:
                return [OutputLine.Error($"An operator ({dropped.By}) removed #{dropped.Room}{Because(dropped.Reason)}. You are no longer in it; " +
                                         $"its messages are gone, and /join {dropped.Room} would open a new, empty room.")];
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

    /// <summary>A room as "#room"; a direct-message conversation ("@name") as it is.</summary>
    private static string Place(string room) => room.StartsWith('@') ? room : "#" + room;

    /// <summary>The direct-message conversations, one line each: who, how many unread, the latest message.</summary>
    public static IReadOnlyList<OutputLine> Dms(DmsFrame dms)
    {
        if (dms.Conversations.Count == 0) return [OutputLine.Info("No direct-message conversations kept (they are kept between accounts).")];
        var lines = new List<OutputLine> { OutputLine.Info($"Direct messages ({dms.Conversations.Count}); /history @NAME reads one:") };
        foreach (var c in dms.Conversations)
        {
            var latest = c.Last is { } last ? $": {last.From}: {last.Text}" : "";
            lines.Add(OutputLine.Info($"  @{c.With} ({c.Unread} unread){latest}"));
        }
        return lines;
    }

    /// <summary>The joined line and the history to show (the caller may leave out messages already shown).</summary>
    public IReadOnlyList<OutputLine> Joined(JoinedFrame joined, IEnumerable<MessageFrame> history, string? me = null)
    {
        var lines = new List<OutputLine>
        {
            OutputLine.System($"You joined #{joined.Room} ({joined.Members.Count} here: {string.Join(", ", joined.Members)})"),
        };
        if (joined.Topic is { Length: > 0 } topic) lines.Add(OutputLine.System($"Topic of #{joined.Room}: {topic}"));
        // Mentions said before the join are highlighted but do not ring: the bell is for what happens now.
        foreach (var message in history) lines.Add(Message(message, joined.Room, me) with { Bell = false });
        return lines;
    }

    /// <summary>
    /// A message line: time, number, room when not the current one, then "sender: text", "* sender text" for an
    /// action, a short quote of what a reply answers, "(edited)", and the reactions. One mentioning
    /// <paramref name="me"/> is a <see cref="LineKind.Mention"/> that rings the bell.
    /// </summary>
    public OutputLine Message(MessageFrame message, string? currentRoom, string? me = null)
    {
        var room = string.Equals(message.Room, currentRoom, StringComparison.OrdinalIgnoreCase) ? "" : $"#{message.Room} ";
        // The number is the room's seq: /reply, /react, /edit and /delete N name the message by it.
        var number = message.Seq >= 1 ? $"[{message.Seq}] " : "";
        var said = new StringBuilder($"{Time(message.Timestamp)} {number}{room}");
        if (message.Deleted == true)
        {
            said.Append($"{message.Sender}: (message deleted)");
            return new OutputLine(LineKind.Message, said.ToString()) { Speaker = message.Sender };
        }
        said.Append(message.Action == true ? $"* {message.Sender} " : $"{message.Sender}: ");
        if (message.ReplyPreview is { } preview)
            said.Append(preview.Text.Length == 0
                ? $"(re {preview.Sender}: a deleted message) "
                : $"(re {preview.Sender}: \"{Shorten(OneLine(preview.Text), QuoteLength)}\") ");
        said.Append(message.Text);
        if (message.EditedAt is not null) said.Append(" (edited)");
        foreach (var file in message.Attachments ?? []) said.Append(' ').Append(Attachment(file));
        if (Reactions(message.Reactions) is { } reactions) said.Append(' ').Append(reactions);
        var mentioned = me is not null && message.Mentions is { } names && !string.Equals(message.Sender, me, StringComparison.OrdinalIgnoreCase)
            && names.Any(n => string.Equals(n, me, StringComparison.OrdinalIgnoreCase));
        return new OutputLine(mentioned ? LineKind.Mention : LineKind.Message, said.ToString()) { Speaker = message.Sender, Bell = mentioned };
    }

    /// <summary>Where files download (http://host:port/api/files), once known; before that the path alone is shown.</summary>
    public string? FilesBaseUrl { get; set; }

    /// <summary>A file a message carries: "[file cat.png, 48213 bytes: http://…/api/files/ID/cat.png]".</summary>
    public string Attachment(FileAttachment file) =>
        $"[file {OneLine(file.Name)}, {file.Size} bytes: {FilesBaseUrl ?? "/api/files"}/{file.Id}/{Uri.EscapeDataString(file.Name)}]";

    /// <summary>How many characters of the answered message a reply quotes.</summary>
    public const int QuoteLength = 40;

    /// <summary>Reactions, compactly: "[👍 2 ❤️ 1]" in the order they came; null when there are none.</summary>
    public static string? Reactions(IReadOnlyDictionary<string, IReadOnlyList<string>>? reactions) =>
        reactions is null || reactions.Count == 0 ? null
            : "[" + string.Join(" ", reactions.Where(p => p.Value.Count > 0).Select(p => $"{p.Key} {p.Value.Count}")) + "]";

    /// <summary>
    /// Someone put or took back a reaction: who, which emoji, on which numbered message, and the message's
    /// reactions now (<paramref name="message"/>: its state after the change, null when it is not among those shown).
    /// </summary>
    public OutputLine Reaction(ReactionFrame reaction, MessageFrame? message, string? currentRoom)
    {
        var which = message is { Seq: >= 1 } ? $"[{message.Seq}]" : "a message";
        var where = InRoom(reaction.Room, currentRoom);
        var text = reaction.On ? $"{reaction.User} reacted {reaction.Emoji} to {which}{where}" : $"{reaction.User} took back {reaction.Emoji} on {which}{where}";
        var now = message is null ? null : Reactions(message.Reactions) ?? "[no reactions]";
        return OutputLine.System(now is null ? text : $"{text} {now}") with { Speaker = reaction.User };
    }

    /// <summary>A message was edited: shown again with its new text and "(edited)"; a line saying so when it is not among those shown.</summary>
    public OutputLine Edited(EditedFrame edited, MessageFrame? message, string? currentRoom, string? me = null) => message is null
        ? OutputLine.System($"A message{InRoom(edited.Room, currentRoom)} was edited: {edited.Text}")
        : Message(message, currentRoom, me) with { Kind = LineKind.Message, Bell = false };

    private static string InRoom(string room, string? currentRoom) =>
        string.Equals(room, currentRoom, StringComparison.OrdinalIgnoreCase) ? "" : $" in #{room}";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>
    /// A page of earlier messages asked for with /history: rendered like messages, between a header and a footer
    /// that say they are older than what is above them; a line saying so when there are none.
    /// </summary>
    public IReadOnlyList<OutputLine> History(HistoryFrame history, string? currentRoom, string? me = null)
    {
        if (history.Messages.Count == 0) return [OutputLine.Info($"No earlier messages in {Place(history.Room)}.")];
        var count = history.Messages.Count;
        var lines = new List<OutputLine>(count + 2)
        {
            new(LineKind.History, $"— {count} earlier message{(count == 1 ? "" : "s")} in {Place(history.Room)} —"),
        };
        foreach (var message in history.Messages) lines.Add(Message(message, currentRoom, me) with { Kind = LineKind.History, Bell = false });
        lines.Add(new OutputLine(LineKind.History, $"— end of earlier messages in {Place(history.Room)} —"));
        return lines;
    }

    /// <summary>Search results, newest first, each with its room (or @name for a direct message).</summary>
    public IReadOnlyList<OutputLine> SearchResults(SearchResultsFrame results, string? me = null)
    {
        if (results.Results.Count == 0) return [OutputLine.Info($"Nothing found for {results.Query}.")];
        var lines = new List<OutputLine>(results.Results.Count + 1)
        {
            OutputLine.Info($"{results.Results.Count} found for {results.Query}{(results.Next is null ? "" : " (more: narrow the search)")}:"),
        };
        foreach (var message in results.Results)
        {
            var where = message.Room.StartsWith('@') ? message.Room : "#" + message.Room;
            lines.Add(OutputLine.Info($"  {where} {message.Timestamp[..16].Replace('T', ' ')} <{message.Sender}> {message.Text}"));
        }
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

    private static string Shorten(string text, int max)
    {
        if (text.Length <= max) return text;
        var cut = max - 1;
        if (char.IsHighSurrogate(text[cut - 1])) cut--; // never half a character
        return text[..cut] + "…";
    }

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
