namespace Junction.Core.Work;

/// <summary>
/// Durable work that nodes claim with a lease stored beside it (the lease columns of its table), so that two nodes never
/// hold the same item and a crashed node's items become due for any node once their lease expires. Completing an item
/// is the queue's own, fenced by <see cref="Lease{T}.Token"/>; claiming and giving back are shared by every queue.
/// </summary>
public interface ILeasedQueue<T>
{
    /// <summary>Claims up to <paramref name="max"/> due items whose lease is free or expired, sharing them fairly between owners.</summary>
    Task<IReadOnlyList<Lease<T>>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Claims like <see cref="ClaimAsync(string, DateTimeOffset, TimeSpan, int, CancellationToken)"/>, taking at most
    /// <see cref="OwnerLimits.PerOwner"/> items of one owner and none of the owners in <see cref="OwnerLimits.Busy"/>
    /// (those at their limit on this node), so that a claim does not fetch work this node would only put back.
    /// </summary>
    Task<IReadOnlyList<Lease<T>>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int max, OwnerLimits limits, CancellationToken cancellationToken) =>
        ClaimAsync(node, now, lease, max, cancellationToken);

    /// <summary>Gives up a node's leases (on graceful shutdown) so that other nodes can take the work at once: due at <paramref name="now"/>.</summary>
    Task ReleaseAsync(string node, DateTimeOffset now, CancellationToken cancellationToken);
}
