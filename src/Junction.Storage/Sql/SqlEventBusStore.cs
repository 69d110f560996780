using System.Data.Common;
using Dapper;
using Junction.Core.Connections;
using Junction.Core.EventBuses;

namespace Junction.Storage.Sql;

public sealed class SqlEventBusStore(IDatabase database) : IEventBusStore
{
    private const string Columns = """
        id AS Id, tenant_id AS TenantId, region AS Region, name AS Name, description AS Description, type AS Type,
        enable_store AS EnableStore, save_days AS SaveDays, log_topic_id AS LogTopicId, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public Task<EventBus> EnsureDefaultAsync(EventBus candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return database.WriteAsync(async (db, transaction) =>
        {
            await db.ExecuteAsync("""
                INSERT INTO event_buses (id, tenant_id, region, name, description, type, enable_store, save_days, log_topic_id, created_at, updated_at)
                VALUES (@Id, @TenantId, @Region, @Name, @Description, @Type, @EnableStore, @SaveDays, @LogTopicId, @CreatedAt, @UpdatedAt)
                ON CONFLICT DO NOTHING
                """, ToRow(candidate), transaction);
            var row = await db.QuerySingleAsync<BusRow>(
                $"SELECT {Columns} FROM event_buses WHERE tenant_id = @TenantId AND region = @Region AND name = @Name",
                new { candidate.TenantId, candidate.Region, candidate.Name }, transaction);
            return FromRow(row);
        }, cancellationToken);
    }

    public Task<BusCreateOutcome> CreateAsync(EventBus bus, int quota, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var scope = "eb-buses:" + bus.Region;
        return database.WriteAsync(async (db, transaction) =>
        {
            try
            {
                await db.ExecuteAsync("""
                    INSERT INTO event_buses (id, tenant_id, region, name, description, type, enable_store, save_days, log_topic_id, created_at, updated_at)
                    VALUES (@Id, @TenantId, @Region, @Name, @Description, @Type, @EnableStore, @SaveDays, @LogTopicId, @CreatedAt, @UpdatedAt)
                    """, ToRow(bus), transaction);
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return BusCreateOutcome.NameTaken;
            }

            if (!await SqlQuota.TakeAsync(db, transaction, bus.TenantId, scope, quota))
            {
                await transaction.RollbackAsync(cancellationToken);
                return BusCreateOutcome.QuotaExceeded;
            }

            return BusCreateOutcome.Created;
        }, cancellationToken);
    }

    public async Task<EventBus?> FindAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<BusRow>($"SELECT {Columns} FROM event_buses WHERE id = @id AND tenant_id = @tenantId", new { id, tenantId });
        return row is null ? null : FromRow(row);
    }

    public async Task<EventBus?> GetAsync(string tenantId, string region, string id, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<BusRow>(
            $"SELECT {Columns} FROM event_buses WHERE id = @id AND tenant_id = @tenantId AND region = @region", new { id, tenantId, region });
        return row is null ? null : FromRow(row);
    }

    public async Task<(long Total, IReadOnlyList<EventBus> Items)> ListAsync(EventBusQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = query.Region is null ? "tenant_id = @TenantId" : "tenant_id = @TenantId AND region = @Region";
        var parameters = new DynamicParameters(new { query.TenantId, query.Region, query.Limit, query.Offset });
        void In(string column, string name, IReadOnlyList<string>? values)
        {
            if (values is null)
            {
                return;
            }

            var names = values.Select((v, i) => $"@{name}{i}").ToList();
            for (var i = 0; i < values.Count; i++)
            {
                parameters.Add($"{name}{i}", values[i]);
            }

            where += $" AND {column} IN ({string.Join(", ", names)})";
        }

        In("name", "n", query.Names);
        In("id", "i", query.Ids);
        In("type", "t", query.Types);
        var column = query.Sort switch
        {
            SortField.CreatedTime => "created_at",
            SortField.UpdatedTime => "updated_at",
            _ => "name",
        };
        var direction = query.Descending ? "DESC" : "ASC";
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<BusRow>(
            $"SELECT {Columns} FROM event_buses WHERE {where} ORDER BY {column} {direction}, id {direction} LIMIT @Limit OFFSET @Offset", parameters);
        var total = await db.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM event_buses WHERE {where}", parameters);
        return (total, rows.Select(FromRow).ToList());
    }

    public Task<EventBus?> UpdateAsync(string tenantId, string region, string id, EventBusChanges changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        return database.WriteAsync(async (db, transaction) =>
        {
            int changed;
            try
            {
                changed = await db.ExecuteAsync("""
                    UPDATE event_buses
                    SET name = COALESCE(@Name, name), description = COALESCE(@Description, description),
                        enable_store = COALESCE(@EnableStore, enable_store), save_days = COALESCE(@SaveDays, save_days),
                        log_topic_id = COALESCE(@LogTopicId, log_topic_id), updated_at = @now
                    WHERE id = @id AND tenant_id = @tenantId AND region = @region
                    """,
                    new
                    {
                        changes.Name,
                        changes.Description,
                        EnableStore = changes.EnableStore is null ? (int?)null : changes.EnableStore.Value ? 1 : 0,
                        changes.SaveDays,
                        changes.LogTopicId,
                        now = now.ToUnixTimeMilliseconds(),
                        id,
                        tenantId,
                        region,
                    }, transaction);
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

            return FromRow(await db.QuerySingleAsync<BusRow>($"SELECT {Columns} FROM event_buses WHERE id = @id", new { id }, transaction));
        }, cancellationToken);
    }

    public Task<BusDeleteOutcome> DeleteAsync(string tenantId, string region, string id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) =>
        {
            var scope = Scopes.TencentEbBus(id);
            // The bus row first, locked to the commit: a connector create racing this delete waits for it (and then
            // finds no bus), or holds it first (and then its connector is counted below).
            _ = await db.ExecuteScalarAsync<string>(
                $"SELECT id FROM event_buses WHERE id = @id AND tenant_id = @tenantId {database.ForUpdate}", new { id, tenantId }, transaction);
            var connectors = await db.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM connections WHERE tenant_id = @tenantId AND scope = @scope", new { tenantId, scope }, transaction);
            var rules = await db.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM eb_rules WHERE tenant_id = @tenantId AND bus_id = @id", new { tenantId, id }, transaction);
            if (connectors > 0 || rules > 0)
            {
                return BusDeleteOutcome.InUse;
            }

            var deleted = await db.ExecuteAsync(
                "DELETE FROM event_buses WHERE id = @id AND tenant_id = @tenantId AND region = @region AND type = @custom",
                new { id, tenantId, region, custom = EventBusTypes.Custom }, transaction);
            if (deleted == 0)
            {
                return BusDeleteOutcome.NotFound;
            }

            await db.ExecuteAsync(
                "UPDATE quota_usage SET used = used - 1 WHERE tenant_id = @tenantId AND scope = @scope AND used > 0",
                new { tenantId, scope = "eb-buses:" + region }, transaction);
            await db.ExecuteAsync("DELETE FROM quota_usage WHERE tenant_id = @tenantId AND scope = @scope", new { tenantId, scope }, transaction);
            return BusDeleteOutcome.Deleted;
        }, cancellationToken);

    private static object ToRow(EventBus b) => new
    {
        b.Id,
        b.TenantId,
        b.Region,
        b.Name,
        b.Description,
        b.Type,
        EnableStore = b.EnableStore is null ? (int?)null : b.EnableStore.Value ? 1 : 0,
        b.SaveDays,
        b.LogTopicId,
        CreatedAt = b.CreatedAt.ToUnixTimeMilliseconds(),
        UpdatedAt = b.UpdatedAt.ToUnixTimeMilliseconds(),
    };

    private static EventBus FromRow(BusRow r) => new()
    {
        Id = r.Id,
        TenantId = r.TenantId,
        Region = r.Region,
        Name = r.Name,
        Description = r.Description,
        Type = r.Type,
        EnableStore = r.EnableStore is null ? null : r.EnableStore != 0,
        SaveDays = r.SaveDays,
        LogTopicId = r.LogTopicId,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAt),
    };

    private sealed class BusRow
    {
        public string Id { get; init; } = "";
        public string TenantId { get; init; } = "";
        public string Region { get; init; } = "";
        public string Name { get; init; } = "";
        public string Description { get; init; } = "";
        public string Type { get; init; } = "";
        public long? EnableStore { get; init; }
        public long? SaveDays { get; init; }
        public string? LogTopicId { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
    }
}
