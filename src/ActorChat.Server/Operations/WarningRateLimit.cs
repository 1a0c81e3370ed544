using System.Diagnostics;

namespace ActorChat.Server.Operations;

/// <summary>
/// Keeps the warnings an attack can cause (floods paced, slow consumers cut) from filling the disk: at most
/// <see cref="LinesPerInterval"/> lines in each <see cref="Interval"/>; past that, lines are only counted, and the
/// first line of a later interval is preceded by one saying how many were left out. One instance per server,
/// shared by all connections; thread-safe.
/// </summary>
public sealed class WarningRateLimit
{
    private readonly Func<long> _clock;
    private readonly Lock _lock = new();
    private long _intervalStartTicks;
    private int _linesThisInterval;
    private long _suppressed;

    /// <param name="clock">Ticks (<see cref="TimeSpan.TicksPerSecond"/> per second); tests pass their own.</param>
    public WarningRateLimit(int linesPerInterval, TimeSpan interval, Func<long>? clock = null)
    {
        LinesPerInterval = linesPerInterval;
        Interval = interval;
        _clock = clock ?? (() => Stopwatch.GetElapsedTime(0).Ticks);
        _intervalStartTicks = _clock();
    }

    public static WarningRateLimit Default() => new(20, TimeSpan.FromSeconds(10));

    public int LinesPerInterval { get; }

    public TimeSpan Interval { get; }

    /// <summary>
    /// Whether a warning may be written now. When it may and lines were left out before, <paramref name="suppressed"/>
    /// says how many, for the caller to say so first; otherwise it is 0.
    /// </summary>
    public bool TryWrite(out long suppressed)
    {
        lock (_lock)
        {
            var now = _clock();
            if (now - _intervalStartTicks >= Interval.Ticks)
            {
                _intervalStartTicks = now;
                _linesThisInterval = 0;
            }
            if (_linesThisInterval >= LinesPerInterval)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }
            _linesThisInterval++;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
