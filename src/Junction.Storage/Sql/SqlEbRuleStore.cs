using System.Data.Common;
using Dapper;
using Junction.Core.Connections;
using Junction.Core.EventBuses;

namespace Junction.Storage.Sql;

/// <summary>
/// Tencent EB rules (<c>eb_rules</c>, the transformation kept on its rule: one per rule) and their targets
/// (<c>eb_targets</c>). A rule is written under its bus's row lock and a target under its rule's, the same lock a
/// delete of the bus or rule takes, so a parent deleted concurrently never ends up with children. Every write that
/// changes a row moves the tenant's EB generation last in its transaction (<see cref="ResourceGenerations"/>).
/// </summary>
public sealed class SqlEbRuleStore(IDatabase database) : IEbRuleStore
{
    private const string RuleColumns = """
        id AS Id, tenant_id AS TenantId, bus_id AS BusId, name AS Name, description AS Description, enabled AS Enabled, pattern AS Pattern,
        dead_letter AS DeadLetter, transformation_id AS TransformationId, transformation AS Transformation, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string TargetColumns = """
        id AS Id, tenant_id AS TenantId, bus_id AS BusId, rule_id AS RuleId, type AS Type, description AS Description, enable_batch AS EnableBatch,
        batch_timeout AS BatchTimeout, batch_event_count AS BatchEventCount, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public Task<EbWriteOutcome> CreateRuleAsync(EbRule rule, int quota, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return database.WriteAsync(async (db, transaction) =>
        {
            if (!await LockBusAsync(db, transaction, rule.TenantId, rule.BusId))
            {
                return EbWriteOutcome.BusNotFound;
            }

            if (await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM eb_rules WHERE tenant_id = @TenantId AND bus_id = @BusId",
                    new { rule.TenantId, rule.BusId }, transaction) >= quota)
            {
                return EbWriteOutcome.QuotaExceeded;
            }

            try
            {
                await db.ExecuteAsync("""
                    INSERT INTO eb_rules (id, tenant_id, bus_id, name, description, enabled, pattern, dead_letter, transformation_id, transformation, created_at, updated_at)
                    VALUES (@Id, @TenantId, @BusId, @Name, @Description, @Enabled, @Pattern, @DeadLetter, @TransformationId, @Transformation, @CreatedAt, @UpdatedAt)
                    """, ToRow(rule), transaction);
                await ResourceGenerations.BumpAsync(db, transaction, rule.TenantId, ResourceGenerations.Eb);
                return EbWriteOutcome.Done;
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return EbWriteOutcome.NameTaken;
            }
        }, cancellationToken);
    }

    public async Task<EbRule?> GetRuleAsync(string tenantId, string busId, string ruleId, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<RuleRow>(
            $"SELECT {RuleColumns} FROM eb_rules WHERE tenant_id = @tenantId AND bus_id = @busId AND id = @ruleId", new { tenantId, busId, ruleId });
        return row is null ? null : FromRow(row);
    }

    public async Task<EbRule?> FindRuleAsync(string ruleId, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<RuleRow>($"SELECT {RuleColumns} FROM eb_rules WHERE id = @ruleId", new { ruleId });
        return row is null ? null : FromRow(row);
    }

    public async Task<(long Total, IReadOnlyList<EbRoute> Items)> ListRulesAsync(string tenantId, string busId, EbPage page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        await using var db = await database.OpenAsync(cancellationToken);
        var total = await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM eb_rules WHERE tenant_id = @tenantId AND bus_id = @busId", new { tenantId, busId });
        var rules = (await db.QueryAsync<RuleRow>(
            $"SELECT {RuleColumns} FROM eb_rules WHERE tenant_id = @tenantId AND bus_id = @busId ORDER BY {Order(page)} LIMIT @Limit OFFSET @Offset",
            new { tenantId, busId, page.Limit, page.Offset })).Select(FromRow).ToList();
        var targets = await TargetsOfAsync(db, tenantId, rules.Select(r => r.Id));
        return (total, [.. rules.Select(r => new EbRoute(r, targets[r.Id].ToList()))]);
    }

    public Task<EbWriteOutcome> UpdateRuleAsync(EbRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return database.WriteAsync(async (db, transaction) =>
        {
            try
            {
                if (await db.ExecuteAsync("""
                    UPDATE eb_rules SET name = @Name, description = @Description, enabled = @Enabled, pattern = @Pattern, dead_letter = @DeadLetter, updated_at = @UpdatedAt
                    WHERE tenant_id = @TenantId AND bus_id = @BusId AND id = @Id
                    """, ToRow(rule), transaction) == 0)
                {
                    return EbWriteOutcome.RuleNotFound;
                }

                await ResourceGenerations.BumpAsync(db, transaction, rule.TenantId, ResourceGenerations.Eb);
                return EbWriteOutcome.Done;
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return EbWriteOutcome.NameTaken;
            }
        }, cancellationToken);
    }

    public Task<EbWriteOutcome> DeleteRuleAsync(string tenantId, string busId, string ruleId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) =>
        {
            // The rule row first, locked to the commit: a target create racing this delete waits for it (and then
            // finds no rule), or holds it first (and then its target is counted below).
            if (!await LockRuleAsync(db, transaction, tenantId, ruleId, busId))
            {
                return EbWriteOutcome.RuleNotFound;
            }

            if (await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM eb_targets WHERE tenant_id = @tenantId AND rule_id = @ruleId",
                    new { tenantId, ruleId }, transaction) > 0)
            {
                return EbWriteOutcome.InUse;
            }

            await db.ExecuteAsync("DELETE FROM eb_rules WHERE tenant_id = @tenantId AND id = @ruleId", new { tenantId, ruleId }, transaction);
            await ResourceGenerations.BumpAsync(db, transaction, tenantId, ResourceGenerations.Eb);
            return EbWriteOutcome.Done;
        }, cancellationToken);

    public Task<EbWriteOutcome> SetTransformationAsync(
        string tenantId, string busId, string ruleId, string transformationId, string? transformation, bool create, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) =>
        {
            var current = await db.QuerySingleOrDefaultAsync<(string Id, string? TransformationId)>(
                $"SELECT id, transformation_id FROM eb_rules WHERE tenant_id = @tenantId AND bus_id = @busId AND id = @ruleId {database.ForUpdate}",
                new { tenantId, busId, ruleId }, transaction);
            if (current.Id is null)
            {
                return EbWriteOutcome.RuleNotFound;
            }

            if (create ? current.TransformationId is not null : current.TransformationId != transformationId)
            {
                return create ? EbWriteOutcome.Exists : EbWriteOutcome.TransformationNotFound;
            }

            await db.ExecuteAsync("""
                UPDATE eb_rules SET transformation_id = @id, transformation = @transformation, updated_at = @at
                WHERE tenant_id = @tenantId AND id = @ruleId
                """,
                new { id = transformation is null ? null : transformationId, transformation, at = now.ToUnixTimeMilliseconds(), tenantId, ruleId }, transaction);
            await ResourceGenerations.BumpAsync(db, transaction, tenantId, ResourceGenerations.Eb);
            return EbWriteOutcome.Done;
        }, cancellationToken);

    public Task<EbWriteOutcome> CreateTargetAsync(EbTarget target, int quota, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return database.WriteAsync(async (db, transaction) =>
        {
            if (!await LockBusAsync(db, transaction, target.TenantId, target.BusId))
            {
                return EbWriteOutcome.BusNotFound;
            }

            if (!await LockRuleAsync(db, transaction, target.TenantId, target.RuleId, target.BusId))
            {
                return EbWriteOutcome.RuleNotFound;
            }

            if (await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM eb_targets WHERE tenant_id = @TenantId AND rule_id = @RuleId",
                    new { target.TenantId, target.RuleId }, transaction) >= quota)
            {
                return EbWriteOutcome.QuotaExceeded;
            }

            await db.ExecuteAsync("""
                INSERT INTO eb_targets (id, tenant_id, bus_id, rule_id, type, description, enable_batch, batch_timeout, batch_event_count, created_at, updated_at)
                VALUES (@Id, @TenantId, @BusId, @RuleId, @Type, @Description, @EnableBatch, @BatchTimeout, @BatchEventCount, @CreatedAt, @UpdatedAt)
                """, ToRow(target), transaction);
            await ResourceGenerations.BumpAsync(db, transaction, target.TenantId, ResourceGenerations.Eb);
            return EbWriteOutcome.Done;
        }, cancellationToken);
    }

    public async Task<EbTarget?> GetTargetAsync(string tenantId, string ruleId, string targetId, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<TargetRow>(
            $"SELECT {TargetColumns} FROM eb_targets WHERE tenant_id = @tenantId AND rule_id = @ruleId AND id = @targetId", new { tenantId, ruleId, targetId });
        return row is null ? null : FromRow(row);
    }

    public async Task<(long Total, IReadOnlyList<EbTarget> Items)> ListTargetsAsync(string tenantId, string ruleId, EbPage page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        await using var db = await database.OpenAsync(cancellationToken);
        var total = await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM eb_targets WHERE tenant_id = @tenantId AND rule_id = @ruleId", new { tenantId, ruleId });
        var rows = await db.QueryAsync<TargetRow>(
            $"SELECT {TargetColumns} FROM eb_targets WHERE tenant_id = @tenantId AND rule_id = @ruleId ORDER BY {Order(page)} LIMIT @Limit OFFSET @Offset",
            new { tenantId, ruleId, page.Limit, page.Offset });
        return (total, [.. rows.Select(FromRow)]);
    }

    public Task<EbWriteOutcome> UpdateTargetAsync(EbTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return database.WriteAsync(
            async (db, transaction) => await MovedIfChangedAsync(db, transaction, target.TenantId, await db.ExecuteAsync("""
                UPDATE eb_targets SET enable_batch = @EnableBatch, batch_timeout = @BatchTimeout, batch_event_count = @BatchEventCount, updated_at = @UpdatedAt
                WHERE tenant_id = @TenantId AND rule_id = @RuleId AND id = @Id
                """, ToRow(target), transaction)) ? EbWriteOutcome.Done : EbWriteOutcome.TargetNotFound,
            cancellationToken);
    }

    public Task<EbWriteOutcome> DeleteTargetAsync(string tenantId, string ruleId, string targetId, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (db, transaction) => await MovedIfChangedAsync(db, transaction, tenantId, await db.ExecuteAsync(
                "DELETE FROM eb_targets WHERE tenant_id = @tenantId AND rule_id = @ruleId AND id = @targetId",
                new { tenantId, ruleId, targetId }, transaction)) ? EbWriteOutcome.Done : EbWriteOutcome.TargetNotFound,
            cancellationToken);

    /// <summary>Moves the tenant's EB generation when a write changed rows; answers whether it did.</summary>
    private static async Task<bool> MovedIfChangedAsync(DbConnection db, DbTransaction transaction, string tenantId, int changed)
    {
        if (changed > 0)
        {
            await ResourceGenerations.BumpAsync(db, transaction, tenantId, ResourceGenerations.Eb);
        }

        return changed > 0;
    }

    public Task<long> GenerationAsync(string tenantId, CancellationToken cancellationToken) =>
        ResourceGenerations.ReadAsync(database, tenantId, ResourceGenerations.Eb, cancellationToken);

    public async Task<IReadOnlyList<EbRoute>> RoutesAsync(string tenantId, string busId, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var rules = (await db.QueryAsync<RuleRow>(
            $"SELECT {RuleColumns} FROM eb_rules WHERE tenant_id = @tenantId AND bus_id = @busId AND enabled = 1 ORDER BY created_at, id",
            new { tenantId, busId })).Select(FromRow).ToList();
        if (rules.Count == 0)
        {
            return [];
        }

        var targets = await TargetsOfAsync(db, tenantId, rules.Select(r => r.Id));
        return [.. rules.Where(r => targets[r.Id].Any()).Select(r => new EbRoute(r, targets[r.Id].ToList()))];
    }

    public async Task<IReadOnlyList<EbRule>> RulesOfBusesAsync(string tenantId, IReadOnlyCollection<string> busIds, CancellationToken cancellationToken) =>
        [.. (await OfBusesAsync<RuleRow>($"SELECT {RuleColumns} FROM eb_rules", tenantId, busIds, cancellationToken)).Select(FromRow)];

    public async Task<IReadOnlyList<EbTarget>> TargetsOfBusesAsync(string tenantId, IReadOnlyCollection<string> busIds, CancellationToken cancellationToken) =>
        [.. (await OfBusesAsync<TargetRow>($"SELECT {TargetColumns} FROM eb_targets", tenantId, busIds, cancellationToken)).Select(FromRow)];

    /// <summary>The rows of <paramref name="select"/> on any of a tenant's buses, oldest first, with one query.</summary>
    private async Task<IEnumerable<TRow>> OfBusesAsync<TRow>(string select, string tenantId, IReadOnlyCollection<string> busIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(busIds);
        if (busIds.Count == 0)
        {
            return [];
        }

        await using var db = await database.OpenAsync(cancellationToken);
        var p = new DynamicParameters();
        p.Add("tenantId", tenantId);
        var ids = SqlLists.In(p, "b", busIds.Distinct());
        return (await db.QueryAsync<TRow>($"{select} WHERE tenant_id = @tenantId AND bus_id IN ({ids}) ORDER BY created_at, id", p)).ToList();
    }

    public async Task<bool> HasRulesAsync(string tenantId, string busId, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        return await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM eb_rules WHERE tenant_id = @tenantId AND bus_id = @busId", new { tenantId, busId }) > 0;
    }

    /// <summary>Reads the targets of rules by id with one query (oldest first).</summary>
    internal static async Task<ILookup<string, EbTarget>> TargetsOfAsync(DbConnection db, string tenantId, IEnumerable<string> ruleIds)
    {
        var p = new DynamicParameters();
        p.Add("tenantId", tenantId);
        var ids = SqlLists.In(p, "r", ruleIds.Distinct());
        if (ids == "NULL")
        {
            return Array.Empty<EbTarget>().ToLookup(t => t.RuleId);
        }

        return (await db.QueryAsync<TargetRow>(
                $"SELECT {TargetColumns} FROM eb_targets WHERE tenant_id = @tenantId AND rule_id IN ({ids}) ORDER BY created_at, id", p))
            .Select(FromRow).ToLookup(t => t.RuleId, StringComparer.Ordinal);
    }

    /// <summary>Reads rules and targets by id (for claimed deliveries, whatever their tenant).</summary>
    internal static async Task<(Dictionary<string, EbRule> Rules, Dictionary<string, EbTarget> Targets)> ByIdsAsync(
        DbConnection db, IEnumerable<string> ruleIds, IEnumerable<string> targetIds)
    {
        var (rp, tp) = (new SqlParameters(), new SqlParameters());
        var rules = SqlLists.In(rp, "r", ruleIds.Distinct());
        var targets = SqlLists.In(tp, "t", targetIds.Distinct());
        var ruleRows = await db.QueryAsync<RuleRow>($"SELECT {RuleColumns} FROM eb_rules WHERE id IN ({rules})", rp);
        var targetRows = await db.QueryAsync<TargetRow>($"SELECT {TargetColumns} FROM eb_targets WHERE id IN ({targets})", tp);
        return (ruleRows.Select(FromRow).ToDictionary(r => r.Id, StringComparer.Ordinal), targetRows.Select(FromRow).ToDictionary(t => t.Id, StringComparer.Ordinal));
    }

    private async Task<bool> LockBusAsync(DbConnection db, DbTransaction transaction, string tenantId, string busId) =>
        await db.ExecuteScalarAsync<string>($"SELECT id FROM event_buses WHERE id = @busId AND tenant_id = @tenantId {database.ForUpdate}",
            new { busId, tenantId }, transaction) is not null;

    private async Task<bool> LockRuleAsync(DbConnection db, DbTransaction transaction, string tenantId, string ruleId, string busId) =>
        await db.ExecuteScalarAsync<string>($"SELECT id FROM eb_rules WHERE id = @ruleId AND tenant_id = @tenantId AND bus_id = @busId {database.ForUpdate}",
            new { ruleId, tenantId, busId }, transaction) is not null;

    private static string Order(EbPage page) => (page.Sort switch
    {
        SortField.CreatedTime => "created_at",
        SortField.Name => "name",
        _ => "updated_at",
    }) + (page.Descending ? " DESC, id DESC" : ", id");

    private static object ToRow(EbRule r) => new
    {
        r.Id, r.TenantId, r.BusId, r.Name, r.Description, Enabled = r.Enabled ? 1 : 0, r.Pattern, r.DeadLetter, r.TransformationId, r.Transformation,
        CreatedAt = r.CreatedAt.ToUnixTimeMilliseconds(), UpdatedAt = r.UpdatedAt.ToUnixTimeMilliseconds(),
    };

    private static object ToRow(EbTarget t) => new
    {
        t.Id, t.TenantId, t.BusId, t.RuleId, t.Type, t.Description, EnableBatch = t.EnableBatchDelivery ? 1 : 0, t.BatchTimeout, t.BatchEventCount,
        CreatedAt = t.CreatedAt.ToUnixTimeMilliseconds(), UpdatedAt = t.UpdatedAt.ToUnixTimeMilliseconds(),
    };

    private static EbRule FromRow(RuleRow r) => new()
    {
        Id = r.Id, TenantId = r.TenantId, BusId = r.BusId, Name = r.Name, Description = r.Description, Enabled = r.Enabled != 0, Pattern = r.Pattern,
        DeadLetter = r.DeadLetter, TransformationId = r.TransformationId, Transformation = r.Transformation,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAt),
    };

    private static EbTarget FromRow(TargetRow t) => new()
    {
        Id = t.Id, TenantId = t.TenantId, BusId = t.BusId, RuleId = t.RuleId, Type = t.Type, Description = t.Description, EnableBatchDelivery = t.EnableBatch != 0,
        BatchTimeout = t.BatchTimeout, BatchEventCount = t.BatchEventCount,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(t.CreatedAt), UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(t.UpdatedAt),
    };

    private sealed class RuleRow
    {
        public string Id { get; init; } = "";
        public string TenantId { get; init; } = "";
        public string BusId { get; init; } = "";
        public string Name { get; init; } = "";
        public string Description { get; init; } = "";
        public long Enabled { get; init; }
        public string Pattern { get; init; } = "";
        public string? DeadLetter { get; init; }
        public string? TransformationId { get; init; }
        public string? Transformation { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
    }

    private sealed class TargetRow
    {
        public string Id { get; init; } = "";
        public string TenantId { get; init; } = "";
        public string BusId { get; init; } = "";
        public string RuleId { get; init; } = "";
        public string Type { get; init; } = "";
        public string Description { get; init; } = "";
        public long EnableBatch { get; init; }
        public long? BatchTimeout { get; init; }
        public long? BatchEventCount { get; init; }
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
    }
}
