using Junction.Core.Connections;
using Junction.Core.EventBuses;
using Junction.Core.Events;

namespace Junction.Core.Delivery;

/// <summary>The faces whose events flow through the one pipeline, as <c>events.face</c> and <c>deliveries.face</c> name them.</summary>
public static class DeliveryFaces
{
    /// <summary>Huawei EventGrid: a channel's events, to subscription targets.</summary>
    public const string Eg = "eg";

    /// <summary>Tencent EventBridge: a bus's events, to rule targets.</summary>
    public const string Eb = "eb";
}

/// <summary>Where a delivery job is in its life.</summary>
public enum DeliveryState
{
    /// <summary>Waiting for its (next) attempt: to the target, or to the dead-letter queue.</summary>
    Pending,

    /// <summary>The target has the event.</summary>
    Delivered,

    /// <summary>The target refused or retries ran out, and the event is on the target's dead-letter topic.</summary>
    DeadLettered,

    /// <summary>The target refused or retries ran out, and there was no dead-letter queue (or it failed too): kept for redrive.</summary>
    Failed,

    /// <summary>The target or its subscription was deleted before the event reached it.</summary>
    Dropped,
}

/// <summary>Which sink the next attempt goes to.</summary>
public enum DeliveryPhase
{
    /// <summary>The target.</summary>
    Target,

    /// <summary>The target's dead-letter queue.</summary>
    DeadLetter,
}

/// <summary>
/// One matching (event, target) pair, as it is written when the event is accepted. <see cref="SubscriptionId"/> is the
/// route the target hangs under: an EG subscription, an EB rule.
/// </summary>
public sealed record NewDelivery(string SubscriptionId, string TargetId, string ConnectionKey);

/// <summary>
/// An accepted event and the deliveries it owes, written together in one transaction (the outbox).
/// <see cref="ChannelId"/> is where it was published: an EG channel, an EB bus (<see cref="Face"/> says which).
/// </summary>
public sealed record AcceptedEvent(
    string TenantId, string ChannelId, string Source, string EventId, string Type, string? Subject, byte[] Body,
    IReadOnlyList<NewDelivery> Deliveries, string Face = DeliveryFaces.Eg);

/// <summary>
/// A claimed delivery job with what its attempt needs, loaded with the claim: the event as published, the target and
/// its route as they are now (null when deleted since) — for EG the target, its subscription's name and the
/// connection the target delivers through; for EB (<see cref="Face"/>) the rule and the target.
/// <see cref="HoldsConnectionPlace"/>: the job already has its place among its connection's attempts in flight on this
/// node (taken when it was handed over, see <c>DeliveryHandoff</c>), which its attempt gives back.
/// </summary>
public sealed record DeliveryWork(
    long Id,
    string TenantId,
    long EventSeq,
    string SubscriptionId,
    string TargetId,
    string ConnectionKey,
    DeliveryPhase Phase,
    DateTimeOffset? FirstFailureAt,
    string? LastError,
    int TargetAttempts,
    byte[] Event,
    EgTarget? Target,
    string? SubscriptionName,
    Connection? Connection,
    string Face = DeliveryFaces.Eg,
    EbRule? EbRule = null,
    EbTarget? EbTarget = null,
    bool HoldsConnectionPlace = false);

/// <summary>
/// How an attempt ended and what comes next, written in one fenced transaction. <see cref="Attempts"/> counts the
/// attempts of the current phase; <see cref="TargetAttempts"/> the attempts the target had (what a dead letter reports).
/// </summary>
public sealed record DeliveryCompletion(
    DeliveryState State,
    DeliveryPhase Phase,
    int Attempts,
    int TargetAttempts,
    DateTimeOffset? NextAt,
    DateTimeOffset? FirstFailureAt,
    string? LastError,
    AttemptRecord Attempt);

/// <summary>One attempt as the trace APIs, the admin API and the console show it.</summary>
public sealed record AttemptRecord(
    long DeliveryId, DeliveryPhase Phase, string Node, DateTimeOffset At, int DurationMs, AttemptKind Kind, string Code, string Message, int? Status);

/// <summary>
/// Delivery attempts finished in one minute, by outcome: <see cref="Succeeded"/> reached the target; <see cref="Retried"/>
/// failed in a way worth retrying (a new attempt follows unless retries ran out); <see cref="Refused"/> failed for good
/// (a terminal answer); <see cref="DeadLettered"/> put the event on a dead-letter queue.
/// </summary>
public sealed record DeliveryMinute(DateTimeOffset Minute, int Succeeded, int Retried, int Refused, int DeadLettered);

/// <summary>A delivery job as the operator sees it.</summary>
public sealed record DeliveryInfo(
    long Id,
    string TenantId,
    long EventSeq,
    string EventId,
    string EventSource,
    string EventType,
    string ChannelId,
    string SubscriptionId,
    string TargetId,
    string ConnectionKey,
    DeliveryState State,
    DeliveryPhase Phase,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAt,
    DateTimeOffset? FirstFailureAt,
    DateTimeOffset? FinishedAt,
    string? LastError);

/// <summary>Which deliveries a listing or a redrive covers; filters are ANDed, null means any.</summary>
public sealed record DeliveryFilter(
    string? TenantId = null,
    DeliveryState? State = null,
    string? SubscriptionId = null,
    string? TargetId = null,
    IReadOnlyList<long>? Ids = null);

/// <summary>An event with its deliveries and their attempts, for traces.</summary>
public sealed record EventTrace(
    long Seq, string TenantId, string ChannelId, string EventId, string Source, string Type, DateTimeOffset ReceivedAt,
    IReadOnlyList<DeliveryInfo> Deliveries, IReadOnlyList<AttemptRecord> Attempts);

/// <summary>Which events a trace listing covers.</summary>
public sealed record TraceQuery(
    string TenantId, string ChannelId, DateTimeOffset From, DateTimeOffset To, int Offset, int Limit,
    string? EventId = null, string? Source = null, string? Type = null, string? SubscriptionId = null);

/// <summary>Wakes this process's delivery worker when new deliveries are due (an event was accepted, a redrive).</summary>
public interface IDeliverySignal
{
    void Notify();
}
