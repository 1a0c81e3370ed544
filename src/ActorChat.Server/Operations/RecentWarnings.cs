using Microsoft.Extensions.Logging;

namespace ActorChat.Server.Operations;

/// <summary>
/// The last <see cref="Capacity"/> warning lines the server wrote (slow consumers cut, floods paced, failed
/// sign-ins, …), oldest dropped first, for the operator dashboard. It is fed by the log itself, after the warnings'
/// rate limit, so an attack cannot make it grow or churn faster than the log does. Thread-safe.
/// </summary>
public sealed class RecentWarnings
{
    public const int DefaultCapacity = 50;

    private readonly Queue<RecentWarning> _lines = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;

    public RecentWarnings(int capacity = DefaultCapacity, TimeProvider? clock = null)
    {
        Capacity = capacity;
        _clock = clock ?? TimeProvider.System;
    }

    public int Capacity { get; }

    public void Add(string text)
    {
        var line = new RecentWarning(_clock.GetUtcNow().ToUnixTimeMilliseconds(), text.Length <= 500 ? text : text[..500] + "…");
        lock (_lock)
        {
            if (_lines.Count >= Capacity) _lines.Dequeue();
            _lines.Enqueue(line);
        }
    }

    /// <summary>The lines kept, newest first.</summary>
    public IReadOnlyList<RecentWarning> Newest()
    {
        lock (_lock) return _lines.Reverse().ToArray();
    }
}

/// <param name="At">When it was written, in Unix milliseconds.</param>
public sealed record RecentWarning(long At, string Text);

/// <summary>Hands every Warning (and worse) the server logs to <see cref="RecentWarnings"/>.</summary>
public sealed class RecentWarningsLoggerProvider(RecentWarnings warnings) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new WarningLogger(warnings, categoryName);

    public void Dispose()
    {
    }

    private sealed class WarningLogger(RecentWarnings warnings, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // The host's own categories (Kestrel, hosting) are not the chat's warnings.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && !category.StartsWith("Microsoft.", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) warnings.Add(formatter(state, exception));
        }
    }
}
