using Junction.Core.Connections;
using Junction.Core.Security;
using Junction.Core.Telemetry;
using Junction.Core.Verification;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junction.Verification.Engine;

/// <summary>
/// The background service that keeps every connection's status true (design.md §2): it claims due connections with a
/// lease stored in the database, probes them with bounded concurrency and a timeout each, writes the new state and a
/// history entry (fenced by the lease), and schedules the next check — periodic when ready, with jittered exponential
/// backoff when failing. A crash loses nothing: an expired lease makes the work due for any node again.
/// </summary>
public sealed partial class VerificationEngine : BackgroundService
{
    private readonly IVerificationStore _store;
    private readonly ConnectionVerifier _verifier;
    private readonly VerificationSignal _signal;
    private readonly IOptions<VerificationOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<VerificationEngine> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly JunctionMetrics _metrics;

    public VerificationEngine(
        IVerificationStore store, ConnectionVerifier verifier, VerificationSignal signal, IOptions<VerificationOptions> options,
        TimeProvider time, JunctionMetrics metrics, ILogger<VerificationEngine> logger)
    {
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _verifier = verifier;
        _signal = signal;
        _options = options;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(options.Value.Concurrency, options.Value.Concurrency);
    }

    /// <summary>This process's identity in leases and history: host, process id and a random suffix.</summary>
    public string Node { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{RandomIds.Suffix(6)}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Value.Enabled)
        {
            return;
        }

        LogStarted(_logger, Node, _options.Value.Concurrency);
        var running = new HashSet<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                running.RemoveWhere(t => t.IsCompleted);
                var free = _slots.CurrentCount;
                var claimed = 0;
                if (free > 0)
                {
                    var leases = await ClaimAsync(free, stoppingToken);
                    claimed = leases.Count;
                    foreach (var lease in leases)
                    {
                        await _slots.WaitAsync(stoppingToken);
                        running.Add(RunSlotAsync(lease, stoppingToken));
                    }
                }

                // A full batch means there is probably more due work: go round again at once.
                if (claimed == 0 || claimed < free)
                {
                    await _signal.WaitAsync(_options.Value.PollInterval, _time, stoppingToken);
                }
                else if (_slots.CurrentCount == 0)
                {
                    await _slots.WaitAsync(stoppingToken);
                    _slots.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        await Task.WhenAll(running);
        await _store.ReleaseAsync(Node, CancellationToken.None);
        LogStopped(_logger, Node);
    }

