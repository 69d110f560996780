using Junction.Core.Delivery;
using Junction.Core.Security;

namespace Junction.Delivery;

/// <summary>
/// What a face decides about its deliveries, so that one handler delivers for every face (design.md §7): whether the
/// target is still there, how it retries, where its failures go, and what an attempt sends.
/// </summary>
public interface IFaceDelivery
{
    /// <summary>The target or its route was deleted since the event was accepted: the job is dropped.</summary>
    bool TargetGone(DeliveryWork work);

    RetryPolicy Policy(DeliveryWork work, DeliveryOptions options);

    /// <summary>Whether a job that gave up moves to a dead-letter queue (attempted like a target).</summary>
    bool HasDeadLetterQueue(DeliveryWork work);

    /// <summary>The state of a job that gave up with no dead-letter queue: failed (kept for redrive), or dropped when its route says so.</summary>
    DeliveryState WhenExhausted(DeliveryWork work);

    ValueTask<DeliveryPlan> ForTargetAsync(DeliveryWork work, CancellationToken cancellationToken);

    ValueTask<DeliveryPlan> ForDeadLetterAsync(DeliveryWork work, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>EventGrid's deliveries: a subscription target's <c>retry_times</c>, transform and <c>dead_letter_queue</c>.</summary>
public sealed class EgFaceDelivery(ISecretProtector protector) : IFaceDelivery
{
    public bool TargetGone(DeliveryWork work) => work?.Target is null;

    public RetryPolicy Policy(DeliveryWork work, DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(options);
        return options.Policy(work.Target!.RetryTimes);
    }

    public bool HasDeadLetterQueue(DeliveryWork work) => EgDeliveryPlan.HasDeadLetterQueue(work?.Target);

    public DeliveryState WhenExhausted(DeliveryWork work) => DeliveryState.Failed;

    public ValueTask<DeliveryPlan> ForTargetAsync(DeliveryWork work, CancellationToken cancellationToken) =>
        ValueTask.FromResult(EgDeliveryPlan.ForTarget(work, protector));

    public ValueTask<DeliveryPlan> ForDeadLetterAsync(DeliveryWork work, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var (code, message) = LastError.Split(work.LastError);
        return ValueTask.FromResult(EgDeliveryPlan.ForDeadLetter(work, work.TargetAttempts, code, message, now));
    }
}

/// <summary>A job's last error, kept as <c>CODE: message</c>, taken apart again for a dead letter's headers.</summary>
internal static class LastError
{
    public static (string Code, string Message) Split(string? error) =>
        error is null ? ("", "") : error.Split(": ", 2) is [var code, var message] ? (code, message) : (error, error);
}
