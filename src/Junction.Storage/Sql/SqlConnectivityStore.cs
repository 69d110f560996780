using Dapper;
using Junction.Core.Dli;
using Junction.Core.Work;
using Junction.Storage.Sql.Leasing;

namespace Junction.Storage.Sql;

/// <summary>DLI address connectivity tests: a leased table, due at <c>next_at</c> (null once answered), shared fairly between tenants.</summary>
public sealed class SqlConnectivityStore(IDatabase database) : IDliConnectivityStore
{
    private const string Columns = """
        id AS Id, tenant_id AS TenantId, queue_name AS QueueName, address AS Address, host AS Host, port AS Port, state AS State,
        message AS Message, created_at AS CreatedAt, finished_at AS FinishedAt, attempts AS Attempts
        """;

    private static readonly LeaseTable s_table = new("dli_connectivity_tasks", "id", "next_at", "tenant_id");
    private static readonly LeaseClaim s_claim = new(s_table, Columns);

    public Task<long?> CreateAsync(DliConnectivityTask task, int maxRunning, TimeSpan keepFinished, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var created = task.CreatedAt.ToUnixTimeMilliseconds();
        return database.WriteAsync<long?>(async (db, transaction) =>
        {
            await db.ExecuteAsync(
                "DELETE FROM dli_connectivity_tasks WHERE tenant_id = @TenantId AND state <> @checking AND finished_at < @cutoff",
                new { task.TenantId, checking = nameof(Connectivity.Checking), cutoff = created - (long)keepFinished.TotalMilliseconds }, transaction);
            var running = await db.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM dli_connectivity_tasks WHERE tenant_id = @TenantId AND state = @checking",
                new { task.TenantId, checking = nameof(Connectivity.Checking) }, transaction);
            if (running >= maxRunning)
            {
                return null;
            }

            return await db.ExecuteScalarAsync<long>("""
                INSERT INTO dli_connectivity_tasks (tenant_id, queue_name, address, host, port, state, created_at, next_at)
                VALUES (@TenantId, @QueueName, @Address, @Host, @Port, @State, @created, @created)
                RETURNING id
                """,
                new { task.TenantId, task.QueueName, task.Address, task.Host, task.Port, State = nameof(Connectivity.Checking), created }, transaction);
        }, cancellationToken);
    }

    public async Task<DliConnectivityTask?> GetAsync(string tenantId, string queueName, long id, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM dli_connectivity_tasks WHERE id = @id AND tenant_id = @tenantId AND queue_name = @queueName",
            new { id, tenantId, queueName });
        return row?.ToTask();
    }

    public Task<IReadOnlyList<Lease<DliConnectivityTask>>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        ClaimAsync(node, now, lease, max, OwnerLimits.None, cancellationToken);

    public Task<IReadOnlyList<Lease<DliConnectivityTask>>> ClaimAsync(
        string node, DateTimeOffset now, TimeSpan lease, int max, OwnerLimits limits, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var until = now + lease;
        var (sql, parameters) = s_claim.For(node, token, until, now, max, limits);
        return database.WriteAsync<IReadOnlyList<Lease<DliConnectivityTask>>>(async (db, transaction) =>
        {
            var rows = await db.QueryAsync<Row>(sql, parameters, transaction);
            return rows.Select(r => new Lease<DliConnectivityTask>(r.ToTask(), token, r.Attempts, until)).ToList();
        }, cancellationToken);
    }

    public Task<bool> CompleteAsync(Lease<DliConnectivityTask> lease, Connectivity state, string message, DateTimeOffset finishedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return database.WriteAsync(async (db, transaction) => await db.ExecuteAsync($"""
            UPDATE dli_connectivity_tasks
            SET state = @state, message = @message, finished_at = @finished, next_at = NULL, attempts = attempts + 1, {LeaseSql.ClearLease}
            WHERE {LeaseSql.Fence(s_table)}
            """,
            new { state = state.ToString(), message, finished = finishedAt.ToUnixTimeMilliseconds(), lease.Item.Id, lease.Token }, transaction) == 1,
            cancellationToken);
    }

    public Task ReleaseAsync(string node, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync((db, transaction) => db.ExecuteAsync(LeaseSql.Release(s_table), new { node, now = now.ToUnixTimeMilliseconds() }, transaction), cancellationToken);

    private sealed class Row
    {
        public long Id { get; init; }

        public string TenantId { get; init; } = "";

        public string QueueName { get; init; } = "";

        public string Address { get; init; } = "";

        public string Host { get; init; } = "";

        public int Port { get; init; }

        public string State { get; init; } = "";

        public string? Message { get; init; }

        public long CreatedAt { get; init; }

        public long? FinishedAt { get; init; }

        public int Attempts { get; init; }

        public DliConnectivityTask ToTask() => new(
            Id, TenantId, QueueName, Address, Host, Port, Enum.Parse<Connectivity>(State), Message,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), FinishedAt is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null);
    }
}
