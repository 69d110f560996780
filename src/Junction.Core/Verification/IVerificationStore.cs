using Junction.Core.Connections;
using Junction.Core.Work;

namespace Junction.Core.Verification;

/// <summary>What a finished verification writes back: the new state, when to look again, and one history entry.</summary>
public sealed record VerificationOutcome(
    ConnectionState State,
    ConnectionError? Error,
    int Attempts,
    DateTimeOffset NextCheckAt,
    VerificationRecord Record);

/// <summary>One verification as history keeps it: who probed, when, what it found, and the transition it caused.</summary>
public sealed record VerificationRecord(
    long Sequence,
    string ConnectionId,
    string Node,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    ConnectionState From,
    ConnectionState To,
    bool Ok,
    string Code,
    string Message,
    string Detail);

/// <summary>
/// Durable, leased verification work: connections are the queue's items (due at <c>next_check_at</c>), claimed fairly
/// between tenants. Completion is fenced by the lease token: a node that lost its lease writes nothing.
/// </summary>
public interface IVerificationStore : ILeasedQueue<Connection>
{
    Task<bool> CompleteAsync(Lease<Connection> lease, VerificationOutcome outcome, CancellationToken cancellationToken);

    Task<IReadOnlyList<VerificationRecord>> HistoryAsync(string connectionId, int limit, CancellationToken cancellationToken);

    /// <summary>Makes these connections due for a check now (something they depend on changed), unless they already are.</summary>
    Task RecheckAsync(IReadOnlyCollection<string> connectionIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// For each of these connections that is failing, when its current failure began: the end of the last check that
    /// moved it into <c>Failed</c> from another state. One query for the whole list.
    /// </summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> FailingSinceAsync(IReadOnlyCollection<string> connectionIds, CancellationToken cancellationToken);

    /// <summary>Due connections not currently leased, for metrics and readiness.</summary>
    Task<long> CountDueAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
