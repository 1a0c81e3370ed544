using System.Net;
using ActorChat.Messages;
using ActorChat.Server.Configuration;
using ActorChat.Server.Discovery;
using ActorChat.Server.Rooms;
using ActorChat.Server.Sessions;
using ActorChat.Server.Transport;
using ActorChat.Server.Transport.Tcp;
using ActorChat.Server.Users;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorChat.Server.Hosting;

/// <summary>
/// Builds and starts the server: the generic host, the actor system and its actors, the listeners.
/// Program.cs and the integration tests start the server through this one path.
/// </summary>
public static class ChatServerHost
{
    public const string SystemName = "actorchat";

    public static IHost Build(ServerSettings settings, Config config, LogLevel logLevel = LogLevel.Information)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton(settings);

        builder.Services.AddAkka(SystemName, (akka, _) =>
        {
            akka.AddHocon(config, HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = ToAkkaLevel(logLevel);
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                    loggers.ClearLoggers(); // keep the factory set-up, log through our bridge
                    loggers.AddLogger<ActorLogBridge>();
                })
                .WithActors((system, registry, _) =>
                {
                    var users = system.ActorOf(UserRegistry.Props(), "users");
                    var rooms = system.ActorOf(LocalRoomDirectory.Props(settings.Rooms), "rooms");
                    var services = new SessionServices(settings.ServerName, rooms, users, settings.Sessions);
                    var tcp = system.ActorOf(TcpListenerActor.Props(settings.Tcp, services), "tcp");
                    registry.Register<UserRegistry>(users);
                    registry.Register<RoomDirectory>(rooms);
                    registry.Register<TcpListenerActor>(tcp);

                    // Clients get their pending frames and a clean close before the actor system goes down.
                    CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "drain-tcp", async () =>
                    {
                        try
                        {
                            await tcp.Ask<Done>(TcpListenerActor.Drain.Instance, settings.Sessions.CloseGracePeriod + TimeSpan.FromSeconds(3));
                        }
                        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
                        {
                            // Connections that did not close in time are aborted when the system stops.
                        }
                        return Done.Instance;
                    });
                });
        });
        return builder.Build();
    }

    /// <summary>
    /// Starts the host and waits until every listener is bound. On a failed bind the host is stopped again
    /// and the error is returned; the caller decides how to report it.
    /// </summary>
    public static async Task<RunningChatServer> StartAsync(ServerSettings settings, Config config, LogLevel logLevel = LogLevel.Information)
    {
        if (PortCheck.TcpPortProblem(settings.Tcp.Bind, settings.Tcp.Port) is { } problem) throw new ServerStartException(problem);
        var host = Build(settings, config, logLevel);
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var tcp = registry.Get<TcpListenerActor>();
        var bind = await tcp.Ask<TcpListenerActor.BindResult>(TcpListenerActor.WaitForBind.Instance, TimeSpan.FromSeconds(30));
        if (!bind.Bound)
        {
            await host.StopAsync();
            host.Dispose();
            throw new ServerStartException(bind.Error!);
        }
        var tcpEndpoint = (IPEndPoint)bind.LocalAddress!;
        var discoveryEndpoint = await StartDiscoveryAsync(host, settings, tcpEndpoint.Port);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ActorChat");
        logger.LogInformation("ActorChat server '{Name}' ready: TCP {Endpoint}, LAN discovery {Discovery}", settings.ServerName,
            tcpEndpoint, discoveryEndpoint is null ? "off" : $"on UDP {discoveryEndpoint.Port}");
        return new RunningChatServer(host, tcpEndpoint, discoveryEndpoint);
    }

    /// <summary>
    /// Starts LAN discovery once the TCP port is known, so that the answers name the port really bound.
    /// A failed UDP bind is logged by the actor and leaves the server running without discovery (null).
    /// </summary>
    private static async Task<IPEndPoint?> StartDiscoveryAsync(IHost host, ServerSettings settings, int tcpPort)
    {
        if (!settings.Discovery.Enabled) return null;
        var system = host.Services.GetRequiredService<ActorSystem>();
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var announcement = new DiscoveryAnnouncement(settings.ServerName, tcpPort, settings.Discovery.WebPort, Protocol.Version);
        var discovery = system.ActorOf(DiscoveryActor.Props(settings.Discovery, announcement), "discovery");
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
public sealed class RunningChatServer(IHost host, IPEndPoint tcpEndpoint, IPEndPoint? discoveryEndpoint) : IAsyncDisposable
{
    public IHost Host { get; } = host;

    public IPEndPoint TcpEndpoint { get; } = tcpEndpoint;

    /// <summary>Where LAN discovery answers, or null when it is off or its port could not be bound.</summary>
    public IPEndPoint? DiscoveryEndpoint { get; } = discoveryEndpoint;

    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    public Task StopAsync() => Host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
