using System.Data.Common;
using Dapper;
using Junction.Core.Connections;
using Junction.Core.Dli;

namespace Junction.Storage.Sql;

public sealed class SqlDliStore(IDatabase database) : IDliStore
{
    private const string QueueColumns = """
        tenant_id AS TenantId, name AS Name, queue_id AS QueueId, resource_id AS ResourceId, queue_type AS QueueType,
        description AS Description, cu_count AS CuCount, charging_mode AS ChargingMode, resource_mode AS ResourceMode,
        platform AS Platform, feature AS Feature, engine AS Engine, labels AS Labels, enterprise_project_id AS EnterpriseProjectId,
        elastic_resource_pool_name AS ElasticResourcePoolName, cidr_in_vpc AS CidrInVpc, owner AS Owner, tags_json AS TagsJson,
        created_at AS CreatedAt
        """;

    private const string QuotaScope = "dli-queues";

    public Task<QueueCreateOutcome> CreateQueueAsync(DliQueue queue, int quota, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return database.WriteAsync(async (db, transaction) =>
        {
            try
            {
                await db.ExecuteAsync("""
                    INSERT INTO dli_queues (tenant_id, name, queue_id, resource_id, queue_type, description, cu_count, charging_mode,
                        resource_mode, platform, feature, engine, labels, enterprise_project_id, elastic_resource_pool_name, cidr_in_vpc,
                        owner, tags_json, created_at)
                    VALUES (@TenantId, @Name, @QueueId, @ResourceId, @QueueType, @Description, @CuCount, @ChargingMode,
                        @ResourceMode, @Platform, @Feature, @Engine, @Labels, @EnterpriseProjectId, @ElasticResourcePoolName, @CidrInVpc,
                        @Owner, @TagsJson, @CreatedAt)
                    """,
                    new
                    {
                        queue.TenantId, queue.Name, queue.QueueId, queue.ResourceId, queue.QueueType, queue.Description, queue.CuCount,
                        queue.ChargingMode, queue.ResourceMode, queue.Platform, queue.Feature, queue.Engine, queue.Labels,
                        queue.EnterpriseProjectId, queue.ElasticResourcePoolName, queue.CidrInVpc, queue.Owner, queue.TagsJson,
                        CreatedAt = queue.CreatedAt.ToUnixTimeMilliseconds(),
                    }, transaction);
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return QueueCreateOutcome.NameTaken;
            }

            if (!await SqlQuota.TakeAsync(db, transaction, queue.TenantId, QuotaScope, quota))
            {
                await transaction.RollbackAsync(cancellationToken);
                return QueueCreateOutcome.QuotaExceeded;
            }

            // The queue's number: one more than the tenant's highest, taken while this transaction holds the tenant's
            // queue-quota row, so concurrent creates on any node number one after another and never repeat.
            await db.ExecuteAsync("""
                UPDATE dli_queues SET queue_id = (SELECT COALESCE(MAX(queue_id), 0) + 1 FROM dli_queues WHERE tenant_id = @TenantId)
                WHERE tenant_id = @TenantId AND name = @Name
                """, new { queue.TenantId, queue.Name }, transaction);
            return QueueCreateOutcome.Created;
        }, cancellationToken);
    }

