using System.Text.Json;
using System.Text.Json.Serialization;
using ActorChat.Messages;
using ActorChat.Server.Accounts;
using ActorChat.Server.Configuration;
using ActorChat.Server.Operations;
using ActorChat.Server.Rooms;
using ActorChat.Server.Status;
using ActorChat.Server.Sessions;
using ActorChat.Server.Users;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// The operator dashboard: the page at <c>/admin</c> (static admin.html), its data at <c>GET /api/admin</c> and,
/// pushed every 2 s over a WebSocket, at <c>GET /api/admin/live</c> (what the page uses), and
/// <c>POST /api/admin/kick</c> and <c>/api/admin/ban</c>. Each answers only to a
/// browser whose session cookie stands for an operator account (<c>--operator</c>); anyone else gets 403. The POSTs
/// and the live socket also come only from the page's own origin (or an allowed one).
/// </summary>
public static class AdminEndpoints
{
    private const int MaxBodyBytes = 2048;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Runs before the static files, so that admin.html is never served to a non-operator.</summary>
    public static void Map(WebApplication app, OriginPolicy origins, string webRootPath)
    {
        var tokens = app.Services.GetRequiredService<WebSessionTokens>();
        var accounts = app.Services.GetRequiredService<ServerSettings>().Accounts;
        var page = Path.Combine(webRootPath, "admin.html");
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path is not ("/admin" or "/admin/" or "/admin.html"))
            {
                await next(context);
                return;
            }
            context.Response.Headers.CacheControl = "no-store";
            if (OperatorOf(context, tokens, accounts) is null)
            {
                await ForbiddenAsync(context);
                return;
            }
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.SendFileAsync(page);
        });
        app.MapGet("/api/admin", (HttpContext context) => SnapshotAsync(context, tokens, accounts));
        var live = new LiveDashboards();
        app.MapGet("/api/admin/live", (HttpContext context) => LiveAsync(context, origins, tokens, accounts, live));
        app.MapPost("/api/admin/kick", (HttpContext context) => ActAsync(context, origins, tokens, accounts, ban: false));
        app.MapPost("/api/admin/ban", (HttpContext context) => ActAsync(context, origins, tokens, accounts, ban: true));
    }

    /// <summary>The operator the request's cookie signs in, or null (no cookie, an expired one, not an operator).</summary>
    private static string? OperatorOf(HttpContext context, WebSessionTokens tokens, AccountSettings accounts) =>
        tokens.SignedIn(context.Request) is { } name && accounts.IsOperator(name) ? name : null;

    private static Task ForbiddenAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("Operators only: sign in on the chat page with an operator account, then open /admin again.\n");
    }

    private static async Task SnapshotAsync(HttpContext context, WebSessionTokens tokens, AccountSettings accounts)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (OperatorOf(context, tokens, accounts) is null)
        {
            await ForbiddenAsync(context);
            return;
        }
        await context.Response.WriteAsJsonAsync(await BuildSnapshotAsync(context.RequestServices), AdminJsonContext.Default.AdminSnapshot);
    }

    /// <summary>
    /// <c>GET /api/admin/live</c>, upgraded to a WebSocket: the snapshot of <c>GET /api/admin</c> pushed every 2 s
    /// (<see cref="AdminLiveFeed"/>). Refused with 403 before the upgrade like the POSTs: another site's Origin, or a
    /// cookie that is not an operator's. The feed ends when the cookie stops standing for an operator (signed out,
    /// revoked, expired).
    /// </summary>
    private static async Task LiveAsync(HttpContext context, OriginPolicy origins, WebSessionTokens tokens, AccountSettings accounts, LiveDashboards open)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!origins.Allows(context.Request) || OperatorOf(context, tokens, accounts) is null)
        {
            await ForbiddenAsync(context);
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint speaks WebSocket: the dashboard's snapshot every 2 s. GET /api/admin answers one.\n");
            return;
        }
        if (!open.TryOpen())
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"{AdminLiveFeed.MaxOpen} dashboards are open already.\n");
            return;
        }
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var services = context.RequestServices;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(
                context.RequestAborted, services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            await AdminLiveFeed.RunAsync(
                socket,
                async _ => JsonSerializer.SerializeToUtf8Bytes(await BuildSnapshotAsync(services), AdminJsonContext.Default.AdminSnapshot),
                () => OperatorOf(context, tokens, accounts) is not null,
                stop.Token);
        }
        finally
        {
            open.Close();
        }
    }

    /// <summary>The dashboard's figures now (the lists stay empty when the actors do not answer within 3 s).</summary>
    internal static async Task<AdminSnapshot> BuildSnapshotAsync(IServiceProvider services)
    {
        var registry = services.GetRequiredService<ActorRegistry>();
        var statistics = services.GetRequiredService<ChatStatistics>();
        var settings = services.GetRequiredService<ServerSettings>();
        var rooms = Array.Empty<RoomSummary>() as IReadOnlyList<RoomSummary>;
        var users = Array.Empty<UserRegistry.OnlineUser>() as IReadOnlyList<UserRegistry.OnlineUser>;
        IReadOnlyList<NodeStatus>? nodes = null;
        try
        {
            var roomsAsked = registry.Get<RoomDirectory>().Ask<RoomProtocol.RoomSummaries>(RoomProtocol.GetRoomSummaries.Instance, AskTimeout);
            var usersAsked = registry.Get<UserRegistry>().Ask<UserRegistry.OnlineUsers>(UserRegistry.GetOnlineUsers.Instance, AskTimeout);
            var nodesAsked = settings.Cluster.Enabled
                ? Cluster.ClusterNodes.ReportAsync(services.GetRequiredService<ActorSystem>(), services.GetRequiredService<Cluster.ClusterChatAddresses>())
                : Task.FromResult<IReadOnlyList<NodeStatus>>([]);
            await Task.WhenAll(roomsAsked, usersAsked, nodesAsked);
            rooms = roomsAsked.Result.Rooms;
            users = usersAsked.Result.Users;
            if (settings.Cluster.Enabled) nodes = nodesAsked.Result;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // A busy or clustered registry: the counters and warnings still come, the lists stay empty this time.
        }
        var counted = statistics.MessagesPerRoom();
        var roomRows = rooms
            .Select(r => counted.TryGetValue(r.Name, out var c)
                ? new AdminRoom(r.Name, r.Members, c.Total, c.PerUser)
                : new AdminRoom(r.Name, r.Members, 0, new Dictionary<string, long>()))
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return new AdminSnapshot(
            settings.ServerName,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Math.Round(statistics.Uptime.TotalSeconds, 1),
            services.GetRequiredService<DashboardCounters>().Read(),
            roomRows,
            users,
            services.GetRequiredService<RecentWarnings>().Newest())
        {
            Nodes = nodes,
        };
    }

    /// <summary>A kick (the server's kill: the user gets bye "killed") or a ban of the user's account (it is sent away).</summary>
    private static async Task ActAsync(HttpContext context, OriginPolicy origins, WebSessionTokens tokens, AccountSettings accounts, bool ban)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!origins.Allows(context.Request) || OperatorOf(context, tokens, accounts) is not { } by)
        {
            await ForbiddenAsync(context);
            return;
        }
        var request = await ReadAsync(context.Request);
        if (request is null || !Protocol.IsValidName(request.User) || request.Reason is { Length: > 200 }
            || request.Minutes is { } m && (double.IsNaN(m) || m <= 0 || m > 100 * 365 * 24 * 60))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("Send {\"user\":\"name\"} with an optional \"reason\" (200 characters at most) and, for a ban, \"minutes\" above 0.\n");
            return;
        }
        var registry = context.RequestServices.GetRequiredService<ActorRegistry>();
        // As a kill or ban over the chat does: its pages are signed out and its upload tokens revoked too.
        tokens.RevokeAccount(request.User);
        context.RequestServices.GetService<Files.FileStore>()?.UploadTokens.RevokeAccount(request.User);
        ServerFrame answer;
        try
        {
            if (ban)
            {
                if (!registry.TryGet<BanList>(out var bans))
                {
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    return;
                }
                var until = request.Minutes is { } minutes ? DateTimeOffset.UtcNow + TimeSpan.FromMinutes(minutes) : (DateTimeOffset?)null;
                answer = await AnswerAsync(bans, session => new BanList.Place(Bans.AccountKind, Protocol.Key(request.User), until, request.Reason ?? "", by, session, null));
            }
            else
                answer = await AnswerAsync(registry.Get<UserRegistry>(), session => new UserRegistry.Kill(request.User, request.Reason ?? "", by, session, null));
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        context.Response.StatusCode = answer is ErrorFrame { Code: ErrorCodes.NoSuchUser } ? StatusCodes.Status404NotFound
            : answer is ErrorFrame ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;
        await context.Response.WriteAsJsonAsync(new AdminAnswer(answer is ErrorFrame error ? error.Message : null), AdminJsonContext.Default.AdminAnswer);
    }

    /// <summary>Asks as a session would: the actor answers the "session" (here the ask) with one Deliver of one frame.</summary>
    private static async Task<ServerFrame> AnswerAsync(IActorRef target, Func<IActorRef, object> command)
    {
        var deliver = await target.Ask<Deliver>(command, AskTimeout, CancellationToken.None); // the factory overload: the ask is the asker
        var line = deliver.Line.AsSpan();
        return FrameCodec.DecodeServerFrame(line[..^(line.Length > 0 && line[^1] == (byte)'\n' ? 1 : 0)]).Frame
               ?? new ErrorFrame(ErrorCodes.BadRequest, "The server's answer could not be read.");
    }

    private static async Task<AdminAction?> ReadAsync(HttpRequest request)
    {
        if (request.ContentLength is > MaxBodyBytes) return null;
        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted)) > 0)
            length += read;
        if (length > MaxBodyBytes) return null;
        try
        {
            return JsonSerializer.Deserialize(buffer.AsSpan(0, length), AdminJsonContext.Default.AdminAction);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What <c>GET /api/admin</c> answers; counters are totals since start, which the page turns into rates.</summary>
public sealed record AdminSnapshot(
    string Server,
    long At,
    double UptimeSeconds,
    DashboardTotals Counters,
    IReadOnlyList<AdminRoom> Rooms,
    IReadOnlyList<UserRegistry.OnlineUser> Users,
    IReadOnlyList<RecentWarning> Warnings)
{
    /// <summary>In cluster mode the members of the cluster, as in <c>/api/status</c>; null on a single node.</summary>
    public IReadOnlyList<NodeStatus>? Nodes { get; init; }
}

/// <summary>Counts the dashboard sockets open, at most <see cref="AdminLiveFeed.MaxOpen"/>.</summary>
internal sealed class LiveDashboards
{
    private int _open;

    public bool TryOpen()
    {
        if (Interlocked.Increment(ref _open) <= AdminLiveFeed.MaxOpen) return true;
        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Close() => Interlocked.Decrement(ref _open);
}

/// <param name="Messages">Messages said in the room since the server started.</param>
public sealed record AdminRoom(string Name, int Members, long Messages, IReadOnlyDictionary<string, long> MessagesPerUser);

public sealed record AdminAction(string User, string? Reason = null, double? Minutes = null);

/// <param name="Error">Why the action was refused, or null when it was done.</param>
public sealed record AdminAnswer(string? Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AdminSnapshot))]
[JsonSerializable(typeof(AdminAction))]
[JsonSerializable(typeof(AdminAnswer))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
