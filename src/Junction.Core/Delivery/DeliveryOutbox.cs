namespace Junction.Core.Delivery;

/// <summary>
/// The lease a node writes fresh jobs under so that its own delivery worker runs them without claiming them:
/// <see cref="Jobs"/> is how many of the batch's jobs (the first ones, in order) it covers. A node that dies before
/// running them loses nothing: like any lease, it expires at <see cref="Until"/> and the jobs are due for every node.
/// </summary>
public sealed record FreshLease(string Node, string Token, DateTimeOffset Until, int Jobs);

/// <summary>What <see cref="IDeliveryStore.AppendAsync(IReadOnlyList{AcceptedEvent}, DateTimeOffset, FreshLease?, CancellationToken)"/> wrote: each event's sequence number, and the ids of the jobs written under the fresh lease, in order.</summary>
public sealed record AppendResult(IReadOnlyList<long> Sequences, IReadOnlyList<long> Leased);

/// <summary>
/// This node's delivery worker taking fresh jobs straight from the publisher (design.md §7): a job written already
/// leased to this node costs no claim (a write of the one SQLite writer, ~10 µs a job, and a read of its event). It
/// grants a lease only while its worker runs and has room, so it never holds more than the worker can soon start.
/// </summary>
public interface IDeliveryHandoff
{
    /// <summary>A lease for up to <paramref name="jobs"/> fresh jobs, or null: write them due, to be claimed.</summary>
    FreshLease? Reserve(int jobs);

    /// <summary>The jobs written under <paramref name="lease"/> were committed: <paramref name="jobs"/> (id, connection key), in order.</summary>
    void Handed(FreshLease lease, IReadOnlyList<(long Id, string ConnectionKey)> jobs);

    /// <summary>Nothing was committed under <paramref name="lease"/>.</summary>
    void Cancel(FreshLease lease);
}

/// <summary>
/// The outbox both publishers (EG and EB) write through: the events and their jobs in one transaction, durable before
/// the caller answers; jobs this node's worker has room for are written leased to it and handed over after the commit;
/// the worker is woken.
/// </summary>
public sealed class DeliveryOutbox(IDeliveryStore store, IDeliveryHandoff handoff, IDeliverySignal signal, TimeProvider time)
{
    /// <summary>Writes <paramref name="events"/>; answers each event's sequence number.</summary>
    public async Task<IReadOnlyList<long>> AppendAsync(IReadOnlyList<AcceptedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var owed = events.Sum(e => e.Deliveries.Count);
        var lease = owed > 0 ? handoff.Reserve(owed) : null;
        AppendResult result;
        try
        {
            result = await store.AppendAsync(events, time.GetUtcNow(), lease, cancellationToken);
        }
        catch
        {
            // Whether or not the commit happened, nothing is handed over: jobs committed under the lease are found
            // by any node's claim once it expires.
            if (lease is not null)
            {
                handoff.Cancel(lease);
            }

            throw;
        }

        if (lease is not null)
        {
            var keys = events.SelectMany(e => e.Deliveries).Select(d => d.ConnectionKey);
            handoff.Handed(lease, [.. result.Leased.Zip(keys)]);
        }

        if (owed > 0)
        {
            signal.Notify();
        }

        return result.Sequences;
    }
}
