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
        if (!_loggers.TryGetValue(type, out var logger))
        {
            // Akka's own actors keep their namespace; ours are known by class name alone.
            var category = type.Namespace?.StartsWith("ActorChat", StringComparison.Ordinal) == true ? type.Name : type.FullName ?? type.Name;
            logger = _loggerFactory.CreateLogger(category);
            _loggers[type] = logger;
        }
        var level = logEvent.LogLevel() switch
        {
            AkkaLogLevel.DebugLevel => LogLevel.Debug,
            AkkaLogLevel.InfoLevel => LogLevel.Information,
            AkkaLogLevel.WarningLevel => LogLevel.Warning,
            _ => LogLevel.Error,
        };
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
}
