using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorChat.Tests.Support;

/// <summary>
/// Sums what one meter's instruments record, per instrument and tag set, through a <see cref="MeterListener"/>
/// that listens to that meter object only (other servers in the same test process have their own). An observable
/// instrument reports its running total when asked: a reading asks first, and keeps the latest total rather than a sum.
/// </summary>
public sealed class MeterReadings : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _sums = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();
    private readonly ConcurrentDictionary<string, double> _observed = new();
    private volatile bool _stopped;

    public MeterReadings(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var name = instrument.Name;
        if (instrument.IsObservable)
        {
            _observed[Key(name, tags.ToArray().Select(t => (t.Key, t.Value?.ToString() ?? "")))] = value;
            return;
        }
        var key = Key(name, tags.ToArray().Select(t => (t.Key, t.Value?.ToString() ?? "")));
        _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        _counts.AddOrUpdate(key, 1, (_, count) => count + 1);
        if (tags.Length > 0)
        {
            var all = Key(name, []); // the total over all tag sets too
            _sums.AddOrUpdate(all, value, (_, sum) => sum + value);
            _counts.AddOrUpdate(all, 1, (_, count) => count + 1);
        }
    }

    /// <summary>The sum of what was recorded with exactly these tags (none: over all tag sets).</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags)
    {
        if (!_stopped) _listener.RecordObservableInstruments();
        var key = Key(instrument, tags);
        if (_observed.TryGetValue(key, out var total)) return total;
        if (tags.Length == 0 && _observed.Keys.Any(k => k.StartsWith(instrument + "{", StringComparison.Ordinal)))
            return _observed.Where(p => p.Key.StartsWith(instrument + "{", StringComparison.Ordinal)).Sum(p => p.Value);
        return _sums.GetValueOrDefault(key);
    }

    /// <summary>How many measurements were recorded (for histograms: how many values).</summary>
    public long Count(string instrument, params (string Key, string Value)[] tags) => _counts.GetValueOrDefault(Key(instrument, tags));

    public override string ToString() => string.Join("\n", _sums.Concat(_observed).OrderBy(p => p.Key).Select(p => $"{p.Key} = {p.Value}"));

    private static string Key(string name, IEnumerable<(string Key, string Value)> tags) =>
        name + "{" + string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")) + "}";

    /// <summary>Stops listening, with the observable instruments' totals as they are now: later readings give these.</summary>
    public void Dispose()
    {
        if (_stopped) return;
        _listener.RecordObservableInstruments();
        _stopped = true;
        _listener.Dispose();
    }
}

/// <summary>A Prometheus text exposition, parsed: each sample's name, labels and value.</summary>
public sealed partial class PrometheusScrape(string text)
{
    public string Text { get; } = text;

    public IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> Samples { get; } = Parse(text);

    /// <summary>The value of the one sample of that name whose labels include all those given; null when none.</summary>
    public double? Value(string name, params (string Key, string Value)[] labels)
    {
        var matches = Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToArray();
        return matches.Length switch
        {
            0 => null,
            1 => matches[0].Value,
            _ => throw new InvalidOperationException($"{matches.Length} samples of {name} match; name more labels"),
        };
    }

    private static List<(string, IReadOnlyDictionary<string, string>, double)> Parse(string text)
    {
        var samples = new List<(string, IReadOnlyDictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var match = SampleLine().Match(line);
            if (!match.Success) throw new FormatException($"not a sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add((match.Groups["name"].Value, labels, value));
        }
        return samples;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
