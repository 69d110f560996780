using System.Data.Common;
using System.Text.Json;
using Dapper;
using Junction.Core.Connections;

namespace Junction.Storage.Sql;

public sealed class SqlConnectionStore(IDatabase database) : IConnectionStore
{
    internal const string Columns = """
        id AS Id, tenant_id AS TenantId, scope AS Scope, name AS Name, description AS Description, kind AS Kind,
        vpc_id AS VpcId, subnet_id AS SubnetId, target_json AS TargetJson, protected_secret AS ProtectedSecret,
        state AS State, error_code AS ErrorCode, error_message AS ErrorMessage, error_detail AS ErrorDetail,
        created_at AS CreatedAt, updated_at AS UpdatedAt, enabled AS Enabled, detail_json AS DetailJson, checked_at AS CheckedAt,
        next_check_at AS NextCheckAt
        """;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public Task<CreateOutcome> CreateAsync(Connection connection, int quota, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return database.SelfCommitting is { } run && !Scopes.IsTencentEb(connection.Scope)
            ? CreateInOneStatementAsync(run, connection, quota, cancellationToken)
            : database.WriteAsync((db, transaction) => InsertAsync(database, db, transaction, connection, quota, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: the quota take and the insert in one statement that commits by itself, so the tenant's quota row
    /// (the lock every create of the tenant waits for) is held for the statement alone, not for the two round trips of
    /// take-then-commit (docs/performance.md). A taken name fails the whole statement, counter included.
    /// </summary>
    private async Task<CreateOutcome> CreateInOneStatementAsync(
        Func<Func<DbConnection, Task<int>>, CancellationToken, Task<int>> run, Connection connection, int quota, CancellationToken cancellationToken)
    {
        var row = new DynamicParameters(ToRow(connection));
        row.Add("quota", quota);
        try
        {
            var inserted = await run(db => db.ExecuteAsync($"""
                WITH taken AS ({SqlQuota.TakeSql("@TenantId", "@Scope")} RETURNING 1)
                INSERT INTO connections ({InsertColumns})
                SELECT {InsertValues} WHERE EXISTS (SELECT 1 FROM taken)
                """, row), cancellationToken);
            if (inserted == 1)
            {
                return CreateOutcome.Created;
            }
        }
        catch (DbException exception) when (database.IsUniqueViolation(exception))
        {
            return CreateOutcome.NameTaken;
        }

        // The quota is full; a taken name is still the answer it would have been in a transaction of two statements.
        await using var db = await database.OpenAsync(cancellationToken);
        return await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM connections WHERE tenant_id = @TenantId AND scope = @Scope AND name = @Name", row) > 0
            ? CreateOutcome.NameTaken
            : CreateOutcome.QuotaExceeded;
    }

    private const string InsertColumns = """
        id, tenant_id, scope, name, description, kind, vpc_id, subnet_id, instance_id,
            target_json, protected_secret, state, error_code, error_message, error_detail, created_at, updated_at, next_check_at,
            enabled, detail_json
        """;

    private const string InsertValues = """
        @Id, @TenantId, @Scope, @Name, @Description, @Kind, @VpcId, @SubnetId, @InstanceId,
            @TargetJson, @ProtectedSecret, @State, @ErrorCode, @ErrorMessage, @ErrorDetail, @CreatedAt, @UpdatedAt, @CreatedAt,
            @Enabled, @DetailJson
        """;

    /// <summary>
    /// Inserts a connection inside the caller's write transaction, with its scope's checks and quota; anything but
    /// <see cref="CreateOutcome.Created"/> has written nothing (and rolled back what it began). Other stores call it to write a connection
    /// together with what belongs to it (DLI: its tags and queue bindings) in one transaction.
    /// </summary>
    internal static async Task<CreateOutcome> InsertAsync(
        IDatabase database, DbConnection db, DbTransaction transaction, Connection connection, int quota, CancellationToken cancellationToken)
    {
        // A Tencent connector's event bus must still exist, checked under the bus row's lock: a DeleteEventBus
        // racing this create either waits and then finds the connector (ResourceInUse), or wins and we write nothing.
        if (Scopes.IsTencentEb(connection.Scope)
            && await db.ExecuteScalarAsync<string>(
                $"SELECT id FROM event_buses WHERE id = @bus AND tenant_id = @TenantId {database.ForUpdate}",
                new { bus = connection.Scope[Scopes.TencentEbPrefix.Length..], connection.TenantId }, transaction) is null)
        {
            return CreateOutcome.ScopeGone;
        }

        try
        {
            await db.ExecuteAsync($"INSERT INTO connections ({InsertColumns}) VALUES ({InsertValues})", ToRow(connection), transaction);
        }
        catch (DbException exception) when (database.IsUniqueViolation(exception))
        {
            await transaction.RollbackAsync(cancellationToken);
            return CreateOutcome.NameTaken;
        }

        // The usage row is the quota's lock: in one transaction with the insert, so concurrent creates (in this
        // process or another) can never pass the quota together.
        if (!await SqlQuota.TakeAsync(db, transaction, connection.TenantId, connection.Scope, quota))
        {
            await transaction.RollbackAsync(cancellationToken);
            return CreateOutcome.QuotaExceeded;
        }

        return CreateOutcome.Created;
    }

    public async Task<Connection?> GetAsync(string tenantId, string scope, string id, CancellationToken cancellationToken)
    {
        // By the primary key alone, the owner checked here: with the tenant and scope in the WHERE, PostgreSQL may pick
        // the (tenant_id, scope, …) list indexes while its statistics are stale — right after a burst of creates, until
        // autovacuum analyzes — and read every row of the tenant per show (measured: 600 shows/s instead of 10,000).
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await ReadAsync(db, $"SELECT {Columns} FROM connections WHERE id = @id", new { id });
        return rows.SingleOrDefault(c => c.TenantId == tenantId && c.Scope == scope);
    }

    public async Task<ConnectionPage> ListAllAsync(AllConnectionsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = query.Face switch
        {
            null => "1 = 1",
            "eg" => "scope = 'eg'",
            "eb" => "scope LIKE 'eb:%'",
            "dli" => "(scope = 'dli' OR scope LIKE 'dli~deleted:%')",
            _ => throw new ArgumentOutOfRangeException(nameof(query), query.Face, "face must be eg, eb or dli"),
        };
        if (query.State is not null)
        {
            where += " AND state = @State";
        }

        if (query.TenantId is not null)
        {
            where += " AND tenant_id = @TenantId";
        }

        if (query.Text is not null)
        {
            where += $" AND ({database.ContainsExpression("name", "@Text")} OR {database.ContainsExpression("id", "@Text")})";
        }

        var parameters = new { State = query.State?.ToString(), query.TenantId, query.Text, query.Limit, query.Offset };
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await ReadAsync(db,
            $"SELECT {Columns} FROM connections WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @Limit OFFSET @Offset", parameters);
        var total = await db.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM connections WHERE {where}", parameters);
        return new ConnectionPage(total, rows);
    }

    public async Task<IReadOnlyList<FaceStateTotal>> CountByFaceAndStateAsync(CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        // Grouped by the stored scope (an index-only scan of ix_connections_scope_state), then folded into the three faces.
        var rows = await db.QueryAsync<(string Scope, string State, long Count)>("SELECT scope, state, COUNT(*) FROM connections GROUP BY scope, state");
        return [.. rows
            .GroupBy(r => (Face: Scopes.FaceOf(r.Scope), r.State))
            .Select(g => new FaceStateTotal(g.Key.Face, Enum.Parse<ConnectionState>(g.Key.State), g.Sum(r => r.Count)))
            .OrderBy(t => t.Face == "eg" ? 0 : t.Face == "eb" ? 1 : 2).ThenBy(t => t.State)];
    }

    public async Task<Connection?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await ReadAsync(db, $"SELECT {Columns} FROM connections WHERE id = @id", new { id });
        return rows.SingleOrDefault();
    }

    public async Task<ConnectionPage> ListAsync(ConnectionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = "tenant_id = @TenantId AND scope = @Scope";
        if (query.Name is not null)
        {
            where += " AND name = @Name";
        }

        if (query.NameContains is not null)
        {
            where += " AND " + database.ContainsExpression("name", "@NameContains");
        }

        if (query.InstanceId is not null)
        {
            where += " AND instance_id = @InstanceId";
        }

        var column = query.Sort switch
        {
            SortField.CreatedTime => "created_at",
            SortField.UpdatedTime => "updated_at",
            SortField.Name => "name",
            _ => throw new ArgumentOutOfRangeException(nameof(query), query.Sort, "unknown sort field"),
        };
        var direction = query.Descending ? "DESC" : "ASC";
        var parameters = new { query.TenantId, query.Scope, query.Name, query.NameContains, query.InstanceId, query.Limit, query.Offset };

        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await ReadAsync(db,
            $"SELECT {Columns} FROM connections WHERE {where} ORDER BY {column} {direction}, id {direction} LIMIT @Limit OFFSET @Offset",
            parameters);

        // Without filters the total is the scope's quota counter, kept in the same transactions as the rows: one row
        // read instead of a COUNT(*) that grows with the scope (design §6: a page at 100,000 stored ≤ 1.5× at 1,000).
        // Soft-deleted DLI scopes ("dli~deleted:{id}") have no counter and are counted.
        var counted = query.Name is null && query.NameContains is null && query.InstanceId is null && !query.Scope.Contains('~', StringComparison.Ordinal);
        var total = await db.ExecuteScalarAsync<long>(counted
            ? "SELECT COALESCE((SELECT used FROM quota_usage WHERE tenant_id = @TenantId AND scope = @Scope), 0)"
            : $"SELECT COUNT(*) FROM connections WHERE {where}", parameters);
        return new ConnectionPage(total, rows);
    }

    public Task<Connection?> UpdateAsync(string tenantId, string scope, string id, ConnectionChanges changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return database.WriteAsync(async (db, transaction) =>
        {
            int changed;
            try
            {
                changed = await db.ExecuteAsync("""
                    UPDATE connections
                    SET description = COALESCE(@Description, description), name = COALESCE(@Name, name),
                        enabled = COALESCE(@Enabled, enabled), updated_at = @now
                    WHERE id = @id AND tenant_id = @tenantId AND scope = @scope
                    """,
                    new { changes.Description, changes.Name, Enabled = changes.Enabled is null ? (int?)null : changes.Enabled.Value ? 1 : 0, now = now.ToUnixTimeMilliseconds(), id, tenantId, scope },
                    transaction);
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                throw new NameTakenException(changes.Name ?? "");
            }

            if (changed == 0)
            {
                return null;
            }

            return (await ReadAsync(db, $"SELECT {Columns} FROM connections WHERE id = @id", new { id }, transaction)).Single();
        }, cancellationToken);
    }

    public async Task<long> CountAsync(string tenantId, string scope, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        return await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM connections WHERE tenant_id = @tenantId AND scope = @scope", new { tenantId, scope });
    }

    public Task<bool> DeleteAsync(string tenantId, string scope, string id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) =>
        {
            var deleted = await db.ExecuteAsync(
                "DELETE FROM connections WHERE id = @id AND tenant_id = @tenantId AND scope = @scope",
                new { id, tenantId, scope }, transaction);
            if (deleted > 0)
            {
                await db.ExecuteAsync("DELETE FROM verification_history WHERE connection_id = @id", new { id }, transaction);
                await db.ExecuteAsync(
                    "UPDATE quota_usage SET used = used - 1 WHERE tenant_id = @tenantId AND scope = @scope AND used > 0",
                    new { tenantId, scope }, transaction);
            }

            return deleted > 0;
        }, cancellationToken);

    private static object ToRow(Connection c) => new
    {
        c.Id,
        c.TenantId,
        c.Scope,
        c.Name,
        c.Description,
        c.Kind,
        c.VpcId,
        c.SubnetId,
        InstanceId = c.Kafka?.InstanceId,
        TargetJson = c.Kafka is null ? null : JsonSerializer.Serialize(c.Kafka, s_json),
        c.ProtectedSecret,
        State = c.State.ToString(),
        ErrorCode = c.Error?.Code,
        ErrorMessage = c.Error?.Message,
        ErrorDetail = c.Error?.Detail,
        CreatedAt = c.CreatedAt.ToUnixTimeMilliseconds(),
        UpdatedAt = c.UpdatedAt.ToUnixTimeMilliseconds(),
        Enabled = c.Enabled ? 1 : 0,
        DetailJson = c.Detail,
    };

    /// <summary>
    /// Runs a query for <see cref="Columns"/> and reads its rows by position. Dapper's row mapping hashed every column's
    /// name and type on every query (with SQLite a type look-up per column), a tenth of an EG show's CPU time.
    /// </summary>
    internal static async Task<List<Connection>> ReadAsync(DbConnection db, string sql, object parameters, DbTransaction? transaction = null)
    {
        await using var reader = await db.ExecuteReaderAsync(sql, parameters, transaction);
        var connections = new List<Connection>();
        while (await reader.ReadAsync())
        {
            connections.Add(FromRow(new ConnectionRow
            {
                Id = reader.GetString(0),
                TenantId = reader.GetString(1),
                Scope = reader.GetString(2),
                Name = reader.GetString(3),
                Description = reader.GetString(4),
                Kind = reader.GetString(5),
                VpcId = NullableString(reader, 6),
                SubnetId = NullableString(reader, 7),
                TargetJson = NullableString(reader, 8),
                ProtectedSecret = NullableString(reader, 9),
                State = reader.GetString(10),
                ErrorCode = NullableString(reader, 11),
                ErrorMessage = NullableString(reader, 12),
                ErrorDetail = NullableString(reader, 13),
                CreatedAt = reader.GetInt64(14),
                UpdatedAt = reader.GetInt64(15),
                Enabled = reader.GetInt64(16),
                DetailJson = NullableString(reader, 17),
                CheckedAt = reader.IsDBNull(18) ? null : reader.GetInt64(18),
                NextCheckAt = reader.IsDBNull(19) ? null : reader.GetInt64(19),
            }));
        }

        return connections;
    }

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    internal static Connection FromRow(ConnectionRow row) => new()
    {
        Id = row.Id,
        TenantId = row.TenantId,
        Scope = row.Scope,
        Name = row.Name,
        Description = row.Description,
        Kind = row.Kind,
        VpcId = row.VpcId,
        SubnetId = row.SubnetId,
        Kafka = row.TargetJson is null ? null : JsonSerializer.Deserialize<KafkaTarget>(row.TargetJson, s_json),
        ProtectedSecret = row.ProtectedSecret,
        State = Enum.Parse<ConnectionState>(row.State),
        Error = row.ErrorCode is null ? null : new ConnectionError(row.ErrorCode, row.ErrorMessage ?? "", row.ErrorDetail ?? ""),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt),
        Enabled = row.Enabled != 0,
        Detail = row.DetailJson,
        CheckedAt = row.CheckedAt is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(row.CheckedAt.Value),
        NextCheckAt = row.NextCheckAt is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(row.NextCheckAt.Value),
    };

    internal class ConnectionRow
    {
        public string Id { get; init; } = "";
        public string TenantId { get; init; } = "";
        public string Scope { get; init; } = "";
        public string Name { get; init; } = "";
        public string Description { get; init; } = "";
        public string Kind { get; init; } = "";
        public string? VpcId { get; init; }
        public string? SubnetId { get; init; }
        public string? TargetJson { get; init; }
        public string? ProtectedSecret { get; init; }
        public string State { get; init; } = "";
        public string? ErrorCode { get; init; }
        public string? ErrorMessage { get; init; }
        public string? ErrorDetail { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
        public long Enabled { get; init; }
        public string? DetailJson { get; init; }
        public long? CheckedAt { get; init; }
        public long? NextCheckAt { get; init; }
    }
}