    /// <summary>Claims and verifies everything due now, waiting for all of it; for tests and for one-shot runs.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        for (; ; )
        {
            var leases = await _store.ClaimDueAsync(Node, _time.GetUtcNow(), _options.Value.LeaseDuration, _options.Value.Concurrency, cancellationToken);
            if (leases.Count == 0)
            {
                return total;
            }

            await Task.WhenAll(leases.Select(l => VerifyAsync(l, cancellationToken)));
            total += leases.Count;
        }
    }

    /// <summary>Probes one leased connection and records the outcome. Never throws for a probe's failure.</summary>
    public async Task VerifyAsync(VerificationLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var options = _options.Value;
        var started = _time.GetUtcNow();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        VerificationResult? result;
        _metrics.ProbeStarted();
        try
        {
            result = await ProbeAsync(lease, options, cancellationToken);
        }
        finally
        {
            _metrics.ProbeFinished();
        }

        if (result is null)
        {
            // Shutting down: leave the lease to be released, record nothing.
            return;
        }

        var finished = _time.GetUtcNow();
        var outcome = Decide(lease, result, Node, started, finished, options, Random.Shared.NextDouble());
        _metrics.Verified(outcome.State.ToString(), result.Code, watch.Elapsed);
        if (!await _store.CompleteAsync(lease, outcome, CancellationToken.None))
        {
            LogLeaseLost(_logger, lease.Connection.Id, Node);
            return;
        }

        if (outcome.State != lease.Connection.State)
        {
            LogTransition(_logger, lease.Connection.Id, lease.Connection.State, outcome.State, result.Code, result.Message);
        }
    }

    /// <summary>Runs the probe with a hard stop inside the lease; null when the process is shutting down.</summary>
    private async Task<VerificationResult?> ProbeAsync(VerificationLease lease, VerificationOptions options, CancellationToken cancellationToken)
    {
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A hard stop a little after the probe's own timeout, well inside the lease.
        probe.CancelAfter(options.ProbeTimeout + options.ProbeTimeout / 2);
        try
        {
            return await _verifier.VerifyAsync(lease.Connection, options.ProbeTimeout, probe.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return VerificationResult.Failure(VerificationCodes.Internal,
                $"the probe did not finish within {options.ProbeTimeout.TotalSeconds * 1.5:0.###} s and was stopped");
        }
#pragma warning disable CA1031 // One broken probe must not stop the engine; the failure is recorded as the connection's reason.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogProbeCrashed(_logger, exception, lease.Connection.Id);
            return VerificationResult.Failure(VerificationCodes.Internal, $"the probe failed unexpectedly: {exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>
    /// The pure decision: the new state, the error kept with it, and when to look again. Ready: after the recheck
    /// interval (±10%). Failed: after InitialBackoff × 2^(failures−1), capped at MaxBackoff, with jitter taking 0–50% off.
    /// </summary>
    public static VerificationOutcome Decide(
        VerificationLease lease, VerificationResult result, string node, DateTimeOffset started, DateTimeOffset finished,
        VerificationOptions options, double jitter)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        var from = lease.Connection.State;
        ConnectionState to;
        ConnectionError? error;
        int attempts;
        TimeSpan delay;
        if (result.Ok)
        {
            to = result.Checked ? ConnectionState.Ready : ConnectionState.Unverified;
            error = null;
            attempts = 0;
            delay = options.RecheckInterval * (0.9 + (0.2 * jitter));
        }
        else
        {
            to = ConnectionState.Failed;
            error = new ConnectionError(result.Code, result.Message, result.Detail);
            attempts = lease.Attempts + 1;
            var exponential = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
            var capped = Math.Min(exponential, options.MaxBackoff.TotalMilliseconds);
            delay = TimeSpan.FromMilliseconds(capped * (1 - (0.5 * jitter)));
        }

        var record = new VerificationRecord(0, lease.Connection.Id, node, started, finished, from, to, result.Ok, result.Code, result.Message, result.Detail);
        return new VerificationOutcome(to, error, attempts, finished + delay, record);
    }

    private async Task<IReadOnlyList<VerificationLease>> ClaimAsync(int max, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.ClaimDueAsync(Node, _time.GetUtcNow(), _options.Value.LeaseDuration, max, cancellationToken);
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // The database is unavailable for now; the work stays due and is claimed on a later round.
            LogClaimFailed(_logger, exception);
            return [];
        }
    }

    private async Task RunSlotAsync(VerificationLease lease, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await VerifyAsync(lease, stoppingToken);
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // Recording failed; the lease expires and the connection is verified again.
            LogRecordFailed(_logger, exception, lease.Connection.Id);
        }
        finally
        {
            _slots.Release();
            _signal.Notify();
        }
    }

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Verification engine {Node} started with {Concurrency} probe slots")]
    private static partial void LogStarted(ILogger logger, string node, int concurrency);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Verification engine {Node} stopped and released its leases")]
    private static partial void LogStopped(ILogger logger, string node);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Connection {ConnectionId} went from {From} to {To}: {Code} {Reason}")]
    private static partial void LogTransition(ILogger logger, string connectionId, ConnectionState from, ConnectionState to, string code, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Lease on connection {ConnectionId} was lost by {Node} before the result was written; it was not recorded")]
    private static partial void LogLeaseLost(ILogger logger, string connectionId, string node);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Probe for connection {ConnectionId} threw")]
    private static partial void LogProbeCrashed(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Claiming due verifications failed; will retry")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Recording the verification of {ConnectionId} failed; its lease will expire and it will be verified again")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string connectionId);
}
