namespace Junction.Core.Verification;

/// <summary>A connection claimed for verification by one node until <see cref="Until"/>; <see cref="Token"/> fences the result.</summary>
public sealed record VerificationLease(Connections.Connection Connection, string Token, int Attempts, DateTimeOffset Until);

/// <summary>What a finished verification writes back: the new state, when to look again, and one history entry.</summary>
public sealed record VerificationOutcome(
    Connections.ConnectionState State,
    Connections.ConnectionError? Error,
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
    Connections.ConnectionState From,
    Connections.ConnectionState To,
    bool Ok,
    string Code,
    string Message,
    string Detail);

/// <summary>
/// Durable, leased verification work. A claim takes due connections whose lease is free or expired and stamps them
/// with a lease in the database, so two nodes never hold the same connection and a crashed node's work is taken over
/// once its lease expires. Completion is fenced by the lease token: a node that lost its lease writes nothing.
/// </summary>
public interface IVerificationStore
{
    Task<IReadOnlyList<VerificationLease>> ClaimDueAsync(string node, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    Task<bool> CompleteAsync(VerificationLease lease, VerificationOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Gives up a node's leases (on graceful shutdown) so that other nodes can take the work at once.</summary>
    Task ReleaseAsync(string node, CancellationToken cancellationToken);

    /// <summary>Makes a connection due now (after create, or when an operator asks for a re-check).</summary>
    Task<bool> ScheduleNowAsync(string connectionId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<VerificationRecord>> HistoryAsync(string connectionId, int limit, CancellationToken cancellationToken);

    /// <summary>Due connections not currently leased, for metrics and readiness.</summary>
    Task<long> CountDueAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
