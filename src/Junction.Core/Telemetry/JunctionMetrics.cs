using System.Diagnostics.Metrics;

namespace Junction.Core.Telemetry;

/// <summary>
/// Junction's instruments (System.Diagnostics.Metrics, meter <c>Junction</c>): requests per face and outcome,
/// verifications by result, probe latency, the verification work waiting, connections by face and state, events and
/// delivery attempts. Exported in Prometheus text at
/// <c>/metrics</c>; any OpenTelemetry exporter can listen to the same meter.
/// </summary>
public sealed class JunctionMetrics : IDisposable
{
    public const string MeterName = "Junction";

    private readonly Meter _meter = new(MeterName, "1.0");

    /// <summary>This instance's meter (a test host and a server in one process each have their own).</summary>
    public Meter Meter => _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _verifications;
    private readonly Histogram<double> _probeDuration;
    private readonly Counter<long> _published;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _handed;
    private readonly Counter<long> _putBack;
    private readonly Histogram<double> _attemptDuration;
    private long _due;
    private long _inFlight;
    private long _deliveriesInFlight;
    private IReadOnlyList<(string Face, string State, long Count)> _connections = [];

    public JunctionMetrics()
    {
        _requests = _meter.CreateCounter<long>("junction.requests", "{request}", "HTTP requests answered, by API face and outcome");
        _verifications = _meter.CreateCounter<long>("junction.verifications", "{verification}", "Finished verifications, by resulting state and code");
        _probeDuration = _meter.CreateHistogram<double>("junction.probe.duration", "s", "How long verifying one connection took");
        _meter.CreateObservableGauge("junction.verification.due", () => Interlocked.Read(ref _due), "{connection}", "Connections due for verification and not leased, at the last count");
        _meter.CreateObservableGauge("junction.verification.in_flight", () => Interlocked.Read(ref _inFlight), "{probe}", "Probes running in this process");
        _published = _meter.CreateCounter<long>("junction.events.published", "{event}", "Events accepted (durably written), by face");
        _attempts = _meter.CreateCounter<long>("junction.delivery.attempts", "{attempt}", "Delivery attempts, by phase (target or dead_letter), outcome and decision");
        _handed = _meter.CreateCounter<long>("junction.delivery.handed", "{job}", "Fresh delivery jobs this process's worker took from its own publishers, written leased to it (no claim)");
        _putBack = _meter.CreateCounter<long>("junction.delivery.put_back", "{job}", "Claimed delivery jobs put back unattempted because their connection was at its limit on this process");
        _attemptDuration = _meter.CreateHistogram<double>("junction.delivery.duration", "s", "How long one delivery attempt took");
        _meter.CreateObservableGauge("junction.delivery.in_flight", () => Interlocked.Read(ref _deliveriesInFlight), "{attempt}", "Delivery attempts running in this process");
        _meter.CreateObservableGauge(
            "junction.connections",
            () => Volatile.Read(ref _connections).Select(c => new Measurement<long>(c.Count, new("face", c.Face), new("state", c.State))),
            "{connection}",
            "Connections of every tenant by face and state, at the last count");

        // The runtime, read at each scrape: what a latency tail or a memory rise is first looked for in.
        _meter.CreateObservableCounter("junction.runtime.gc.pause", () => GC.GetTotalPauseDuration().TotalSeconds, "s",
            "Time this process's threads were paused by the garbage collector since it started");
        _meter.CreateObservableCounter(
            "junction.runtime.gc.collections",
            () => Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => new Measurement<long>(GC.CollectionCount(g), new KeyValuePair<string, object?>("generation", "gen" + g))),
            "{collection}",
            "Garbage collections since the process started, by generation (a gen1 collection counts in gen0 too)");
        _meter.CreateObservableGauge("junction.runtime.heap", () => GC.GetGCMemoryInfo().HeapSizeBytes, "By", "Managed heap size after the last garbage collection");
        _meter.CreateObservableGauge("junction.runtime.working_set", () => Environment.WorkingSet, "By", "Resident memory of this process");
        _meter.CreateObservableGauge("junction.runtime.thread_pool.queue", () => ThreadPool.PendingWorkItemCount, "{item}", "Work items waiting for a thread-pool thread");
        _meter.CreateObservableGauge("junction.runtime.thread_pool.threads", () => (long)ThreadPool.ThreadCount, "{thread}", "Thread-pool threads");
        _meter.CreateObservableCounter("junction.runtime.jit.compilation", () => System.Runtime.JitInfo.GetCompilationTime().TotalSeconds, "s",
            "Time the JIT spent compiling methods since the process started (it rises while hot methods are recompiled optimised, for a while after start-up)");
        _meter.CreateObservableCounter("junction.runtime.jit.methods", () => System.Runtime.JitInfo.GetCompiledMethodCount(), "{method}",
            "Methods the JIT compiled since the process started, each tier counted");
    }

    /// <summary>
    /// Reports the SQLite writer of this process through <paramref name="read"/> (read at each scrape): its busy time,
    /// transactions and writes since it started. On PostgreSQL there is no such single writer and nothing is reported.
    /// </summary>
    public void ObserveWriter(Func<WriterReading> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _meter.CreateObservableCounter("junction.storage.writer.busy", () => read().Busy.TotalSeconds, "s",
            "Time the SQLite writer of this process spent running write transactions since it started; its rise per second is the writer's busy fraction, and near 1 the writer limits every path that writes");
        _meter.CreateObservableCounter("junction.storage.writer.transactions", () => read().Transactions, "{transaction}",
            "Write transactions the SQLite writer committed (writes waiting together commit together)");
        _meter.CreateObservableCounter("junction.storage.writer.writes", () => read().Writes, "{write}",
            "Writes the SQLite writer ran, kept or failed (a publish, a claim, a batch of completions: one each)");
    }

    public void Request(string face, int status) =>
        _requests.Add(1, new("face", face), new("outcome", status switch
        {
            < 400 => "success",
            < 500 => "client_error",
            _ => "server_error",
        }));

    public void Verified(string state, string code, TimeSpan duration)
    {
        _verifications.Add(1, new("state", state), new("code", code));
        _probeDuration.Record(duration.TotalSeconds);
    }

    public void ProbeStarted() => Interlocked.Increment(ref _inFlight);

    public void ProbeFinished() => Interlocked.Decrement(ref _inFlight);

    public void Published(string face, int events) => _published.Add(events, new KeyValuePair<string, object?>("face", face));

    public void HandedOver(int jobs) => _handed.Add(jobs);

    public void PutBack() => _putBack.Add(1);

    public void DeliveryStarted() => Interlocked.Increment(ref _deliveriesInFlight);

    public void DeliveryFinished() => Interlocked.Decrement(ref _deliveriesInFlight);

    public void Attempted(string phase, string outcome, string decision, TimeSpan duration)
    {
        _attempts.Add(1, new("phase", phase), new("outcome", outcome), new("decision", decision));
        _attemptDuration.Record(duration.TotalSeconds);
    }

    public void SetDue(long due) => Interlocked.Exchange(ref _due, due);

    /// <summary>The last count of connections by face and state; every (face, state) pair is reported, zero included.</summary>
    public void SetConnections(IEnumerable<(string Face, string State, long Count)> counts) =>
        Volatile.Write(ref _connections, [.. counts]);

    public void Dispose() => _meter.Dispose();
}

/// <summary>What the one SQLite writer of a process has done since it started.</summary>
public readonly record struct WriterReading(long Transactions, long Writes, TimeSpan Busy);
