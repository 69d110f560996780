using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Junction.Core.Telemetry;

namespace Junction.Server.Hosting;

/// <summary>
/// Renders the <c>Junction</c> meter in the Prometheus text exposition format (version 0.0.4): counters (observable
/// ones report their running total), histograms with fixed buckets, and observable gauges read at scrape time. Kept hand-written after trying the served exporters
/// (2026-12-06), because neither keeps the metric names docs/operations.md documents and dashboards use:
/// <c>OpenTelemetry.Exporter.Prometheus.AspNetCore</c> is served only as 1.20.1-beta.1, and prometheus-net 8.2.1's
/// <c>MeterAdapter</c> names every metric <c>{meter}_{instrument}</c> (<c>junction_junction_requests</c>) without the
/// unit and <c>_total</c> suffixes. OTLP (Hosting/Telemetry.cs) uses the OpenTelemetry SDK itself.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] s_buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), double> _counters = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), double> _gauges = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), Histogram> _histograms = new();
    private readonly ConcurrentDictionary<string, (string Type, string Help)> _metadata = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<LabelKey, string> _labels = new();

    public PrometheusExporter(JunctionMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                return;
            }

            var type = instrument switch
            {
                Counter<long> or ObservableCounter<long> or ObservableCounter<double> => "counter",
                Histogram<double> => "histogram",
                _ => "gauge",
            };
            var name = Name(instrument);
            _metadata[name] = (type, instrument.Description ?? "");
            // The exposed name rides along as the instrument's state: worked out once, not at every measurement.
            listener.EnableMeasurementEvents(instrument, name);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => Record(instrument, (string)state!, tags, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => Record(instrument, (string)state!, tags, value));
        _listener.Start();
    }

    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var (name, (type, help)) in _metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var exposed = type == "counter" ? name + "_total" : name;
            text.Append("# HELP ").Append(exposed).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(exposed).Append(' ').Append(type).Append('\n');
            switch (type)
            {
                case "counter":
                    foreach (var ((_, labels), value) in _counters.Where(c => c.Key.Name == name).OrderBy(c => c.Key.Labels, StringComparer.Ordinal))
                    {
                        text.Append(exposed).Append(Braces(labels)).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }

                    break;
                case "histogram":
                    foreach (var ((_, labels), histogram) in _histograms.Where(h => h.Key.Name == name).OrderBy(h => h.Key.Labels, StringComparer.Ordinal))
                    {
                        histogram.Render(text, name, labels);
                    }

                    break;
                default:
                    foreach (var ((_, labels), value) in _gauges.Where(g => g.Key.Name == name).OrderBy(g => g.Key.Labels, StringComparer.Ordinal))
                    {
                        text.Append(name).Append(Braces(labels)).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    }

                    break;
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>One measurement of any instrument (a long one's value is exact as a double up to 2^53).</summary>
    private void Record(Instrument instrument, string name, ReadOnlySpan<KeyValuePair<string, object?>> tags, double value)
    {
        var key = (name, CachedLabels(tags));
        switch (instrument)
        {
            case Counter<long>:
                _counters.AddOrUpdate(key, value, (_, sum) => sum + value);
                break;
            case ObservableCounter<long> or ObservableCounter<double>:
                // An observable counter reports its running total.
                _counters[key] = value;
                break;
            case Histogram<double>:
                _histograms.GetOrAdd(key, _ => new Histogram()).Record(value);
                break;
            default:
                _gauges[key] = value;
                break;
        }
    }

    /// <summary><c>junction.probe.duration</c> in seconds → <c>junction_probe_duration_seconds</c>; bytes (<c>By</c>) end in <c>_bytes</c>.</summary>
    private static string Name(Instrument instrument) =>
        instrument.Name.Replace('.', '_') + instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => "",
        };

    /// <summary>
    /// The label text of up to four tags, kept once built: every delivery attempt records two measurements, and
    /// escaping, formatting, sorting and joining their tags each time was ~1% of the server's CPU under load.
    /// </summary>
    private string CachedLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length > 4)
        {
            return Labels(tags);
        }

        var (t0, t1, t2, t3) = (At(tags, 0), At(tags, 1), At(tags, 2), At(tags, 3));
        var key = new LabelKey(tags.Length, t0.Key, t0.Value, t1.Key, t1.Value, t2.Key, t2.Value, t3.Key, t3.Value);
        if (_labels.TryGetValue(key, out var labels))
        {
            return labels;
        }

        if (_labels.Count >= MaxCachedLabels)
        {
            _labels.Clear();
        }

        return _labels[key] = Labels(tags);
    }

    private const int MaxCachedLabels = 10_000;

    private static KeyValuePair<string, object?> At(ReadOnlySpan<KeyValuePair<string, object?>> tags, int i) => i < tags.Length ? tags[i] : default;

    /// <summary>Fields, not <see cref="KeyValuePair{TKey, TValue}"/>s, so that equality is generated, not reflected.</summary>
    private readonly record struct LabelKey(
        int Count, string? K0, object? V0, string? K1, object? V1, string? K2, object? V2, string? K3, object? V3);

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var escaped = (value?.ToString() ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            pairs.Add($"{key}=\"{escaped}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[s_buckets.Length];
        private readonly Lock _lock = new();
        private long _count;
        private double _sum;

        public void Record(double value)
        {
            lock (_lock)
            {
                for (var i = 0; i < s_buckets.Length; i++)
                {
                    if (value <= s_buckets[i])
                    {
                        _counts[i]++;
                    }
                }

                _count++;
                _sum += value;
            }
        }

        public void Render(StringBuilder text, string name, string labels)
        {
            lock (_lock)
            {
                var prefix = labels.Length == 0 ? "" : labels + ",";
                for (var i = 0; i < s_buckets.Length; i++)
                {
                    text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(s_buckets[i].ToString(CultureInfo.InvariantCulture))
                        .Append("\"} ").Append(_counts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(_sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }
}
