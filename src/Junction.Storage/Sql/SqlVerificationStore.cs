using Dapper;
using Junction.Core.Connections;
using Junction.Core.Verification;
using Junction.Core.Work;
using Junction.Storage.Sql.Leasing;

namespace Junction.Storage.Sql;

public sealed class SqlVerificationStore(IDatabase database) : IVerificationStore
{
    /// <summary>History kept per connection; older entries are pruned as new ones are written.</summary>
    public const int HistoryPerConnection = 100;

    /// <summary>Connections are verification's queue: due at <c>next_check_at</c>, shared fairly between tenants.</summary>
    private static readonly LeaseTable s_table = new("connections", "id", "next_check_at", "tenant_id");
    private static readonly LeaseClaim s_claim = new(s_table, $"{SqlConnectionStore.Columns}, verify_attempts AS Attempts");

    public Task<IReadOnlyList<Lease<Connection>>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        ClaimAsync(node, now, lease, max, OwnerLimits.None, cancellationToken);

    public Task<IReadOnlyList<Lease<Connection>>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int max, OwnerLimits limits, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var until = now + lease;
        var (sql, parameters) = s_claim.For(node, token, until, now, max, limits);
        return database.WriteAsync<IReadOnlyList<Lease<Connection>>>(async (db, transaction) =>
        {
            var rows = await db.QueryAsync<LeaseRow>(sql, parameters, transaction);
            return rows.Select(r => new Lease<Connection>(SqlConnectionStore.FromRow(r), token, r.Attempts, until)).ToList();
        }, cancellationToken);
    }

    public Task<bool> CompleteAsync(Lease<Connection> lease, VerificationOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(outcome);
        var record = outcome.Record;
        return database.WriteAsync(async (db, transaction) =>
        {
            var updated = await db.ExecuteAsync($"""
                UPDATE connections
                SET state = @State, error_code = @ErrorCode, error_message = @ErrorMessage, error_detail = @ErrorDetail,
                    verify_attempts = @Attempts, next_check_at = @NextCheckAt, checked_at = @CheckedAt, {LeaseSql.ClearLease}
                WHERE {LeaseSql.Fence(s_table)}
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
                    lease.Item.Id,
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
                    lease.Item.TenantId,
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

    public Task RecheckAsync(IReadOnlyCollection<string> connectionIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectionIds);
        if (connectionIds.Count == 0)
        {
            return Task.CompletedTask;
        }

        var parameters = new DynamicParameters(new { now = now.ToUnixTimeMilliseconds() });
        var ids = SqlLists.In(parameters, "c", connectionIds);
        return database.WriteAsync((db, transaction) => db.ExecuteAsync(
            $"UPDATE connections SET next_check_at = @now WHERE id IN ({ids}) AND (next_check_at IS NULL OR next_check_at > @now)", parameters, transaction),
            cancellationToken);
    }

    public Task ReleaseAsync(string node, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync((db, transaction) => db.ExecuteAsync(LeaseSql.Release(s_table), new { node, now = now.ToUnixTimeMilliseconds() }, transaction), cancellationToken);

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> FailingSinceAsync(IReadOnlyCollection<string> connectionIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connectionIds);
        if (connectionIds.Count == 0)
        {
            return new Dictionary<string, DateTimeOffset>();
        }

        var p = new DynamicParameters();
        var ids = SqlLists.In(p, "c", connectionIds.Distinct());
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<(string Id, long At)>($"""
            SELECT connection_id, MAX(finished_at) FROM verification_history
            WHERE connection_id IN ({ids}) AND to_state = 'Failed' AND from_state <> 'Failed' GROUP BY connection_id
            """, p);
        return rows.ToDictionary(r => r.Id, r => DateTimeOffset.FromUnixTimeMilliseconds(r.At), StringComparer.Ordinal);
    }

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
        return await db.ExecuteScalarAsync<long>(LeaseSql.CountDue(s_table), new { now = now.ToUnixTimeMilliseconds() });
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
