using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Hosting;
using ActorChat.Server.Operations;
using ActorChat.Server.Rooms;
using ActorChat.Server.Status;
using ActorChat.Server.Transport;
using ActorChat.Server.Transport.Tcp;
using ActorChat.Server.Transport.Tls;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace ActorChat.Server.Transport.Web;

/// <summary>
/// The HTTP side of the server: the chat page (static files shipped beside the server), the WebSocket at
/// <c>/ws</c>, <c>/healthz</c> and <c>/api/status</c>. Everything a browser reaches goes through here.
/// </summary>
public static class WebFrontEnd
{
    /// <summary>The folder of the page's files, beside the built server whatever the working directory.</summary>
    public static string WebRootPath => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    // The page needs nothing from elsewhere; saying so means injected markup could not load or run anything.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Kestrel listens on the configured HTTP endpoint, and with a certificate on the HTTPS one too; port "auto"
    /// lets the OS pick (read it back after start).
    /// </summary>
    public static void ConfigureServer(IWebHostBuilder webHost, WebTransportSettings settings, X509Certificate2? certificate = null)
    {
        var port = settings.Port == WebTransportSettings.AutoPort ? 0 : settings.Port;
        var tlsPort = settings.TlsPort == WebTransportSettings.AutoPort ? 0 : settings.TlsPort;
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(settings.Bind), port);
            if (settings.TlsEnabled && certificate is not null)
                kestrel.Listen(IPAddress.Parse(settings.Bind), tlsPort, listen => listen.UseHttps(certificate));
        });
    }

    public static void MapEndpoints(WebApplication app)
    {
        var files = new PhysicalFileProvider(WebRootPath);
        var web = app.Services.GetRequiredService<ServerSettings>().Web;
        if (web.TlsOnly && web.TlsEnabled && app.Services.GetService<ServerCertificate>() is not null)
        {
            var https = new Lazy<int>(() => BoundPort(app.Services, "https"));
            app.Use((context, next) => RedirectToHttps(context, next, https.Value));
        }
        app.Use(AddSecurityHeaders);
        MetricsExport.MapEndpoint(app);
        // In cluster mode the pages of the other nodes' web chats may open this node's WebSocket too (web failover).
        var origins = new OriginPolicy(app.Services.GetRequiredService<ServerSettings>().Web.AllowedOrigins,
            app.Services.GetRequiredService<Cluster.ClusterChatAddresses>().IsMemberWebOrigin);
        AdminEndpoints.Map(app, origins, WebRootPath);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // Small files, revalidated each time, so a new server version never meets an old script.
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
        // Pings every 30 s; a peer that does not answer within 30 s more is gone (its name and rooms are freed).
        app.UseWebSockets(new WebSocketOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(30),
            KeepAliveTimeout = TimeSpan.FromSeconds(30),
        });
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebFrontEnd).FullName!);
        var admission = app.Services.GetRequiredService<ConnectionAdmission>();
        app.Map("/ws", context => AcceptWebSocketAsync(context, origins, admission, log));
        ServerHealth.MapEndpoints(app);
        app.MapGet("/api/status", StatusAsync);
        WebSessionEndpoints.Map(app, origins, app.Services.GetRequiredService<WebSessionTokens>());
        if (app.Services.GetService<Files.FileStore>() is { } fileStore)
            FileEndpoints.Map(app, origins, app.Services.GetRequiredService<WebSessionTokens>(), fileStore);
    }

    /// <summary>With --web-tls-only, plain HTTP answers everything with a redirect (307) to the same path on HTTPS.</summary>
    private static Task RedirectToHttps(HttpContext context, RequestDelegate next, int httpsPort)
    {
        if (context.Request.IsHttps) return next(context);
        var request = context.Request;
        var url = UriHelper.BuildAbsolute("https", new HostString(request.Host.Host, httpsPort), request.PathBase, request.Path, request.QueryString);
        context.Response.Redirect(url, permanent: false, preserveMethod: true);
        return Task.CompletedTask;
    }

    /// <summary>The port Kestrel really bound for a scheme (the OS picks it with "auto").</summary>
    private static int BoundPort(IServiceProvider services, string scheme)
    {
        var addresses = services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return addresses.Addresses.Select(a => new Uri(a)).First(u => u.Scheme == scheme).Port;
    }

    private static Task AddSecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        // In cluster mode the page may reconnect to another node's WebSocket (web failover): let it reach them.
        var otherNodes = context.RequestServices.GetService<Cluster.ClusterChatAddresses>()?.WebSocketSources;
        headers.ContentSecurityPolicy = string.IsNullOrEmpty(otherNodes)
            ? ContentSecurityPolicy
            : ContentSecurityPolicy.Replace("connect-src 'self';", $"connect-src 'self' {otherNodes};", StringComparison.Ordinal);
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return next(context);
    }

    /// <summary>
    /// Upgrades to a WebSocket and hands it to the gateway actor; the request lasts as long as the connection,
    /// which the connection actor ends.
    /// </summary>
    private static async Task AcceptWebSocketAsync(HttpContext context, OriginPolicy origins, ConnectionAdmission admission, ILogger log)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint speaks WebSocket: one JSON frame of protocol v1 per text message.\n");
            return;
        }
        if (!origins.Allows(context.Request))
        {
            var shown = Shorten(context.Request.Headers.Origin.ToString());
            log.LogWarning("Refused a WebSocket from {Remote}: its page's origin {Origin} is neither this server's nor allowed",
                context.Connection.RemoteIpAddress, shown);
            await RefuseAsync(context, StatusCodes.Status403Forbidden,
                $"A page from {shown} may not open this chat; the server allows its own origin and --web-allowed-origins.");
            return;
        }
        var readiness = context.RequestServices.GetRequiredService<ServerReadiness>();
        if (!readiness.IsReady)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var gateway = context.RequestServices.GetRequiredService<ActorRegistry>().Get<WebSocketGatewayActor>();
        var remoteAddress = context.Connection.RemoteIpAddress ?? IPAddress.None;
        var ticket = admission.TryAdmit(remoteAddress, out var refusal);
        WebSocket socket;
        try
        {
            socket = await context.WebSockets.AcceptWebSocketAsync();
        }
        catch
        {
            ticket?.Release();
            throw;
        }
        using var owned = socket;
        if (ticket is null)
        {
            log.LogDebug("Refused a WebSocket from {Remote}: {Refusal}", remoteAddress, refusal);
            context.RequestServices.GetRequiredService<ChatMetrics>().ConnectionRefused(ChatMetrics.WebSocket, ErrorCodes.TooManyConnections);
            await RefuseSocketAsync(socket, refusal!);
            return;
        }
        var remote = $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Released when the connection is really over, which may be after this request was aborted.
        _ = finished.Task.ContinueWith(_ => ticket.Release(), TaskScheduler.Default);
        gateway.Tell(new WebSocketGatewayActor.Accept(socket, remote, finished)
        {
            SessionCookie = context.Request.Cookies[WebSessionTokens.CookieName],
        }, ActorRefs.NoSender);
        try
        {
            await finished.Task.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client's TCP connection is gone; the connection actor notices on its next read.
        }
    }

    /// <summary>
    /// A socket over its address's limits gets the too_many_connections frame as a text message, then a close
    /// with PolicyViolation (1008). Refusing the upgrade itself (HTTP 429) would tell a browser page nothing: it
    /// sees only a failed connection.
    /// </summary>
    private static async Task RefuseSocketAsync(WebSocket socket, string refusal)
    {
        var line = FrameCodec.EncodeLine(new ErrorFrame(ErrorCodes.TooManyConnections, refusal));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // refused sockets are not counted: keep them briefly
        try
        {
            await socket.SendAsync(line.AsMemory(0, line.Length - 1), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "too many connections", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away or does not answer the close; either way it is gone when the request ends.
        }
    }

    /// <summary>Answers with a status and one line of plain text.</summary>
    private static Task RefuseAsync(HttpContext context, int status, string line)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(line + "\n");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    private static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "…";

    private static async Task<IResult> StatusAsync(
        ServerReadiness readiness, ActorRegistry registry, ChatStatistics statistics, ServerSettings settings, ActorSystem system, HttpContext context)
    {
        if (!readiness.IsReady) return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        try
        {
            var tcp = registry.TryGet<TcpListenerActor>(out var tcpListener)
                ? tcpListener.Ask<ListenerProtocol.ConnectionCount>(ListenerProtocol.GetConnectionCount.Instance, AskTimeout)
                : Task.FromResult(new ListenerProtocol.ConnectionCount(0));
            var web = registry.Get<WebSocketGatewayActor>()
                .Ask<ListenerProtocol.ConnectionCount>(ListenerProtocol.GetConnectionCount.Instance, AskTimeout);
            var rooms = registry.Get<RoomDirectory>()
                .Ask<RoomProtocol.RoomSummaries>(RoomProtocol.GetRoomSummaries.Instance, AskTimeout);
            var tls = registry.TryGet<TlsListenerActor>(out var tlsListener)
                ? tlsListener.Ask<ListenerProtocol.ConnectionCount>(ListenerProtocol.GetConnectionCount.Instance, AskTimeout)
                : Task.FromResult(new ListenerProtocol.ConnectionCount(0));
            await Task.WhenAll(tcp, web, rooms, tls);

            var report = new StatusReport(
                Server: settings.ServerName,
                UptimeSeconds: Math.Round(statistics.Uptime.TotalSeconds, 1),
                Connections: new ConnectionCounts(tcp.Result.Connections, web.Result.Connections) { Tls = tls.Result.Connections },
                Rooms: rooms.Result.Rooms.Select(r => new RoomStatus(r.Name, r.Members)).ToArray(),
                MessagesSinceStart: statistics.MessagesSinceStart)
            {
                TlsFingerprint = context.RequestServices.GetService<ServerCertificate>()?.DisplayFingerprint,
                Nodes = settings.Cluster.Enabled ? await Cluster.ClusterNodes.ReportAsync(system, context.RequestServices.GetRequiredService<Cluster.ClusterChatAddresses>()) : null,
            };
            return Results.Json(report, StatusJsonContext.Default.StatusReport);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }
}
