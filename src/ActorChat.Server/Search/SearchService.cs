using ActorChat.Messages;
using ActorChat.Server.Sessions;
using Akka.Actor;
using Akka.Event;

namespace ActorChat.Server.Search;

/// <summary>
/// Answers <c>search</c> frames. What the caller may read is decided at query time: the room directory names the
/// rooms it may read now (public ones, and private ones that name it as a member, owner, moderator or invited user),
/// and direct-message entries are found only by their two readers. Searches run off the actor's thread, at most
/// <see cref="MaxRunning"/> at a time, the others waiting their turn in order (at most <see cref="MaxWaiting"/>;
/// past that, <c>busy</c>), so that however many searches come in, they hold at most that many threads of the pool
/// that every connection and room shares, and ask the directory that often. Since a session sends its next frame
/// only once its search is answered, a connection holds at most one place in the line: searching flat out from one
/// connection (paced by flood control anyway) cannot keep another's search waiting for more than a few turns. Each
/// search answers its session exactly once, with results or an error.
/// </summary>
public sealed class SearchService : ReceiveActor
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 50;

    /// <summary>Searches running at once: SQLite's index has one connection, so more would only wait on its lock.</summary>
    public const int MaxRunning = 2;

    /// <summary>Searches waiting for their turn at most; past that they are answered <c>busy</c>.</summary>
    public const int MaxWaiting = 1000;

    // Right after a start the directory answers once it has read its room catalog, which it waits for up to 15 s.
    private static readonly TimeSpan DirectoryTimeout = TimeSpan.FromSeconds(20);

    /// <summary>A search by <paramref name="User"/> (its display name); the answer goes to <paramref name="Member"/>.</summary>
    public sealed record Find(SearchRequest Request, string User, IActorRef Member);

    /// <summary>Asked of the room directory: the rooms <paramref name="User"/> may read now.</summary>
    public sealed record ReadableRoomsOf(string User);

    /// <summary>The directory's answer: readable rooms, key → name.</summary>
    public sealed record ReadableRooms(IReadOnlyDictionary<string, string> NamesByKey);

    private sealed class SearchDone
    {
        public static readonly SearchDone Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Queue<Find> _waiting = new();
    private int _running;

    public SearchService(ISearchIndex index, IActorRef directory)
    {
        Receive<Find>(find =>
        {
            if (_running < MaxRunning) Run(index, directory, find);
            else if (_waiting.Count < MaxWaiting) _waiting.Enqueue(find);
            else
                find.Member.Tell(Deliver.Answer(new ErrorFrame(ErrorCodes.Busy, "Too many searches are waiting; try again in a moment.") { Ref = find.Request.Ref }),
                    ActorRefs.NoSender);
        });
        Receive<SearchDone>(_ =>
        {
            _running--;
            if (_waiting.TryDequeue(out var next)) Run(index, directory, next);
        });
    }

    private void Run(ISearchIndex index, IActorRef directory, Find find)
    {
        _running++;
        var log = _log;
        var self = Self;
        _ = Task.Run(async () =>
        {
            ServerFrame answer;
            try
            {
                answer = await SearchAsync(index, directory, find);
            }
            catch (Exception e)
            {
                log.Warning("Search for {0} failed: {1}", find.User, e.Message);
                answer = new ErrorFrame(ErrorCodes.Unavailable, "Search is not available right now; try again.");
            }
            find.Member.Tell(Deliver.Answer(answer with { Ref = find.Request.Ref }), ActorRefs.NoSender);
            self.Tell(SearchDone.Instance, ActorRefs.NoSender);
        });
    }

    public static Props Props(ISearchIndex index, IActorRef directory) => Akka.Actor.Props.Create(() => new SearchService(index, directory));

    /// <summary>The problem with a search's fields (not its query), or null.</summary>
    public static ErrorFrame? Problem(SearchRequest request)
    {
        var limit = request.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit) return new ErrorFrame(ErrorCodes.BadRequest, $"A search limit is 1 to {MaxLimit}; {limit} is not.");
        if (request.Before is < 1) return new ErrorFrame(ErrorCodes.BadRequest, "'before' is the 'next' of a previous page, 1 or more.");
        if (request.Room is { } room && !(room.StartsWith('@') ? Protocol.IsValidName(room[1..]) : Protocol.IsValidRoom(room)))
            return new ErrorFrame(ErrorCodes.InvalidRoom, $"'{room}' is neither a room name nor @name.");
        if (request.From is { } from && !Protocol.IsValidName(from)) return new ErrorFrame(ErrorCodes.InvalidName, $"'{from}' is not a user name.");
        return null;
    }

    private static async Task<ServerFrame> SearchAsync(ISearchIndex index, IActorRef directory, Find find)
    {
        var request = find.Request;
        if (Problem(request) is { } problem) return problem;
        if (SearchQuery.Parse(request.Query, out var why) is not { } query) return new ErrorFrame(ErrorCodes.BadQuery, why!);
        var limit = request.Limit ?? DefaultLimit;
        var me = Protocol.Key(find.User);
        var readable = (await directory.Ask<ReadableRooms>(new ReadableRoomsOf(find.User), DirectoryTimeout)).NamesByKey;

        string? conversation = null;
        IReadOnlyCollection<string> rooms = readable.Keys.ToArray();
        if (request.Room is { } room)
        {
            if (room.StartsWith('@'))
            {
                conversation = SearchConversations.Direct(me, Protocol.Key(room[1..]));
                rooms = [];
            }
            else
            {
                conversation = Protocol.Key(room);
                rooms = readable.ContainsKey(conversation) ? [conversation] : [];
                if (rooms.Count == 0) return new SearchResultsFrame(request.Query, [], null); // says nothing of a room it may not read
            }
        }
        var scope = new SearchScope(me, rooms, conversation, request.From is null ? null : Protocol.Key(request.From));
        // One more than asked tells whether there is a next page.
        var hits = index.Find(query, scope, request.Before, limit + 1);
        var page = hits.Take(limit).Select(hit => FrameOf(hit, me, readable)).ToArray();
        return new SearchResultsFrame(request.Query, page, hits.Count > limit ? hits[limit - 1].Position : null);
    }

    /// <summary>A hit as a message frame: a room's by its name, a direct message's as "@" and the other participant.</summary>
    private static MessageFrame FrameOf(SearchHit hit, string me, IReadOnlyDictionary<string, string> rooms)
    {
        var room = hit.Readers is { } readers
            ? "@" + (readers.FirstOrDefault(r => r != me) ?? me)
            : rooms.GetValueOrDefault(hit.Conversation, hit.Conversation);
        return new MessageFrame(hit.MessageId, room, hit.Sender, hit.Text, hit.Timestamp, hit.Seq);
    }
}
