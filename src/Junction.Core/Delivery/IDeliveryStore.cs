using Junction.Core.Work;

namespace Junction.Core.Delivery;

/// <summary>
/// The event log and its delivery jobs. <see cref="AppendAsync"/> is the outbox: events and their jobs in one
/// transaction, durable before the caller answers "accepted". Jobs are leased work (<see cref="ILeasedQueue{T}"/>):
/// due at their next attempt, shared fairly between connections, completed under their lease's fence.
/// </summary>
public interface IDeliveryStore : ILeasedQueue<DeliveryWork>
{
    /// <summary>
    /// Writes the events and their deliveries, all or nothing. The first <see cref="FreshLease.Jobs"/> jobs (in order)
    /// are written leased under <paramref name="lease"/>, due at its end (when they are due for anyone if the node
    /// never records them), the rest due at once.
    /// </summary>
    Task<AppendResult> AppendAsync(IReadOnlyList<AcceptedEvent> events, DateTimeOffset now, FreshLease? lease, CancellationToken cancellationToken);

    /// <summary>
    /// Those of <paramref name="jobs"/> still leased under the token given with each, as leases ready to run (what a
    /// claim answers, without its write): how a worker takes over the jobs written under its <see cref="FreshLease"/>s.
    /// </summary>
    Task<IReadOnlyList<Lease<DeliveryWork>>> AdoptAsync(IReadOnlyList<(long Id, string Token)> jobs, CancellationToken cancellationToken);

    /// <summary>Records an attempt and its consequence, if the lease still holds; false when it was lost.</summary>
    Task<bool> CompleteAsync(Lease<DeliveryWork> lease, DeliveryCompletion completion, CancellationToken cancellationToken);

    /// <summary>Records several completions in one transaction; answers, per item, whether its lease still held.</summary>
    Task<IReadOnlyList<bool>> CompleteManyAsync(IReadOnlyList<(Lease<DeliveryWork> Lease, DeliveryCompletion Completion)> items, CancellationToken cancellationToken);

    /// <summary>Gives a job back unattempted, due again at <paramref name="at"/> (its connection was busy on this node).</summary>
    Task<bool> DeferAsync(Lease<DeliveryWork> lease, DateTimeOffset at, CancellationToken cancellationToken);

    Task<(long Total, IReadOnlyList<DeliveryInfo> Items)> ListAsync(DeliveryFilter filter, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>Makes failed and dead-lettered jobs matching <paramref name="filter"/> due again at once, from a first attempt; answers how many.</summary>
    Task<int> RedriveAsync(DeliveryFilter filter, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<AttemptRecord>> AttemptsAsync(long deliveryId, CancellationToken cancellationToken);

    /// <summary>Attempts finished since <paramref name="from"/>, counted per minute and outcome (minutes without any left out), oldest first.</summary>
    Task<IReadOnlyList<DeliveryMinute>> MinutesAsync(DateTimeOffset from, CancellationToken cancellationToken);

    /// <summary>Events of a channel received in a time window, newest first, with their deliveries and attempts.</summary>
    Task<(long Total, IReadOnlyList<EventTrace> Items)> TracesAsync(TraceQuery query, CancellationToken cancellationToken);

    Task<EventTrace?> TraceAsync(string tenantId, long seq, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes up to <paramref name="batch"/> events received before <paramref name="before"/> whose every job is
    /// finished (delivered, dead-lettered or dropped), with their jobs and attempts; answers how many events went.
    /// Events with a pending or failed job are kept (failed ones wait for redrive).
    /// </summary>
    Task<int> PruneAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken);

}
