using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace ActorChat.Server.Hosting;

/// <summary>
/// Sends Akka's log events to Microsoft.Extensions.Logging with the actor's class as the category and the
/// message as a template, so the server's log reads like any other .NET service's: one line per event,
/// <c>info: RoomActor alice joined general</c>, instead of Akka's bracketed prefix inside every message.
/// </summary>
public sealed class ActorLogBridge : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly Dictionary<Type, ILogger> _loggers = [];

    public ActorLogBridge()
    {
        var setup = Context.System.Settings.Setup.Get<LoggerFactorySetup>();
        _loggerFactory = setup.HasValue ? setup.Value.LoggerFactory : Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent logEvent:
                Write(logEvent);
                return true;
            default:
                return false;
        }
    }

    private void Write(LogEvent logEvent)
    {
        var type = logEvent.LogClass ?? typeof(ActorSystem);
        var ours = type.Namespace?.StartsWith("ActorChat", StringComparison.Ordinal) == true;
        if (!_loggers.TryGetValue(type, out var logger))
        {
            // Akka's own actors keep their namespace; ours are known by class name alone.
            logger = _loggerFactory.CreateLogger(ours ? type.Name : type.FullName ?? type.Name);
            _loggers[type] = logger;
        }
        var level = ToLevel(logEvent.LogLevel(), ours);
        if (!logger.IsEnabled(level)) return;
        string text;
        try
        {
            text = logEvent.Message?.ToString() ?? string.Empty;
        }
        catch (FormatException)
        {
            text = logEvent.Message?.GetType().Name ?? "(unformattable log message)";
        }
        logger.Log(level, logEvent.Cause, "{Message}", text);
    }

    /// <summary>
    /// Akka's own Info lines are its lifecycle (coordinated shutdown "from CLR termination hook", "ClrExitReason",
    /// binding channels), not the server's: they go to Debug, and the server says in its own words what happens.
    /// Akka's warnings and errors stay as they are.
    /// </summary>
    public static LogLevel ToLevel(AkkaLogLevel level, bool fromActorChat) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => fromActorChat ? LogLevel.Information : LogLevel.Debug,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
