using Junction.Core.Connections;
using Junction.Core.Telemetry;
using Junction.Core.Verification;
using Junction.Core.Work;
using Junction.Runtime.Work;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junction.Verification.Engine;

/// <summary>
/// Keeps every connection's status true (design.md §2), as the first handler of the leased worker: probes one claimed
/// connection, writes the new state and a history entry (fenced by the lease), and schedules the next check — periodic
/// when ready, with jittered exponential backoff when failing.
/// </summary>
public sealed partial class VerificationHandler(
    IVerificationStore store, ConnectionVerifier verifier, IOptions<VerificationOptions> options, NodeId node,
    TimeProvider time, JunctionMetrics metrics, ILogger<VerificationHandler> logger) : ILeasedHandler<Connection>
{
    public async Task HandleAsync(Lease<Connection> lease, CancellationToken deadline, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var settings = options.Value;
        var started = time.GetUtcNow();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var activity = JunctionActivities.Verify(lease.Item.Id, lease.Item.Face, lease.Item.Kind);
        VerificationResult? result;
        metrics.ProbeStarted();
        try
        {
            result = await ProbeAsync(lease, settings, deadline, stopping);
        }
        finally
        {
            metrics.ProbeFinished();
        }

        if (result is null)
        {
            // Shutting down: leave the lease to be released, record nothing.
            return;
        }

        var finished = time.GetUtcNow();
        var outcome = Decide(lease, result, node.Value, started, finished, settings, Random.Shared.NextDouble());
        metrics.Verified(outcome.State.ToString(), result.Code, watch.Elapsed);
        JunctionActivities.Probed(activity, result.Ok, result.Code, outcome.State.ToString());
        if (!await store.CompleteAsync(lease, outcome, CancellationToken.None))
        {
            LogLeaseLost(logger, lease.Item.Id, node.Value);
            return;
        }

        if (outcome.State != lease.Item.State)
        {
            LogTransition(logger, lease.Item.Id, lease.Item.State, outcome.State, result.Code, result.Message);
        }
    }

    /// <summary>Runs the probe until the worker's hard stop; null when the process is shutting down.</summary>
    private async Task<VerificationResult?> ProbeAsync(Lease<Connection> lease, VerificationOptions settings, CancellationToken deadline, CancellationToken stopping)
    {
        try
        {
            return await verifier.VerifyAsync(lease.Item, settings.ProbeTimeout, deadline);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return VerificationResult.Failure(VerificationCodes.Internal,
                $"the probe did not finish within {settings.ProbeTimeout.TotalSeconds * 1.5:0.###} s and was stopped");
        }
#pragma warning disable CA1031 // One broken probe must not stop the worker; the failure is recorded as the connection's reason.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogProbeCrashed(logger, exception, lease.Item.Id);
            return VerificationResult.Failure(VerificationCodes.Internal, $"the probe failed unexpectedly: {exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>
    /// The pure decision: the new state, the error kept with it, and when to look again. Ready: after the recheck
    /// interval (±10%). Failed: after InitialBackoff × 2^(failures−1), capped at MaxBackoff, with jitter taking 0–50% off.
    /// </summary>
    public static VerificationOutcome Decide(
        Lease<Connection> lease, VerificationResult result, string node, DateTimeOffset started, DateTimeOffset finished,
        VerificationOptions options, double jitter)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        var from = lease.Item.State;
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
            delay = Backoff.Jittered(Backoff.Exponential(options.InitialBackoff, options.MaxBackoff, attempts), jitter, 0.5);
        }

        var record = new VerificationRecord(0, lease.Item.Id, node, started, finished, from, to, result.Ok, result.Code, result.Message, result.Detail);
        return new VerificationOutcome(to, error, attempts, finished + delay, record);
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Connection {ConnectionId} went from {From} to {To}: {Code} {Reason}")]
    private static partial void LogTransition(ILogger logger, string connectionId, ConnectionState from, ConnectionState to, string code, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Lease on connection {ConnectionId} was lost by {Node} before the result was written; it was not recorded")]
    private static partial void LogLeaseLost(ILogger logger, string connectionId, string node);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Probe for connection {ConnectionId} threw")]
    private static partial void LogProbeCrashed(ILogger logger, Exception exception, string connectionId);
}
