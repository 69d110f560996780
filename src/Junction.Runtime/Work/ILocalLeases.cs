using Junction.Core.Work;

namespace Junction.Runtime.Work;

/// <summary>
/// Work this node already holds the leases of without having claimed it (fresh delivery jobs written leased to it), for
/// its <see cref="LeasedWorker{T}"/> to run before it claims: the worker opens it when it starts and closes it before it
/// gives its leases back.
/// </summary>
public interface ILocalLeases<T>
{
    /// <summary>The worker runs: work may be handed to it from now on.</summary>
    void Open();

    /// <summary>
    /// The worker stops: no more work is handed to it, what waits is forgotten (its leases are released with the
    /// others), and work being handed over right now is waited for up to <paramref name="wait"/>, so that the release
    /// that follows covers it.
    /// </summary>
    Task CloseAsync(TimeSpan wait);

    /// <summary>Up to <paramref name="max"/> handed items to run now, each with at least <paramref name="left"/> of its lease still to run.</summary>
    Task<IReadOnlyList<Lease<T>>> TakeAsync(int max, TimeSpan left, CancellationToken cancellationToken);
}
