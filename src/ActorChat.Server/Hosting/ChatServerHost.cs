using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Cluster;
using ActorChat.Server.Configuration;
using ActorChat.Server.Discovery;
using ActorChat.Server.Operations;
using ActorChat.Server.Persistence;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using ActorChat.Server.Status;
using ActorChat.Server.Transport;
using ActorChat.Server.Transport.Tcp;
using ActorChat.Server.Transport.Tls;
using ActorChat.Server.Transport.Web;
using ActorChat.Server.Users;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorChat.Server.Hosting;

/// <summary>
/// Builds and starts the server: the host (with Kestrel when the web chat is on), the actor system and its
/// actors, the listeners.
/// Program.cs and the integration tests start the server through this one path.
/// </summary>
public static class ChatServerHost
{
    public const string SystemName = "actorchat";

    /// <summary>
    /// The host of the server: a web application when the web chat is on (Kestrel serves the page, the WebSocket,
    /// health and status), a plain generic host when it is off. Both carry the same actors.
    /// </summary>
    /// <param name="certificate">For the TLS listener and the web chat's HTTPS; null serves neither.</param>
    public static IHost Build(ServerSettings settings, Config config, LogLevel logLevel = LogLevel.Information,
        ServerCertificate? certificate = null)
    {
        if (!settings.Web.Enabled)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                Args = [],
                ContentRootPath = AppContext.BaseDirectory,
            });
            AddChatServer(builder, settings, config, logLevel, certificate);
            return builder.Build();
        }

        var web = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        AddChatServer(web, settings, config, logLevel, certificate);
        WebFrontEnd.ConfigureServer(web.WebHost, settings.Web, certificate?.Certificate);
        var app = web.Build();
        WebFrontEnd.MapEndpoints(app);
        return app;
    }

    private static void AddChatServer(IHostApplicationBuilder builder, ServerSettings settings, Config config, LogLevel logLevel,
        ServerCertificate? certificate)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // A listener that cannot bind fails the host's start; StartAsync reports that in one line, so the host's own
        // error entry (with its stack trace) would only repeat it.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // One error line per failing health check per request is ReadinessLog's to say once per change.
        builder.Logging.AddFilter(Operations.ReadinessLog.LibraryCategory, LogLevel.None);
        // Long enough for coordinated shutdown to let every client go within its close grace.
        builder.Services.Configure<HostOptions>(options =>
            options.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(20, settings.Sessions.CloseGracePeriod.TotalSeconds + 15)));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<ServerReadiness>();
        builder.Services.AddSingleton<ListeningEndpoints>();
        builder.Services.AddSingleton<ClusterChatAddresses>();
        var farewells = new Farewells();
        builder.Services.AddSingleton(farewells);
        // One meter per server (in-process test servers side by side count apart); the container disposes both.
        var metrics = new ChatMetrics();
        builder.Services.AddSingleton(_ => metrics);
        builder.Services.AddSingleton(_ => MetricsExport.Start(settings.Operations, metrics));
        ServerHealth.AddChecks(builder.Services, settings.Cluster.Enabled);
        // The dashboard's view: totals read off the meter and the last warnings the log let through.
        // Listening from the start, since connections open is counted up and down; the container disposes it.
        var dashboard = new DashboardCounters(metrics);
        builder.Services.AddSingleton(_ => dashboard);
        var recentWarnings = new RecentWarnings();
        builder.Services.AddSingleton(recentWarnings);
        builder.Logging.AddProvider(new RecentWarningsLoggerProvider(recentWarnings));
        var warnings = new WarningRateLimit(settings.Operations.WarningsPerInterval, settings.Operations.WarningInterval);
        var statistics = new ChatStatistics { Metrics = metrics };
        builder.Services.AddSingleton(statistics);
        // One admission for both transports: a client's TCP and WebSocket connections count together.
        var admission = new ConnectionAdmission(settings.Limits);
        builder.Services.AddSingleton(admission);
        var roomHealth = new RoomHealth();
        builder.Services.AddSingleton(roomHealth);
        if (certificate is not null) builder.Services.AddSingleton(certificate);
        var webSessions = new WebSessionTokens();
        builder.Services.AddSingleton(webSessions);
        // Uploads go over HTTP, so without the web port there is no file sharing. The container disposes the store
        // (the in-memory server's temporary directory goes with it).
        var files = settings.Web.Enabled ? OpenFileStore(settings) : null;
        if (files is not null) builder.Services.AddSingleton(_ => files);

        builder.Services.AddAkka(SystemName, (akka, _) =>
        {
            // The phase that drains the connections lasts as long as their close grace, whatever it is set to.
            var unbindTimeout = (int)Math.Ceiling((settings.Sessions.CloseGracePeriod + TimeSpan.FromSeconds(10)).TotalSeconds);
            akka.AddHocon(config, HoconAddMode.Prepend)
                .AddHocon($"akka.coordinated-shutdown.phases.service-unbind.timeout = {Math.Max(15, unbindTimeout)}s", HoconAddMode.Prepend)
                .WithChatPersistence(settings.Persistence)
                .WithChatClusterIf(settings.Cluster)
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = ToAkkaLevel(logLevel);
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                    loggers.ClearLoggers(); // keep the factory set-up, log through our bridge
                    loggers.AddLogger<ActorLogBridge>();
                })
                .WithActors((system, registry, resolver) =>
                {
                    IActorRef users, rooms, accounts, bans;
                    if (settings.Cluster.Enabled)
                        (users, rooms, accounts, bans) = ClusterSetup.Start(system, settings, statistics, roomHealth,
                            resolver.GetService<ListeningEndpoints>(), resolver.GetService<ClusterChatAddresses>());
                    else
                    {
                        users = system.ActorOf(UserRegistry.Props(metrics), "users");
                        rooms = system.ActorOf(LocalRoomDirectory.Props(settings.Rooms, statistics, roomHealth), "rooms");
                        (accounts, bans) = StartAccounts(system, settings.Accounts, settings.Limits.ExemptAddresses, users);
                    }
                    var inboxes = system.ActorOf(Inboxes.UserInboxes.Props(accounts), "inboxes");
                    var services = new SessionServices(settings.ServerName, rooms, users, settings.Sessions)
                    {
                        Accounts = settings.Accounts,
                        AccountBook = accounts,
                        BanList = bans,
                        WebSignOut = webSessions,
                        Inboxes = inboxes,
                        // Kept only on one node: in cluster mode a conversation would run on every node that has one of its users.
                        Directs = settings.Cluster.Enabled || accounts.IsNobody()
                            ? ActorRefs.Nobody
                            : system.ActorOf(Direct.DirectConversations.Props(accounts, users, inboxes, maxUnread: settings.Accounts.MaxUnreadDirect), "dms"),
                        // Rooms of a cluster are sharded and their directory does not list readers: search is for one node.
                        Search = settings.Cluster.Enabled ? ActorRefs.Nobody : Search.SearchSetup.Start(system, settings, rooms),
                        Metrics = metrics,
                        Warnings = warnings,
                        Files = files,
                    };
                    if (files is not null) system.ActorOf(Files.FileKeeper.Props(files), "files");
                    // Before the TCP port is bound (and before the server says it is ready): the first join is fast.
                    StoreWarmUp.RunAndWait(system, TimeSpan.FromSeconds(30));
                    FrameCodec.WarmUp(); // the first frames of each type do not wait for the codec's metadata
                    CodeWarmUp.CompileMessagePathOnce(system);
                    var tcp = settings.Tcp.Enabled ? system.ActorOf(TcpListenerActor.Props(settings.Tcp, services, admission), "tcp") : null;
                    var websockets = system.ActorOf(WebSocketGatewayActor.Props(services with { WebSessions = webSessions }), "websockets");
                    registry.Register<UserRegistry>(users);
                    registry.Register<RoomDirectory>(rooms);
                    registry.Register<Accounts.BanList>(bans);
                    if (tcp is not null) registry.Register<TcpListenerActor>(tcp);
                    registry.Register<WebSocketGatewayActor>(websockets);
                    IActorRef? tls = null;
                    if (settings.Tls.Enabled && certificate is not null)
                    {
                        tls = system.ActorOf(TlsListenerActor.Props(settings.Tcp, settings.Tls, certificate, services, admission), "tls");
                        registry.Register<TlsListenerActor>(tls);
                    }

                    // Clients get their pending frames and a clean close before the actor system goes down.
                    var drainTimeout = settings.Sessions.CloseGracePeriod + TimeSpan.FromSeconds(3);
                    var shutdown = CoordinatedShutdown.Get(system);
                    if (tcp is not null)
                        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "drain-tcp",
                            () => DrainAsync(tcp, drainTimeout, farewells));
                    shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "drain-websockets",
                        () => DrainAsync(websockets, drainTimeout, farewells));
                    if (tls is not null)
                        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "drain-tls", () => DrainAsync(tls, drainTimeout, farewells));
                });
        });
    }

    /// <summary>
    /// Akka.IO checks its TCP settings only when the listener first asks for them, and the listener then fails
    /// over and over: a setting it refuses (a frame larger than half a socket buffer, say) is reported before start.
    /// </summary>
    public static string? SocketSettingsProblem(Config config)
    {
        try
        {
            Akka.IO.TcpSettings.Create(config.WithFallback(ConfigurationFactory.Default()).GetConfig("akka.io.tcp"));
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or Akka.Configuration.ConfigurationException)
        {
            return $"the akka.io.tcp settings are not usable: {e.Message}";
        }
    }

    /// <summary>Files under the data directory (with --postgres too, see docs/design.md); in memory, a temporary directory.</summary>
    private static Files.FileStore OpenFileStore(ServerSettings settings) =>
        settings.Persistence.Store == StoreKind.InMemory
            ? Files.FileStore.Temporary(settings.Files)
            : new Files.FileStore(Path.Combine(settings.Persistence.DataDirectory, "files"), settings.Files);

    /// <summary>
    /// The account book (not in open mode) and the ban list, each restarted with a back-off should it stop (a store
    /// that failed a write); requests meanwhile go unanswered and the session reports them after its answer timeout.
    /// </summary>
    private static (IActorRef Accounts, IActorRef Bans) StartAccounts(ActorSystem system, AccountSettings settings, IReadOnlyList<string> exempt, IActorRef users)
    {
        static Props Supervised(Props child, string name) =>
            Akka.Pattern.BackoffSupervisor.Props(child, name, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), 0.2);
        var accounts = settings.Mode == AccountMode.Open
            ? ActorRefs.Nobody
            : system.ActorOf(Supervised(Accounts.AccountBook.Props(settings, exempt: exempt), "book"), "accounts");
        var bans = system.ActorOf(Supervised(Accounts.BanList.Props(users), "list"), "bans");
        return (accounts, bans);
    }

    private static async Task<Done> DrainAsync(IActorRef listener, TimeSpan timeout, Farewells farewells)
    {
        try
        {
            var drained = await listener.Ask<ListenerProtocol.Drained>(ListenerProtocol.Drain.Instance, timeout);
            farewells.Add(drained.Farewells);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // Connections that did not close in time are aborted when the system stops.
        }
        return Done.Instance;
    }

    /// <summary>
    /// Starts the host and waits until every listener is bound. On a failed bind the host is stopped again
    /// and the error is returned; the caller decides how to report it.
    /// </summary>
    public static async Task<RunningChatServer> StartAsync(ServerSettings settings, Config config, LogLevel logLevel = LogLevel.Information)
    {
        if (settings.Web.Enabled && PortCheck.SharedPortProblem(settings.Tcp.Bind, settings.Tcp.Port, settings.Web.Bind, settings.Web.Port) is { } shared)
            throw new ServerStartException(shared);
        if (PortCheck.TcpPortProblem(settings.Tcp.Bind, settings.Tcp.Port) is { } problem) throw new ServerStartException(problem);
        if (!settings.Tcp.Enabled && !settings.Tls.Enabled && !settings.Web.Enabled)
            throw new ServerStartException("plain TCP, TLS and the web chat are all off: clients could not reach the server");
        if (PortCheck.TcpPortProblem(settings.Web.Bind, settings.Web.Port, "HTTP") is { } webProblem) throw new ServerStartException(webProblem);
        if (settings.Tls.Enabled && PortCheck.TcpPortProblem(settings.Tcp.Bind, settings.Tls.Port, "TLS") is { } tlsProblem)
            throw new ServerStartException(tlsProblem);
        if (settings.Web.Enabled && settings.Web.TlsEnabled && PortCheck.TcpPortProblem(settings.Web.Bind, settings.Web.TlsPort, "HTTPS") is { } httpsProblem)
            throw new ServerStartException(httpsProblem);
        if (ClusterSetup.StartProblem(settings) is { } clusterProblem) throw new ServerStartException(clusterProblem);
        if (SocketSettingsProblem(config) is { } socketProblem) throw new ServerStartException(socketProblem);
        var bootstrap = settings.Cluster.Enabled ? settings.Cluster.Bootstrap : BootstrapSettings.Off;
        // A host name (not an address) is bound by the management server itself; its failure is reported below.
        if (bootstrap.Enabled && IPAddress.TryParse(settings.Cluster.Host, out _)
            && PortCheck.TcpPortProblem(settings.Cluster.Host, bootstrap.ManagementPort, "management HTTP") is { } managementProblem)
            throw new ServerStartException(managementProblem);
        var (storeClaim, storeProblem, newStore) = await StoreCheck.RunAsync(settings.Persistence);
        if (storeProblem is not null) throw new ServerStartException(storeProblem);
        settings = settings with { Persistence = settings.Persistence with { CreateTables = newStore } };
        ServerCertificate? certificate = null;
        try
        {
            if (settings.NeedsCertificate) certificate = ServerCertificate.Load(settings.Tls, settings.Persistence);
        }
        catch (CertificateException e)
        {
            storeClaim?.Dispose();
            throw new ServerStartException(e.Message);
        }
        var host = Build(settings, config, logLevel, certificate);
        try
        {
            await host.StartAsync();
        }
        catch (IOException e)
        {
            // Kestrel could not bind (Akka.IO reports its own bind below).
            await StopAndDisposeAsync(host);
            storeClaim?.Dispose();
            var reason = (e.InnerException ?? e).Message;
            var ports = settings.Web.TlsEnabled ? $"{settings.Web.Port} or HTTPS {settings.Web.TlsPort}" : $"{settings.Web.Port}";
            throw new ServerStartException($"cannot listen on HTTP {settings.Web.Bind}:{ports}: {reason}");
        }
        catch
        {
            storeClaim?.Dispose();
            throw;
        }

        var registry = host.Services.GetRequiredService<ActorRegistry>();
        host.Services.GetRequiredService<MetricsExport>(); // pushing over OTLP starts with the server, not at a first scrape
        IPEndPoint? tcpEndpoint = null;
        if (registry.TryGet<TcpListenerActor>(out var tcp))
        {
            var bind = await tcp.Ask<TcpListenerActor.BindResult>(TcpListenerActor.WaitForBind.Instance, TimeSpan.FromSeconds(30));
            if (!bind.Bound)
            {
                await StopAndDisposeAsync(host);
                storeClaim?.Dispose();
                throw new ServerStartException(bind.Error!);
            }
            tcpEndpoint = (IPEndPoint)bind.LocalAddress!;
        }

        IPEndPoint? tlsEndpoint = null;
        if (registry.TryGet<TlsListenerActor>(out var tlsListener))
        {
            var tlsBind = await tlsListener.Ask<TlsListenerActor.BindResult>(TlsListenerActor.WaitForBind.Instance, TimeSpan.FromSeconds(30));
            if (!tlsBind.Bound)
            {
                await StopAndDisposeAsync(host);
                storeClaim?.Dispose();
                throw new ServerStartException(tlsBind.Error!);
            }
            tlsEndpoint = tlsBind.LocalAddress;
        }

        Uri? managementEndpoint = null;
        if (bootstrap.Enabled)
        {
            try
            {
                managementEndpoint = (await ClusterSetup.StartBootstrapAsync(host.Services.GetRequiredService<ActorSystem>(), settings.Cluster)).Address;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                await StopAndDisposeAsync(host);
                storeClaim?.Dispose();
                throw new ServerStartException($"cannot listen on management HTTP {settings.Cluster.Host}:{bootstrap.ManagementPort}: {(e.InnerException ?? e).Message}");
            }
        }

        var webEndpoint = settings.Web.Enabled ? WebEndpointOf(host) : null;
        var webTlsEndpoint = settings.Web.Enabled && certificate is not null && settings.Web.TlsEnabled ? WebEndpointOf(host, "https") : null;
        host.Services.GetRequiredService<ListeningEndpoints>().Set(tcpEndpoint, webEndpoint);
        if (webEndpoint is not null && host.Services.GetService<Files.FileStore>() is { } fileStore)
            fileStore.UploadUrl = WebChatAddresses.UrlsToOpen(webEndpoint, [])[0] + "api/files";

        var readiness = host.Services.GetRequiredService<ServerReadiness>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() =>
        {
            // Before Kestrel waits for open requests: the WebSocket ones end once their clients got a clean close.
            readiness.MarkStopping();
            // No sender, said outright: on this thread the implicit one could be whatever actor last ran here.
            registry.Get<WebSocketGatewayActor>().Tell(ListenerProtocol.Drain.Instance, ActorRefs.NoSender);
        });
        // An answer names the plain TCP port, which clients connect to; without plain TCP there is nothing to answer.
        var discoveryEndpoint = tcpEndpoint is null ? null : await StartDiscoveryAsync(host, settings, tcpEndpoint.Port, webEndpoint?.Port,
            tlsEndpoint?.Port, tlsEndpoint is null ? null : certificate?.Fingerprint);
        readiness.MarkReady();

        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ActorChat");
        var farewells = host.Services.GetRequiredService<Farewells>();
        lifetime.ApplicationStopped.Register(() => logger.LogInformation("{Stopped}", farewells.StoppedLine()));
        if (managementEndpoint is not null)
            logger.LogInformation("Cluster bootstrap: the management endpoint listens at {Endpoint} (an operator port, not for the internet); looking for the nodes at {ContactPoints}, {Required} of them to form a new cluster",
                managementEndpoint, string.Join(", ", bootstrap.ContactPoints), bootstrap.Required);
        LogWhereToFindIt(logger, settings, tcpEndpoint, webEndpoint, discoveryEndpoint, tlsEndpoint, webTlsEndpoint, certificate);
        return new RunningChatServer(host, tcpEndpoint, webEndpoint, discoveryEndpoint, storeClaim)
        {
            TlsEndpoint = tlsEndpoint,
            WebTlsEndpoint = webTlsEndpoint,
            Certificate = certificate,
        };
    }

    /// <summary>What a person starting the server needs to know, in plain words: where the data lives, what to open, which ports.</summary>
    private static void LogWhereToFindIt(ILogger logger, ServerSettings settings, IPEndPoint? tcp, IPEndPoint? web, IPEndPoint? discovery,
        IPEndPoint? tls, IPEndPoint? webTls, ServerCertificate? certificate)
    {
        if (settings.Persistence.Store == StoreKind.InMemory)
            logger.LogWarning("Rooms and messages are kept in memory only (--in-memory): nothing is kept after the server stops");
        else
            logger.LogInformation("Rooms are kept in the {Store}", StoreCheck.Describe(settings.Persistence));

        var urls = web is null ? [] : WebChatAddresses.UrlsToOpen(web, WebChatAddresses.LanAddresses());
        if (urls.Count == 0)
            logger.LogInformation("The web chat is off");
        else if (urls.Count == 1)
            logger.LogInformation("Open the web chat at {Url}", urls[0]);
        else
            logger.LogInformation("Open the web chat at {Url} (from other machines: {LanUrls})", urls[0], string.Join(", ", urls.Skip(1)));
        if (tcp is null)
            logger.LogInformation("Plain TCP is off (--port off), and with it LAN discovery");
        else
            logger.LogInformation("Terminal clients connect to TCP port {Port}{Where}; {Discovery}", tcp.Port,
                tcp.Address.Equals(IPAddress.Any) ? "" : $" on {tcp.Address}",
                discovery is null ? "LAN discovery is off" : $"LAN discovery answers on UDP port {discovery.Port}");
        if (webTls is not null)
            logger.LogInformation("The web chat also serves HTTPS at {Url}{Only}", "https" + WebChatAddresses.UrlsToOpen(webTls, [])[0]["http".Length..],
                settings.Web.TlsOnly ? " (plain HTTP only redirects there: --web-tls-only)" : "");
        if (certificate is not null)
            logger.LogInformation("The TLS certificate is {Source}; its SHA-256 fingerprint is {Fingerprint}{Where}", certificate.Source,
                certificate.DisplayFingerprint, tls is null ? "" : $". Terminal clients connect with TLS to port {tls.Port}");
        // The last words stay as they were for what reads this line; TLS comes after them.
        logger.LogInformation("ActorChat server '{Name}' ready: TCP {Endpoint}, web chat {Web}, LAN discovery {Discovery}, TLS {Tls}",
            settings.ServerName, tcp?.ToString() ?? "off", urls.Count == 0 ? "off" : urls[0],
            discovery is null ? "off" : $"on UDP {discovery.Port}", tls is null ? "off" : tls.ToString());
    }

    /// <summary>
    /// Starts LAN discovery once the TCP port is known, so that the answers name the port really bound.
    /// A failed UDP bind is logged by the actor and leaves the server running without discovery (null).
    /// </summary>
    private static async Task<IPEndPoint?> StartDiscoveryAsync(IHost host, ServerSettings settings, int tcpPort, int? webPort,
        int? tlsPort, string? fingerprint)
    {
        if (!settings.Discovery.Enabled) return null;
        var system = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var clusterNodes = host.Services.GetRequiredService<ClusterChatAddresses>();
        var announcement = new DiscoveryAnnouncement(settings.ServerName, tcpPort, settings.Discovery.WebPort ?? webPort, Protocol.Version)
        {
            TlsPort = tlsPort,
            Fingerprint = fingerprint,
        };
        var discovery = system.ActorOf(DiscoveryActor.Props(settings.Discovery, announcement, metrics: host.Services.GetRequiredService<ChatMetrics>(),
            nodes: settings.Cluster.Enabled ? () => clusterNodes.Nodes : null), "discovery");
        registry.Register<DiscoveryActor>(discovery);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "unbind-discovery", async () =>
        {
            try
            {
                await discovery.Ask<Done>(DiscoveryActor.Unbind.Instance, TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                // The actor's PostStop still asks the listener to release the port.
            }
            return Done.Instance;
        });
        var result = await discovery.Ask<DiscoveryActor.BindResult>(DiscoveryActor.WaitForBind.Instance, TimeSpan.FromSeconds(30));
        return result.LocalAddress;
    }

    /// <summary>The address Kestrel really bound for <paramref name="scheme"/>, which tells the port when the OS picked it.</summary>
    private static IPEndPoint WebEndpointOf(IHost host, string scheme = "http")
    {
        var addresses = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        var uri = addresses.Addresses.Select(a => new Uri(a)).First(u => u.Scheme == scheme);
        return new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }

    private static async Task StopAndDisposeAsync(IHost host)
    {
        try
        {
            await host.StopAsync();
        }
        finally
        {
            host.Dispose();
        }
    }

    private static Akka.Event.LogLevel ToAkkaLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => Akka.Event.LogLevel.DebugLevel,
        LogLevel.Information => Akka.Event.LogLevel.InfoLevel,
        LogLevel.Warning => Akka.Event.LogLevel.WarningLevel,
        _ => Akka.Event.LogLevel.ErrorLevel,
    };
}

