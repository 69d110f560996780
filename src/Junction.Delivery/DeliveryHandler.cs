using System.Diagnostics;
using Junction.Core.Connections;
using Junction.Core.Delivery;
using Junction.Core.Telemetry;
using Junction.Core.Verification;
using Junction.Core.Work;
using Junction.Delivery.Sinks;
using Junction.Runtime.Work;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junction.Delivery;

/// <summary>
/// Delivers one claimed job, as the second handler of the leased worker (design.md §7): its face (<see cref="IFaceDelivery"/>:
/// EG or EB) plans what to send, it is sent through the webhook or Kafka sink within the attempt timeout, asks the pure <see cref="DeliveryDecision.Decide"/>
/// what comes next (done, retry at T, dead letter), and records the attempt and that decision under the lease's fence.
/// A job whose target has a dead-letter queue moves to it after its last failure and is retried there with the same
/// policy; one without is kept as failed for redrive.
/// </summary>
public sealed partial class DeliveryHandler(
    IDeliveryStore store, CompletionBatcher completions, WebhookSink webhooks, KafkaSink kafka, IConnectionStore connections, ConnectionLimiter limiter, DeliveryHandoff handoff,
    EgFaceDelivery eg, EbFaceDelivery eb, IOptions<DeliveryOptions> options, NodeId node, TimeProvider time, JunctionMetrics metrics,
    ILogger<DeliveryHandler> logger) : ILeasedHandler<DeliveryWork>
{
    public const string TargetGone = "JUNCTION.TARGET_DELETED";
    public const string ConnectionGone = "JUNCTION.CONNECTION_DELETED";

    /// <summary>The route no longer wants the event (an EB transformation's EtlFilter): dropped, not failed.</summary>
    public const string Skipped = "JUNCTION.FILTERED";

    /// <summary>A claim takes at most what a connection's limit leaves of its jobs, and none of a connection already at its limit here.</summary>
    public OwnerLimits Limits
    {
        get
        {
            // One look at what is in flight, so that the busy connections and the others' counts agree.
            var limit = options.Value.MaxInFlightPerConnection;
            var running = limiter.Running();
            return new(limit, [.. running.Where(c => c.Value >= limit).Select(c => c.Key)], running);
        }
    }

    public async Task HandleAsync(Lease<DeliveryWork> lease, CancellationToken deadline, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var settings = options.Value;
        var work = lease.Item;
        var face = Face(work);
        var started = time.GetUtcNow();
        if (face.TargetGone(work))
        {
            if (work.HoldsConnectionPlace)
            {
                limiter.Exit(work.ConnectionKey);
            }

            var gone = new AttemptRecord(work.Id, work.Phase, node.Value, started, 0, AttemptKind.Terminal, TargetGone,
                "the target or its subscription was deleted before the event reached it", null);
            await store.CompleteAsync(lease, new DeliveryCompletion(DeliveryState.Dropped, work.Phase, lease.Attempts, work.TargetAttempts, null, work.FirstFailureAt, gone.Message, gone), CancellationToken.None);
            return;
        }

        if (!work.HoldsConnectionPlace && !limiter.TryEnter(work.ConnectionKey, settings.MaxInFlightPerConnection))
        {
            // Claimed beside handed-over jobs that took the connection's last places first: it waits for one in memory
            // (a read when it is taken), not written back as due and claimed again (two writes).
            metrics.PutBack();
            if (!handoff.Requeue(lease))
            {
                await store.DeferAsync(lease, started + settings.BusyRetryDelay, CancellationToken.None);
            }

            return;
        }

        AttemptOutcome? outcome;
        var watch = Stopwatch.StartNew();
        var phase = work.Phase == DeliveryPhase.Target ? "target" : "dead_letter";
        using var activity = JunctionActivities.Deliver(work.Id, work.Face, work.TargetId, work.ConnectionKey, phase);
        metrics.DeliveryStarted();
        try
        {
            outcome = await AttemptAsync(face, work, settings, deadline, stopping);
        }
        finally
        {
            metrics.DeliveryFinished();
            limiter.Exit(work.ConnectionKey);
        }

        if (outcome is null)
        {
            // Shutting down: record nothing; the lease is given back and another node (or this one, restarted) tries.
            return;
        }

        var finished = time.GetUtcNow();
        var attempt = lease.Attempts + 1;
        var decision = outcome.Code == Skipped
            ? new DeliveryDecision.Done()
            : DeliveryDecision.Decide(outcome, attempt, face.Policy(work, settings), finished, Random.Shared.NextDouble());
        var record = new AttemptRecord(
            work.Id, work.Phase, node.Value, started, (int)watch.ElapsedMilliseconds, outcome.Kind, outcome.Code, outcome.Message, outcome.Status);
        var completion = outcome.Code == Skipped
            ? new DeliveryCompletion(DeliveryState.Dropped, work.Phase, attempt, work.TargetAttempts, null, work.FirstFailureAt, outcome.Message, record)
            : Complete(work, outcome, attempt, decision, finished, record, face.HasDeadLetterQueue(work), face.WhenExhausted(work));
        var decided = decision.GetType().Name.ToLowerInvariant();
        metrics.Attempted(phase, outcome.Kind.ToString().ToLowerInvariant(), decided, watch.Elapsed);
        JunctionActivities.Attempted(activity, outcome.Kind.ToString().ToLowerInvariant(), outcome.Code, outcome.Status, decided);
        if (!await completions.CompleteAsync(lease, completion))
        {
            LogLeaseLost(logger, work.Id, node.Value);
            return;
        }

        if (completion.State is DeliveryState.Failed or DeliveryState.DeadLettered)
        {
            LogGaveUp(logger, work.Id, work.TargetId, completion.State, outcome.Code, outcome.Message);
        }
    }

    /// <summary>
    /// The pure bookkeeping of a decision: the job's next state, phase, attempt count and due time. A dead letter moves a
    /// target-phase job to its dead-letter queue when the target has one (attempts start again), else ends it as
    /// <paramref name="exhausted"/> (failed and kept for redrive, or dropped when its route says so).
    /// </summary>
    public static DeliveryCompletion Complete(
        DeliveryWork work, AttemptOutcome outcome, int attempt, DeliveryDecision decision, DateTimeOffset now, AttemptRecord record,
        bool hasDeadLetterQueue, DeliveryState exhausted = DeliveryState.Failed)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(outcome);
        var error = $"{outcome.Code}: {outcome.Message}";
        var firstFailure = outcome.Kind == AttemptKind.Success ? work.FirstFailureAt : work.FirstFailureAt ?? now;
        // In the dead-letter phase the job keeps the target's error: it is what the dead letter reports.
        var lastError = work.Phase == DeliveryPhase.Target ? (outcome.Kind == AttemptKind.Success ? work.LastError : error) : work.LastError;
        var targetAttempts = work.Phase == DeliveryPhase.Target ? attempt : work.TargetAttempts;
        return decision switch
        {
            DeliveryDecision.Done => new DeliveryCompletion(
                work.Phase == DeliveryPhase.Target ? DeliveryState.Delivered : DeliveryState.DeadLettered, work.Phase, attempt, targetAttempts, null, firstFailure, lastError, record),
            DeliveryDecision.RetryAt retry => new DeliveryCompletion(DeliveryState.Pending, work.Phase, attempt, targetAttempts, retry.At, firstFailure, lastError, record),
            DeliveryDecision.DeadLetter when work.Phase == DeliveryPhase.Target && hasDeadLetterQueue =>
                new DeliveryCompletion(DeliveryState.Pending, DeliveryPhase.DeadLetter, 0, targetAttempts, now, firstFailure, error, record),
            DeliveryDecision.DeadLetter dead => new DeliveryCompletion(work.Phase == DeliveryPhase.Target ? exhausted : DeliveryState.Failed, work.Phase, attempt, targetAttempts, null, firstFailure,
                work.Phase == DeliveryPhase.Target ? dead.Reason : $"{work.LastError}; the dead-letter queue failed too: {dead.Reason}", record),
            _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, "unknown decision"),
        };
    }

    /// <summary>One attempt within the attempt timeout; null when the process is shutting down.</summary>
    private async Task<AttemptOutcome?> AttemptAsync(IFaceDelivery face, DeliveryWork work, DeliveryOptions settings, CancellationToken deadline, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(settings.AttemptTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline, timeout.Token);
        DeliveryPlan? plan = null;
        try
        {
            try
            {
                plan = work.Phase == DeliveryPhase.Target
                    ? await face.ForTargetAsync(work, linked.Token)
                    : await face.ForDeadLetterAsync(work, time.GetUtcNow(), linked.Token);
            }
            catch (InvalidOperationException exception)
            {
                // A transform that met text it cannot render (see EgTargetTransform.Apply): the event can never be delivered as configured.
                return AttemptOutcome.Terminal(EgDeliveryPlan.BadTarget, exception.Message);
            }

            return plan switch
            {
                DeliveryPlan.Refused refused => refused.Outcome,
                DeliveryPlan.Skipped skipped => new AttemptOutcome(AttemptKind.Success, Skipped, skipped.Reason),
                // A target bound to a private connection never falls back to the public network: a deleted connection ends it.
                DeliveryPlan.Webhook when work.Face == DeliveryFaces.Eg && work.Connection is null && work.Target!.ConnectionId is { } id
                    && id != Core.Events.EgDefaults.DefaultConnectionId(work.TenantId) =>
                    AttemptOutcome.Terminal(ConnectionGone, $"connection '{id}' does not exist (any more); nothing was sent"),
                DeliveryPlan.Webhook webhook => await webhooks.SendAsync(work.ConnectionKey, work.Connection, webhook.Url, webhook.Message, linked.Token),
                DeliveryPlan.Kafka toKafka => await SendToKafkaAsync(work, toKafka, linked.Token),
                DeliveryPlan.KafkaInstance toInstance => await kafka.SendAsync(toInstance.Instance, toInstance.Topic, toInstance.Message, linked.Token),
                _ => throw new InvalidOperationException("unknown plan"),
            };
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return AttemptOutcome.Retryable(plan is DeliveryPlan.Kafka or DeliveryPlan.KafkaInstance ? VerificationCodes.KafkaTimeout : VerificationCodes.HttpTimeout,
                $"no answer within the attempt timeout of {settings.AttemptTimeout.TotalSeconds:0.###} s");
        }
    }

    private IFaceDelivery Face(DeliveryWork work) => work.Face == DeliveryFaces.Eb ? eb : eg;

    private async Task<AttemptOutcome> SendToKafkaAsync(DeliveryWork work, DeliveryPlan.Kafka plan, CancellationToken cancellationToken)
    {
        // The target's own connection came with the claim; a dead-letter queue's is looked up when it is needed.
        var connection = work.Connection?.Id == plan.ConnectionId
            ? work.Connection
            : await connections.GetAsync(work.TenantId, Scopes.HuaweiEg, plan.ConnectionId, cancellationToken);
        return connection is null
            ? AttemptOutcome.Terminal(ConnectionGone, $"connection '{plan.ConnectionId}' does not exist (any more)")
            : await kafka.SendAsync(connection, plan.Topic, plan.Message, cancellationToken);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Lease on delivery {DeliveryId} was lost by {Node} before the attempt was recorded; it will be attempted again")]
    private static partial void LogLeaseLost(ILogger logger, long deliveryId, string node);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Delivery {DeliveryId} to target {TargetId} ended {State}: {Code} {Reason}")]
    private static partial void LogGaveUp(ILogger logger, long deliveryId, string targetId, DeliveryState state, string code, string reason);
}