    public async Task<DliQueue?> GetQueueAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<QueueRow>($"SELECT {QueueColumns} FROM dli_queues WHERE tenant_id = @tenantId AND name = @name", new { tenantId, name });
        return row?.ToQueue();
    }

    public async Task<IReadOnlyList<DliQueue>> ListQueuesAsync(string tenantId, string? queueType, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<QueueRow>(
            $"SELECT {QueueColumns} FROM dli_queues WHERE tenant_id = @tenantId AND (@queueType IS NULL OR queue_type = @queueType) ORDER BY name",
            new { tenantId, queueType });
        return rows.Select(r => r.ToQueue()).ToList();
    }

    public Task<QueueDeleteOutcome> DeleteQueueAsync(string tenantId, string name, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) =>
        {
            // The queue's row first, held to the commit: a bind that holds it finishes first and its binding is seen below.
            if (await db.ExecuteScalarAsync<string>($"SELECT name FROM dli_queues WHERE tenant_id = @tenantId AND name = @name {database.ForUpdate}",
                    new { tenantId, name }, transaction) is null)
            {
                return QueueDeleteOutcome.NotFound;
            }

            if (await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM dli_bindings WHERE tenant_id = @tenantId AND queue_name = @name",
                    new { tenantId, name }, transaction) > 0)
            {
                return QueueDeleteOutcome.Bound;
            }

            if (await db.ExecuteAsync("DELETE FROM dli_queues WHERE tenant_id = @tenantId AND name = @name", new { tenantId, name }, transaction) == 0)
            {
                return QueueDeleteOutcome.NotFound;
            }

            await db.ExecuteAsync("UPDATE quota_usage SET used = used - 1 WHERE tenant_id = @tenantId AND scope = @QuotaScope AND used > 0",
                new { tenantId, QuotaScope }, transaction);
            return QueueDeleteOutcome.Deleted;
        }, cancellationToken);

    public Task<bool> UpdateQueueAsync(string tenantId, string name, int? cuCount, string? cidrInVpc, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) => await db.ExecuteAsync(
            "UPDATE dli_queues SET cu_count = COALESCE(@cuCount, cu_count), cidr_in_vpc = COALESCE(@cidrInVpc, cidr_in_vpc) WHERE tenant_id = @tenantId AND name = @name",
            new { cuCount, cidrInVpc, tenantId, name }, transaction) > 0, cancellationToken);

    public async Task<IReadOnlyList<DliBinding>> BindingsAsync(IReadOnlyCollection<string> connectionIds, CancellationToken cancellationToken)
    {
        if (connectionIds.Count == 0)
        {
            return [];
        }

        await using var db = await database.OpenAsync(cancellationToken);
        var parameters = new DynamicParameters();
        var names = connectionIds.Select((id, i) =>
        {
            parameters.Add($"c{i}", id);
            return $"@c{i}";
        }).ToList();
        var rows = await db.QueryAsync<BindingRow>(
            $"SELECT connection_id AS ConnectionId, queue_name AS QueueName, peer_id AS PeerId, bound_at AS BoundAt FROM dli_bindings WHERE connection_id IN ({string.Join(", ", names)}) ORDER BY bound_at, queue_name",
            parameters);
        return rows.Select(r => new DliBinding(r.ConnectionId, r.QueueName, r.PeerId, DateTimeOffset.FromUnixTimeMilliseconds(r.BoundAt))).ToList();
    }

    public async Task<IReadOnlyList<DliBinding>> QueueBindingsAsync(string tenantId, string queueName, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<BindingRow>(
            "SELECT connection_id AS ConnectionId, queue_name AS QueueName, peer_id AS PeerId, bound_at AS BoundAt FROM dli_bindings WHERE tenant_id = @tenantId AND queue_name = @queueName ORDER BY bound_at, connection_id",
            new { tenantId, queueName });
        return rows.Select(r => new DliBinding(r.ConnectionId, r.QueueName, r.PeerId, DateTimeOffset.FromUnixTimeMilliseconds(r.BoundAt))).ToList();
    }

    public Task<BindResult> BindQueuesAsync(string tenantId, string connectionId, IReadOnlyList<DliBinding> bindings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        return database.WriteAsync((db, transaction) => BindAsync(db, transaction, tenantId, connectionId, bindings), cancellationToken);
    }

    public Task<(CreateOutcome Outcome, BindResult? Bind)> CreateConnectionAsync(
        Connection connection, int quota, IReadOnlyList<KeyValuePair<string, string>> tags, IReadOnlyList<DliBinding> bindings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(bindings);
        return database.WriteAsync<(CreateOutcome, BindResult?)>(async (db, transaction) =>
        {
            var outcome = await SqlConnectionStore.InsertAsync(database, db, transaction, connection, quota, cancellationToken);
            if (outcome != CreateOutcome.Created)
            {
                return (outcome, null);
            }

            await WriteTagsAsync(db, transaction, connection.Id, tags);
            if (bindings.Count == 0)
            {
                return (outcome, null);
            }

            var bound = await BindAsync(db, transaction, connection.TenantId, connection.Id, bindings);
            if (bound.Outcome != BindOutcome.Bound)
            {
                // A queue went away (or changed) since the face checked it: nothing of the create is kept.
                await transaction.RollbackAsync(cancellationToken);
                return (CreateOutcome.Refused, bound);
            }

            return (outcome, bound);
        }, cancellationToken);
    }

    /// <summary>Binds queues inside the caller's transaction, holding the connection's and each queue's row to the commit.</summary>
    private async Task<BindResult> BindAsync(DbConnection db, DbTransaction transaction, string tenantId, string connectionId, IReadOnlyList<DliBinding> bindings)
    {
        // The connection's row, held to the commit: a soft delete waits, then drops what this bound.
        if (await db.ExecuteScalarAsync<string>(
                $"SELECT id FROM connections WHERE id = @connectionId AND tenant_id = @tenantId AND scope = @live {database.ForUpdate}",
                new { connectionId, tenantId, live = Scopes.HuaweiDli }, transaction) is null)
        {
            return new BindResult(BindOutcome.ConnectionGone, []);
        }

        foreach (var binding in bindings)
        {
            // Each queue's row, held likewise: a queue delete waits, then sees the binding.
            var mode = await db.QueryFirstOrDefaultAsync<long?>(
                $"SELECT resource_mode FROM dli_queues WHERE tenant_id = @tenantId AND name = @name {database.ForUpdate}",
                new { tenantId, name = binding.QueueName }, transaction);
            if (mode is null)
            {
                return new BindResult(BindOutcome.QueueMissing, [binding.QueueName]);
            }

            if (mode != 1)
            {
                return new BindResult(BindOutcome.QueueNotDedicated, [binding.QueueName]);
            }
        }

        var existing = (await db.QueryAsync<string>("SELECT queue_name FROM dli_bindings WHERE connection_id = @connectionId", new { connectionId }, transaction)).ToHashSet();
        var taken = bindings.Where(b => existing.Contains(b.QueueName)).Select(b => b.QueueName).ToList();
        if (taken.Count > 0)
        {
            return new BindResult(BindOutcome.AlreadyBound, taken);
        }

        foreach (var binding in bindings)
        {
            await db.ExecuteAsync(
                "INSERT INTO dli_bindings (connection_id, tenant_id, queue_name, peer_id, bound_at) VALUES (@ConnectionId, @tenantId, @QueueName, @PeerId, @BoundAt)",
                new { binding.ConnectionId, tenantId, binding.QueueName, binding.PeerId, BoundAt = binding.BoundAt.ToUnixTimeMilliseconds() }, transaction);
        }

        // A new binding is verified at once.
        var now = bindings.Count == 0 ? 0 : bindings.Max(b => b.BoundAt).ToUnixTimeMilliseconds();
        await db.ExecuteAsync("UPDATE connections SET next_check_at = @now WHERE id = @connectionId", new { now, connectionId }, transaction);
        return new BindResult(BindOutcome.Bound, [.. bindings.Select(b => b.QueueName)]);
    }

    public Task<IReadOnlyList<string>> UnbindQueuesAsync(string connectionId, IReadOnlyList<string> queueNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queueNames);
        return database.WriteAsync<IReadOnlyList<string>>(async (db, transaction) =>
        {
            var existing = (await db.QueryAsync<string>("SELECT queue_name FROM dli_bindings WHERE connection_id = @connectionId", new { connectionId }, transaction)).ToHashSet();
            var missing = queueNames.Where(n => !existing.Contains(n)).ToList();
            if (missing.Count > 0)
            {
                return missing;
            }

            foreach (var name in queueNames)
            {
                await db.ExecuteAsync("DELETE FROM dli_bindings WHERE connection_id = @connectionId AND queue_name = @name", new { connectionId, name }, transaction);
            }

            return [];
        }, cancellationToken);
    }

    public Task SetTagsAsync(string connectionId, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) =>
        {
            await WriteTagsAsync(db, transaction, connectionId, tags);
            return 0;
        }, cancellationToken);

    private static async Task WriteTagsAsync(DbConnection db, DbTransaction transaction, string connectionId, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        await db.ExecuteAsync("DELETE FROM dli_tags WHERE connection_id = @connectionId", new { connectionId }, transaction);
        foreach (var (key, value) in tags)
        {
            await db.ExecuteAsync("INSERT INTO dli_tags (connection_id, key, value) VALUES (@connectionId, @key, @value)", new { connectionId, key, value }, transaction);
        }
    }

    public async Task<(long Total, IReadOnlyList<string> Ids)> ListConnectionIdsAsync(
        string tenantId, bool? deleted, string? name, IReadOnlyList<KeyValuePair<string, string>> tags, int offset, int? limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var parameters = new DynamicParameters(new { tenantId, name, offset, limit = limit ?? int.MaxValue, live = Scopes.HuaweiDli, deletedPattern = Scopes.HuaweiDliDeletedPrefix + "%" });
        var where = deleted switch
        {
            true => "scope LIKE @deletedPattern",
            false => "scope = @live",
            null => "(scope = @live OR scope LIKE @deletedPattern)",
        };
        where = $"tenant_id = @tenantId AND {where}";
        if (name is not null)
        {
            where += " AND name = @name";
        }

        // Every pair must match: one pass over the tags, grouped by connection (a connection has each key once), instead
        // of one correlated sub-query per pair. A filter naming one key with two values matches nothing.
        var pairs = tags.Distinct().ToList();
        if (pairs.Select(p => p.Key).Distinct(StringComparer.Ordinal).Count() != pairs.Count)
        {
            return (0, []);
        }

        if (pairs.Count > 0)
        {
            var matches = new List<string>(pairs.Count);
            for (var i = 0; i < pairs.Count; i++)
            {
                parameters.Add($"k{i}", pairs[i].Key);
                parameters.Add($"v{i}", pairs[i].Value);
                matches.Add($"(t.key = @k{i} AND t.value = @v{i})");
            }

            parameters.Add("pairs", pairs.Count);
            where += $" AND id IN (SELECT t.connection_id FROM dli_tags t WHERE {string.Join(" OR ", matches)} GROUP BY t.connection_id HAVING COUNT(*) = @pairs)";
        }

        await using var db = await database.OpenAsync(cancellationToken);
        var ids = await db.QueryAsync<string>($"SELECT id FROM connections WHERE {where} ORDER BY created_at, id LIMIT @limit OFFSET @offset", parameters);
        var total = await db.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM connections WHERE {where}", parameters);
        return (total, ids.ToList());
    }

    public Task<bool> SoftDeleteAsync(string tenantId, string connectionId, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) =>
        {
            var moved = await db.ExecuteAsync("""
                UPDATE connections SET scope = @deleted, next_check_at = NULL, lease_owner = NULL, lease_token = NULL, lease_until = NULL, updated_at = @now
                WHERE id = @connectionId AND tenant_id = @tenantId AND scope = @live
                """,
                new { deleted = Scopes.HuaweiDliDeletedPrefix + connectionId, now = now.ToUnixTimeMilliseconds(), connectionId, tenantId, live = Scopes.HuaweiDli },
                transaction);
            if (moved == 0)
            {
                return false;
            }

            await db.ExecuteAsync("DELETE FROM dli_bindings WHERE connection_id = @connectionId", new { connectionId }, transaction);
            await db.ExecuteAsync("UPDATE quota_usage SET used = used - 1 WHERE tenant_id = @tenantId AND scope = @live AND used > 0",
                new { tenantId, live = Scopes.HuaweiDli }, transaction);
            return true;
        }, cancellationToken);

    public Task<DetailEdit> EditDetailAsync(
        string tenantId, string connectionId, Func<DliConnectionDetail, DetailEdit> edit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edit);
        return database.WriteAsync<DetailEdit>(async (db, transaction) =>
        {
            var parameters = new { connectionId, tenantId, live = Scopes.HuaweiDli };
            var json = await db.QueryFirstOrDefaultAsync<string?>(
                $"SELECT COALESCE(detail_json, '') FROM connections WHERE id = @connectionId AND tenant_id = @tenantId AND scope = @live {database.ForUpdate}",
                parameters, transaction);
            if (json is null)
            {
                return new DetailEdit.NotFound();
            }

            var result = edit(DliConnectionDetail.Parse(json.Length == 0 ? null : json));
            if (result is DetailEdit.Updated updated)
            {
                await db.ExecuteAsync("""
                    UPDATE connections SET detail_json = @detailJson, updated_at = @now, next_check_at = @now
                    WHERE id = @connectionId AND tenant_id = @tenantId AND scope = @live
                    """, new { detailJson = updated.Detail.ToJson(), now = now.ToUnixTimeMilliseconds(), connectionId, tenantId, live = Scopes.HuaweiDli }, transaction);
            }

            return result;
        }, cancellationToken);
    }

    private sealed class BindingRow
    {
        public string ConnectionId { get; init; } = "";
        public string QueueName { get; init; } = "";
        public string PeerId { get; init; } = "";
        public long BoundAt { get; init; }
    }

    private sealed class QueueRow
    {
        public string TenantId { get; init; } = "";
        public string Name { get; init; } = "";
        public long QueueId { get; init; }
        public string ResourceId { get; init; } = "";
        public string QueueType { get; init; } = "";
        public string Description { get; init; } = "";
        public long CuCount { get; init; }
        public long ChargingMode { get; init; }
        public long ResourceMode { get; init; }
        public string Platform { get; init; } = "";
        public string Feature { get; init; } = "";
        public string Engine { get; init; } = "";
        public string? Labels { get; init; }
        public string EnterpriseProjectId { get; init; } = "";
        public string? ElasticResourcePoolName { get; init; }
        public string? CidrInVpc { get; init; }
        public string Owner { get; init; } = "";
        public string? TagsJson { get; init; }
        public long CreatedAt { get; init; }

        public DliQueue ToQueue() => new()
        {
            TenantId = TenantId,
            Name = Name,
            QueueId = QueueId,
            ResourceId = ResourceId,
            QueueType = QueueType,
            Description = Description,
            CuCount = (int)CuCount,
            ChargingMode = (int)ChargingMode,
            ResourceMode = (int)ResourceMode,
            Platform = Platform,
            Feature = Feature,
            Engine = Engine,
            Labels = Labels,
            EnterpriseProjectId = EnterpriseProjectId,
            ElasticResourcePoolName = ElasticResourcePoolName,
            CidrInVpc = CidrInVpc,
            Owner = Owner,
            TagsJson = TagsJson,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        };
    }
}
