using Junction.Core.Work;

namespace Junction.Runtime.Work;

/// <summary>The work a <see cref="LeasedWorker{T}"/> does with one claimed item, and the recording of its result.</summary>
public interface ILeasedHandler<T>
{
    /// <summary>
    /// Does the work and completes the lease (fenced by its token). <paramref name="deadline"/> is cancelled at the
    /// worker's hard stop, well inside the lease, or on shutdown; <paramref name="stopping"/> only on shutdown, when the
    /// handler should record nothing and leave the lease to be released. Exceptions other than the database's are bugs.
    /// </summary>
    Task HandleAsync(Lease<T> lease, CancellationToken deadline, CancellationToken stopping);

    /// <summary>What the next claim may take per owner on this node (owners at their limit are skipped); none by default.</summary>
    OwnerLimits Limits => OwnerLimits.None;
}
