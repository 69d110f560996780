using System.Data.Common;
using Dapper;
using Junction.Core.Events;

namespace Junction.Storage.Sql;

/// <summary>EventGrid resources as JSON documents in one table (<c>eg_resources</c>), with the columns the database must check.</summary>
public sealed class SqlEgStore(IDatabase database) : IEgStore
{
    private const string Columns = """
        tenant_id AS TenantId, kind AS Kind, id AS Id, parent_id AS ParentId, name AS Name, unique_name AS UniqueName,
        label AS Label, ref_id AS RefId, body AS Body, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string Insert = """
        INSERT INTO eg_resources (tenant_id, kind, id, parent_id, name, unique_name, label, ref_id, body, created_at, updated_at)
        VALUES (@TenantId, @Kind, @Id, @ParentId, @Name, @UniqueName, @Label, @RefId, @Body, @CreatedAt, @UpdatedAt)
        """;

    public Task<EgWriteOutcome> CreateAsync(EgDocument document, IReadOnlyList<EgDocument> children, EgQuota quota, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(children);
        ArgumentNullException.ThrowIfNull(quota);
        return database.WriteAsync(async (db, transaction) =>
        {
            // The tenant's row is the lock of its EG quotas: concurrent creates (here or on another node) count in turn.
            await db.ExecuteScalarAsync<string>($"SELECT id FROM tenants WHERE id = @TenantId {database.ForUpdate}", new { document.TenantId }, transaction);
            if (EgKinds.ParentOf(document.Kind) is { } parentKind
                && await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM eg_resources WHERE tenant_id = @TenantId AND kind = @parentKind AND id = @ParentId",
                    new { document.TenantId, parentKind, document.ParentId }, transaction) == 0)
            {
                return EgWriteOutcome.ParentMissing;
            }

            var used = await db.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM eg_resources WHERE tenant_id = @TenantId AND kind = @Kind AND (@perParent = 0 OR parent_id = @ParentId) AND (label IS NULL OR label <> 'OFFICIAL')",
                new { document.TenantId, document.Kind, document.ParentId, perParent = quota.PerParent ? 1 : 0 }, transaction);
            if (used >= quota.Limit)
            {
                return EgWriteOutcome.QuotaExceeded;
            }

            try
            {
                await db.ExecuteAsync(Insert, Parameters(document), transaction);
                foreach (var child in children)
                {
                    await db.ExecuteAsync(Insert, Parameters(child), transaction);
                }
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return EgWriteOutcome.NameTaken;
            }

            await ResourceGenerations.BumpAsync(db, transaction, document.TenantId, ResourceGenerations.Eg);
            return EgWriteOutcome.Done;
        }, cancellationToken);
    }

    public async Task<EgDocument?> GetAsync(string tenantId, string kind, string id, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<Row>($"SELECT {Columns} FROM eg_resources WHERE tenant_id = @tenantId AND kind = @kind AND id = @id", new { tenantId, kind, id });
        return rows.Select(FromRow).SingleOrDefault();
    }

    public async Task<(long Total, IReadOnlyList<EgDocument> Items)> ListAsync(EgQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = "tenant_id = @TenantId AND kind = @Kind";
        if (query.ParentId is not null)
        {
            where += " AND parent_id = @ParentId";
        }

        if (query.Name is not null)
        {
            where += " AND name = @Name";
        }

        if (query.NameContains is not null)
        {
            where += " AND " + database.ContainsExpression("name", "@NameContains");
        }

        if (query.Label is not null)
        {
            where += " AND label = @Label";
        }

        if (query.RefId is not null)
        {
            where += query.Kind == EgKinds.Subscription
                ? " AND id IN (SELECT parent_id FROM eg_resources WHERE tenant_id = @TenantId AND kind = 'target' AND ref_id = @RefId)"
                : " AND ref_id = @RefId";
        }

        var column = query.Sort switch
        {
            "name" => "name",
            "updated_at" => "updated_at",
            _ => "created_at",
        };
        var direction = query.Descending ? "DESC" : "ASC";
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<Row>(
            $"SELECT {Columns} FROM eg_resources WHERE {where} ORDER BY {column} {direction}, id {direction} LIMIT @Limit OFFSET @Offset", query);
        var total = await db.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM eg_resources WHERE {where}", query);
        return (total, rows.Select(FromRow).ToList());
    }

    public async Task<IReadOnlyList<EgDocument>> ReferencingAsync(string tenantId, string kind, string refId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<Row>(
            $"SELECT {Columns} FROM eg_resources WHERE tenant_id = @tenantId AND kind = @kind AND ref_id = @refId ORDER BY created_at, id LIMIT @limit",
            new { tenantId, kind, refId, limit });
        return rows.Select(FromRow).ToList();
    }

    public Task<long> GenerationAsync(string tenantId, CancellationToken cancellationToken) =>
        ResourceGenerations.ReadAsync(database, tenantId, ResourceGenerations.Eg, cancellationToken);

    public async Task<IReadOnlyList<EgDocument>> ChildrenAsync(string tenantId, string kind, IReadOnlyCollection<string> parentIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parentIds);
        if (parentIds.Count == 0)
        {
            return [];
        }

        await using var db = await database.OpenAsync(cancellationToken);
        var parameters = new DynamicParameters(new { tenantId, kind });
        var parents = SqlLists.In(parameters, "p", parentIds);
        var rows = await db.QueryAsync<Row>(
            $"SELECT {Columns} FROM eg_resources WHERE tenant_id = @tenantId AND kind = @kind AND parent_id IN ({parents}) ORDER BY created_at, id",
            parameters);
        return rows.Select(FromRow).ToList();
    }

    public Task<EgWriteOutcome> ReplaceAsync(EgDocument document, IReadOnlyList<EgDocument>? children, CancellationToken cancellationToken, DateTimeOffset? ifUpdatedAt = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        return database.WriteAsync(async (db, transaction) =>
        {
            try
            {
                var parameters = new DynamicParameters(Parameters(document));
                parameters.Add("ifUpdatedAt", ifUpdatedAt?.ToUnixTimeMilliseconds(), System.Data.DbType.Int64);
                var updated = await db.ExecuteAsync("""
                    UPDATE eg_resources SET name = @Name, unique_name = @UniqueName, label = @Label, ref_id = @RefId, body = @Body, updated_at = @UpdatedAt
                    WHERE tenant_id = @TenantId AND kind = @Kind AND id = @Id AND (@ifUpdatedAt IS NULL OR updated_at = @ifUpdatedAt)
                    """, parameters, transaction);
                if (updated == 0)
                {
                    var exists = await db.ExecuteScalarAsync<long>(
                        "SELECT COUNT(*) FROM eg_resources WHERE tenant_id = @TenantId AND kind = @Kind AND id = @Id", new { document.TenantId, document.Kind, document.Id }, transaction);
                    return exists == 0 ? EgWriteOutcome.NotFound : EgWriteOutcome.Conflict;
                }

                if (children is not null)
                {
                    var keep = children.Select(c => c.Id).ToList();
                    var existing = (await db.QueryAsync<string>(
                        "SELECT id FROM eg_resources WHERE tenant_id = @TenantId AND parent_id = @Id AND kind = 'target'", new { document.TenantId, document.Id }, transaction)).ToHashSet(StringComparer.Ordinal);
                    foreach (var gone in existing.Except(keep))
                    {
                        await db.ExecuteAsync("DELETE FROM eg_resources WHERE tenant_id = @TenantId AND kind = 'target' AND id = @gone", new { document.TenantId, gone }, transaction);
                    }

                    foreach (var child in children)
                    {
                        if (existing.Contains(child.Id))
                        {
                            await db.ExecuteAsync("""
                                UPDATE eg_resources SET name = @Name, ref_id = @RefId, body = @Body, updated_at = @UpdatedAt
                                WHERE tenant_id = @TenantId AND kind = @Kind AND id = @Id
                                """, Parameters(child), transaction);
                        }
                        else
                        {
                            await db.ExecuteAsync(Insert, Parameters(child), transaction);
                        }
                    }
                }

                await ResourceGenerations.BumpAsync(db, transaction, document.TenantId, ResourceGenerations.Eg);
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return EgWriteOutcome.NameTaken;
            }

            return EgWriteOutcome.Done;
        }, cancellationToken);
    }

    public Task<EgWriteOutcome> DeleteAsync(string tenantId, string kind, string id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) =>
        {
            if (kind == EgKinds.Channel && await db.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM eg_resources WHERE tenant_id = @tenantId AND kind IN ('source', 'subscription') AND parent_id = @id",
                    new { tenantId, id }, transaction) > 0)
            {
                return EgWriteOutcome.InUse;
            }

            var deleted = await db.ExecuteAsync("DELETE FROM eg_resources WHERE tenant_id = @tenantId AND kind = @kind AND id = @id", new { tenantId, kind, id }, transaction);
            if (deleted == 0)
            {
                return EgWriteOutcome.NotFound;
            }

            if (kind == EgKinds.Subscription)
            {
                await db.ExecuteAsync("DELETE FROM eg_resources WHERE tenant_id = @tenantId AND kind = 'target' AND parent_id = @id", new { tenantId, id }, transaction);
            }

            await ResourceGenerations.BumpAsync(db, transaction, tenantId, ResourceGenerations.Eg);
            return EgWriteOutcome.Done;
        }, cancellationToken);

    private static object Parameters(EgDocument d) => new
    {
        d.TenantId,
        d.Kind,
        d.Id,
        d.ParentId,
        d.Name,
        UniqueName = d.UniqueName ? d.Name : null,
        d.Label,
        d.RefId,
        d.Body,
        CreatedAt = d.CreatedAt.ToUnixTimeMilliseconds(),
        UpdatedAt = d.UpdatedAt.ToUnixTimeMilliseconds(),
    };

    private static EgDocument FromRow(Row r) => new(
        r.TenantId, r.Kind, r.Id, r.ParentId, r.Name, r.UniqueName is not null, r.Label, r.RefId, r.Body,
        DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAt));

    private sealed class Row
    {
        public string TenantId { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Id { get; init; } = "";
        public string? ParentId { get; init; }
        public string Name { get; init; } = "";
        public string? UniqueName { get; init; }
        public string? Label { get; init; }
        public string? RefId { get; init; }
        public string Body { get; init; } = "";
        public long CreatedAt { get; init; }
        public long UpdatedAt { get; init; }
    }
}
