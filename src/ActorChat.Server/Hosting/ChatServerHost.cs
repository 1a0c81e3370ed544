using System.Net;
using ActorChat.Server.Configuration;
using ActorChat.Server.Persistence;
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
                .WithChatPersistence(settings.Persistence)
                .ConfigureLoggers(loggers =>
                {
                    loggers.LogLevel = ToAkkaLevel(logLevel);
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
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
        var (storeClaim, storeProblem) = await StoreCheck.RunAsync(settings.Persistence);
        if (storeProblem is not null) throw new ServerStartException(storeProblem);
        var host = Build(settings, config, logLevel);
        try
        {
            await host.StartAsync();
        }
        catch
        {
            storeClaim?.Dispose();
            throw;
        }
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var tcp = registry.Get<TcpListenerActor>();
        var bind = await tcp.Ask<TcpListenerActor.BindResult>(TcpListenerActor.WaitForBind.Instance, TimeSpan.FromSeconds(30));
        if (!bind.Bound)
        {
            await host.StopAsync();
            host.Dispose();
            storeClaim?.Dispose();
            throw new ServerStartException(bind.Error!);
        }
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ActorChat");
        logger.LogInformation("Rooms are kept in the {Store}", StoreCheck.Describe(settings.Persistence));
        logger.LogInformation("ActorChat server '{Name}' ready: TCP {Endpoint}", settings.ServerName, bind.LocalAddress);
        return new RunningChatServer(host, (IPEndPoint)bind.LocalAddress!, storeClaim);
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
public sealed class RunningChatServer(IHost host, IPEndPoint tcpEndpoint, IDisposable? storeClaim = null) : IAsyncDisposable
{
    public IHost Host { get; } = host;

    public IPEndPoint TcpEndpoint { get; } = tcpEndpoint;

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
