using Dapper;
using Junction.Core.Connections;
using Junction.Core.Verification;

namespace Junction.Storage.Sql;

public sealed class SqlVerificationStore(IDatabase database) : IVerificationStore
{
    /// <summary>History kept per connection; older entries are pruned as new ones are written.</summary>
    public const int HistoryPerConnection = 100;

    public Task<IReadOnlyList<VerificationLease>> ClaimDueAsync(string node, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var nowMs = now.ToUnixTimeMilliseconds();
        var until = now + lease;
        return database.WriteAsync<IReadOnlyList<VerificationLease>>(async (db, transaction) =>
        {
            // The lease condition is repeated outside the sub-select so that a database that re-checks the row after
            // waiting for its lock (PostgreSQL) skips a row another node claimed in the meantime.
            var rows = await db.QueryAsync<LeaseRow>($"""
                UPDATE connections
                SET lease_owner = @node, lease_token = @token, lease_until = @until
                WHERE id IN (
                    SELECT id FROM connections
                    WHERE next_check_at <= @now AND (lease_until IS NULL OR lease_until < @now)
                    ORDER BY next_check_at
                    LIMIT @max)
                  AND next_check_at <= @now AND (lease_until IS NULL OR lease_until < @now)
                RETURNING {SqlConnectionStore.Columns}, verify_attempts AS Attempts
                """,
                new { node, token, until = until.ToUnixTimeMilliseconds(), now = nowMs, max }, transaction);
            return rows.Select(r => new VerificationLease(SqlConnectionStore.FromRow(r), token, r.Attempts, until)).ToList();
        }, cancellationToken);
    }

    public Task<bool> CompleteAsync(VerificationLease lease, VerificationOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(outcome);
        var record = outcome.Record;
        return database.WriteAsync(async (db, transaction) =>
        {
            var updated = await db.ExecuteAsync("""
                UPDATE connections
                SET state = @State, error_code = @ErrorCode, error_message = @ErrorMessage, error_detail = @ErrorDetail,
                    verify_attempts = @Attempts, next_check_at = @NextCheckAt, checked_at = @CheckedAt,
                    lease_owner = NULL, lease_token = NULL, lease_until = NULL
                WHERE id = @Id AND lease_token = @Token
                """,
                new
                {
                    State = outcome.State.ToString(),
                    ErrorCode = outcome.Error?.Code,
                    ErrorMessage = outcome.Error?.Message,
                    ErrorDetail = outcome.Error?.Detail,
                    outcome.Attempts,
                    NextCheckAt = outcome.NextCheckAt.ToUnixTimeMilliseconds(),
                    CheckedAt = record.FinishedAt.ToUnixTimeMilliseconds(),
                    lease.Connection.Id,
                    lease.Token,
                }, transaction);
            if (updated == 0)
            {
                // The lease expired and another node took the work, or the connection was deleted: write nothing.
                return false;
            }

            await db.ExecuteAsync("""
                INSERT INTO verification_history (connection_id, tenant_id, node, started_at, finished_at, from_state, to_state, ok, code, message, detail)
                VALUES (@ConnectionId, @TenantId, @Node, @StartedAt, @FinishedAt, @From, @To, @Ok, @Code, @Message, @Detail)
                """,
                new
                {
                    record.ConnectionId,
                    lease.Connection.TenantId,
                    record.Node,
                    StartedAt = record.StartedAt.ToUnixTimeMilliseconds(),
                    FinishedAt = record.FinishedAt.ToUnixTimeMilliseconds(),
                    From = record.From.ToString(),
                    To = record.To.ToString(),
                    Ok = record.Ok ? 1 : 0,
                    record.Code,
                    record.Message,
                    record.Detail,
                }, transaction);
            await db.ExecuteAsync($"""
                DELETE FROM verification_history
                WHERE connection_id = @id AND seq < (
                    SELECT MIN(seq) FROM (
                        SELECT seq FROM verification_history WHERE connection_id = @id ORDER BY seq DESC LIMIT {HistoryPerConnection}) AS recent)
                """, new { id = record.ConnectionId }, transaction);
            return true;
        }, cancellationToken);
    }

    public Task ReleaseAsync(string node, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (db, transaction) => db.ExecuteAsync(
                "UPDATE connections SET lease_owner = NULL, lease_token = NULL, lease_until = NULL WHERE lease_owner = @node",
                new { node }, transaction),
            cancellationToken);

    public Task<bool> ScheduleNowAsync(string connectionId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (db, transaction) => await db.ExecuteAsync(
                "UPDATE connections SET next_check_at = @now WHERE id = @connectionId",
                new { connectionId, now = now.ToUnixTimeMilliseconds() }, transaction) > 0,
            cancellationToken);

    public async Task<IReadOnlyList<VerificationRecord>> HistoryAsync(string connectionId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<HistoryRow>("""
            SELECT seq AS Sequence, connection_id AS ConnectionId, node AS Node, started_at AS StartedAt, finished_at AS FinishedAt,
                   from_state AS FromState, to_state AS ToState, ok AS Ok, code AS Code, message AS Message, detail AS Detail
            FROM verification_history WHERE connection_id = @connectionId ORDER BY seq DESC LIMIT @limit
            """, new { connectionId, limit });
        return rows.Select(r => new VerificationRecord(
            r.Sequence, r.ConnectionId, r.Node,
            DateTimeOffset.FromUnixTimeMilliseconds(r.StartedAt), DateTimeOffset.FromUnixTimeMilliseconds(r.FinishedAt),
            Enum.Parse<ConnectionState>(r.FromState), Enum.Parse<ConnectionState>(r.ToState),
            r.Ok != 0, r.Code, r.Message, r.Detail)).ToList();
    }

    public async Task<long> CountDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        return await db.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM connections WHERE next_check_at <= @now AND (lease_until IS NULL OR lease_until < @now)",
            new { now = now.ToUnixTimeMilliseconds() });
    }

    private sealed class LeaseRow : SqlConnectionStore.ConnectionRow
    {
        public int Attempts { get; init; }
    }

    private sealed class HistoryRow
    {
        public long Sequence { get; init; }
        public string ConnectionId { get; init; } = "";
        public string Node { get; init; } = "";
        public long StartedAt { get; init; }
        public long FinishedAt { get; init; }
        public string FromState { get; init; } = "";
        public string ToState { get; init; } = "";
        public long Ok { get; init; }
        public string Code { get; init; } = "";
        public string Message { get; init; } = "";
        public string Detail { get; init; } = "";
    }
}