/// <summary>A listener could not start; the message names what and why, in one line.</summary>
public sealed class ServerStartException(string message) : Exception(message);

/// <summary>A started server: its host and where it listens.</summary>
public sealed class RunningChatServer(
    IHost host, IPEndPoint? tcpEndpoint, IPEndPoint? webEndpoint, IPEndPoint? discoveryEndpoint, IDisposable? storeClaim = null) : IAsyncDisposable
{
    public IHost Host { get; } = host;

    /// <summary>Where plain TCP clients connect; throws when plain TCP is off (see <see cref="PlainTcpEnabled"/>).</summary>
    public IPEndPoint TcpEndpoint => tcpEndpoint ?? throw new InvalidOperationException("Plain TCP is off (--port off).");

    public bool PlainTcpEnabled => tcpEndpoint is not null;

    /// <summary>Where LAN discovery answers, or null when it is off or its port could not be bound.</summary>
    public IPEndPoint? DiscoveryEndpoint { get; } = discoveryEndpoint;

    /// <summary>Where the web chat listens (HTTP and WebSocket), or null when it is off.</summary>
    public IPEndPoint? WebEndpoint { get; } = webEndpoint;

    /// <summary>The web chat's address, e.g. http://127.0.0.1:8080/, or null when it is off.</summary>
    public Uri? WebUri => WebEndpoint is null ? null : new Uri($"http://{WebEndpoint}/");

    /// <summary>Where terminal clients connect with TLS, or null when it is off.</summary>
    public IPEndPoint? TlsEndpoint { get; init; }

    /// <summary>Where the web chat serves HTTPS and WSS, or null when it is off.</summary>
    public IPEndPoint? WebTlsEndpoint { get; init; }

    /// <summary>The certificate of TLS and HTTPS, or null when neither is on.</summary>
    public ServerCertificate? Certificate { get; init; }

    /// <summary>The web chat's HTTPS address, e.g. https://127.0.0.1:8443/, or null when it is off.</summary>
    public Uri? WebTlsUri => WebTlsEndpoint is null ? null : new Uri($"https://{WebTlsEndpoint}/");

    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    public Task StopAsync() => Host.StopAsync();

    /// <summary>Releases the claim on the data directory once the host has stopped.</summary>
    public void ReleaseStore() => storeClaim?.Dispose();

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
        ReleaseStore();
    }
}
