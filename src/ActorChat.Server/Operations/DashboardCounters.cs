using System.Diagnostics.Metrics;

namespace ActorChat.Server.Operations;

/// <summary>
/// Running totals of a few of the server's instruments for the operator dashboard: connections open by transport and
/// the fan-out duration's sum and count, by listening to its own <see cref="ChatMetrics"/> meter; messages stored and
/// deliveries, which are observable counters, straight from their totals. The page polls them and turns differences into rates and a mean latency. Thread-safe.
/// </summary>
public sealed class DashboardCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ChatMetrics _metrics;
    private long _tcp, _tls, _websocket, _fanOutCount, _fanOutMicroseconds;

    public DashboardCounters(ChatMetrics metrics)
    {
        _metrics = metrics;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == metrics.Meter && instrument.Name is "connections.open" or "fanout.duration")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    public DashboardTotals Read() => new(
        new TransportCounts(Interlocked.Read(ref _tcp), Interlocked.Read(ref _tls), Interlocked.Read(ref _websocket)),
        _metrics.MessagesStored,
        _metrics.Deliveries,
        Interlocked.Read(ref _fanOutCount),
        Interlocked.Read(ref _fanOutMicroseconds) / 1e6);

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case "connections.open":
                foreach (var tag in tags)
                {
                    if (tag.Key != "transport") continue;
                    switch (tag.Value as string)
                    {
                        case ChatMetrics.Tls: Interlocked.Add(ref _tls, value); break;
                        case ChatMetrics.WebSocket: Interlocked.Add(ref _websocket, value); break;
                        default: Interlocked.Add(ref _tcp, value); break;
                    }
                }
                break;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        Interlocked.Increment(ref _fanOutCount);
        Interlocked.Add(ref _fanOutMicroseconds, (long)(value * 1e6));
    }

    public void Dispose() => _listener.Dispose();
}

public sealed record TransportCounts(long Tcp, long Tls, long Websocket)
{
    public long Total => Tcp + Tls + Websocket;
}

/// <param name="FanOutSeconds">The sum of every fan-out duration recorded, in seconds.</param>
public sealed record DashboardTotals(TransportCounts Connections, long MessagesStored, long Deliveries, long FanOutCount, double FanOutSeconds);
