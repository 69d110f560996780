using Dapper;
using Junction.Core.Connections;
using Junction.Core.Delivery;
using Junction.Core.Events;
using Junction.Core.Work;
using Junction.Storage.Sql.Leasing;

namespace Junction.Storage.Sql;

/// <summary>
/// The event log (<c>events</c>), its delivery jobs (<c>deliveries</c>, leased work due at <c>next_at</c> and shared
/// fairly between connections) and their attempts. A job that needs no more attempts has no due time, so it leaves the
/// claim's index. The attempt that delivers a job to its target is kept on the job's row (<c>success_*</c>), the others
/// in <c>delivery_attempts</c>: a delivered job's completion writes one row, not two (<see cref="IsKeptOnTheJob"/>).
/// </summary>
public sealed class SqlDeliveryStore(IDatabase database) : IDeliveryStore
{
    /// <summary>
    /// A claim looks at 2 due jobs per job it takes, not 16: numbering and sorting that window was most of a claim's cost
    /// (SQLite: 5.5 ms for 4,096 rows against 0.8 ms for 512, in a claim of 256), and what keeps one connection's backlog
    /// from taking every slot here is the per-connection cap and the skipping of connections at their limit
    /// (<see cref="OwnerLimits"/>), which a wider window adds little to.
    /// </summary>
    private static readonly LeaseTable s_table = new("deliveries", "id", "next_at", "connection_key", WindowPerItem: 2);

    private const string JobColumns = """
        id AS Id, tenant_id AS TenantId, event_seq AS EventSeq, subscription_id AS SubscriptionId, target_id AS TargetId,
        connection_key AS ConnectionKey, phase AS Phase, first_failure_at AS FirstFailureAt, last_error AS LastError, attempts AS Attempts, target_attempts AS TargetAttempts,
        face AS Face, lease_token AS LeaseToken, lease_until AS LeaseUntil
        """;

    private static readonly LeaseClaim s_claim = new(s_table, JobColumns);

    private const string InfoColumns = """
        d.id AS Id, d.tenant_id AS TenantId, d.event_seq AS EventSeq, e.event_id AS EventId, e.source AS EventSource, e.type AS EventType,
        e.channel_id AS ChannelId, d.subscription_id AS SubscriptionId, d.target_id AS TargetId, d.connection_key AS ConnectionKey,
        d.state AS State, d.phase AS Phase, d.attempts AS Attempts, d.created_at AS CreatedAt, d.next_at AS NextAt,
        d.first_failure_at AS FirstFailureAt, d.finished_at AS FinishedAt, d.last_error AS LastError
        """;

    /// <summary>
    /// The attempts of the jobs listed by <c>{0}</c> (a parameter list), in the order they were made: the rows of
    /// <c>delivery_attempts</c>, then each delivered job's successful attempt from its own row — always its last.
    /// </summary>
    private const string AttemptsOf = """
        SELECT DeliveryId, Phase, Node, At, DurationMs, Kind, Code, Message, Status FROM (
            SELECT delivery_id AS DeliveryId, phase AS Phase, node AS Node, at AS At, duration_ms AS DurationMs, kind AS Kind, code AS Code,
                message AS Message, status AS Status, 0 AS Last, seq AS Seq
            FROM delivery_attempts WHERE delivery_id IN ({0})
            UNION ALL
            SELECT id, 'Target', success_node, success_at, success_ms, 'Success', success_code, success_message, success_status, 1, id
            FROM deliveries WHERE id IN ({0}) AND success_at IS NOT NULL
        ) a ORDER BY Last, Seq
        """;

    private static string AttemptsOfSql(string ids) => string.Format(System.Globalization.CultureInfo.InvariantCulture, AttemptsOf, ids);

    /// <summary>
    /// Writes the events and their jobs in one transaction: each through a statement prepared once and run per row (an
    /// event answers its sequence number), the jobs after the events. Jobs under <paramref name="lease"/> are written
    /// leased, due at the lease's end (as a claim leaves them), so that no claim takes them while they are held.
    /// </summary>
    public Task<AppendResult> AppendAsync(IReadOnlyList<AcceptedEvent> events, DateTimeOffset now, FreshLease? lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var at = now.ToUnixTimeMilliseconds();
        return database.WriteAsync(async (db, transaction) =>
        {
            var sequence = new List<long>(events.Count);
            await using (var insert = new PreparedStatement(db, transaction, """
                INSERT INTO events (tenant_id, channel_id, source, event_id, type, subject, body, received_at, face)
                VALUES (@tenant, @channel, @source, @id, @type, @subject, @body, @at, @face)
                RETURNING seq
                """, "tenant", "channel", "source", "id", "type", "subject", "body", "at", "face"))
            {
                foreach (var e in events)
                {
                    sequence.Add(await insert.ScalarAsync(
                        cancellationToken, e.TenantId, e.ChannelId, e.Source, e.EventId, e.Type, e.Subject, System.Text.Encoding.UTF8.GetString(e.Body), at, e.Face));
                }
            }

            var leased = new List<long>(lease?.Jobs ?? 0);
            if (events.Any(e => e.Deliveries.Count > 0))
            {
                await using var job = new PreparedStatement(db, transaction, """
                    INSERT INTO deliveries (tenant_id, event_seq, subscription_id, target_id, connection_key, state, phase, attempts, next_at, created_at, face)
                    VALUES (@tenant, @seq, @subscription, @target, @connection, 'Pending', 'Target', 0, @at, @at, @face)
                    """, "tenant", "seq", "subscription", "target", "connection", "at", "face");
                await using var leasedJob = lease is null ? null : new PreparedStatement(db, transaction, """
                    INSERT INTO deliveries (tenant_id, event_seq, subscription_id, target_id, connection_key, state, phase, attempts, next_at, created_at, face,
                        lease_owner, lease_token, lease_until)
                    VALUES (@tenant, @seq, @subscription, @target, @connection, 'Pending', 'Target', 0, @until, @at, @face, @node, @token, @until)
                    RETURNING id
                    """, "tenant", "seq", "subscription", "target", "connection", "at", "face", "until", "node", "token");
                var until = lease?.Until.ToUnixTimeMilliseconds();
                for (var i = 0; i < events.Count; i++)
                {
                    foreach (var d in events[i].Deliveries)
                    {
                        if (leasedJob is not null && leased.Count < lease!.Jobs)
                        {
                            leased.Add(await leasedJob.ScalarAsync(
                                cancellationToken, events[i].TenantId, sequence[i], d.SubscriptionId, d.TargetId, d.ConnectionKey, at, events[i].Face, until, lease.Node, lease.Token));
                        }
                        else
                        {
                            await job.ExecuteAsync(cancellationToken, events[i].TenantId, sequence[i], d.SubscriptionId, d.TargetId, d.ConnectionKey, at, events[i].Face);
                        }
                    }
                }
            }

            return new AppendResult(sequence, leased);
        }, cancellationToken);
    }

    /// <summary>Writes the events and their jobs, every job due at once; answers each event's sequence number.</summary>
    public async Task<IReadOnlyList<long>> AppendAsync(IReadOnlyList<AcceptedEvent> events, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await AppendAsync(events, now, null, cancellationToken)).Sequences;

    public async Task<IReadOnlyList<Lease<DeliveryWork>>> AdoptAsync(IReadOnlyList<(long Id, string Token)> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0)
        {
            return [];
        }

        await using var db = await database.OpenAsync(cancellationToken);
        var p = new SqlParameters();
        var list = SqlLists.In(p, "j", jobs.Select(j => j.Id));
        var tokens = jobs.ToDictionary(j => j.Id, j => j.Token);
        var rows = (await db.QueryAsync<JobRow>($"SELECT {JobColumns} FROM deliveries WHERE id IN ({list})", p))
            .Where(r => r.LeaseToken is not null && r.LeaseToken == tokens.GetValueOrDefault(r.Id))
            .ToList();
        return await LeasesAsync(db, rows);
    }

    public Task<IReadOnlyList<Lease<DeliveryWork>>> ClaimAsync(string node, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        ClaimAsync(node, now, lease, max, OwnerLimits.None, cancellationToken);

    public async Task<IReadOnlyList<Lease<DeliveryWork>>> ClaimAsync(
        string node, DateTimeOffset now, TimeSpan lease, int max, OwnerLimits limits, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var until = now + lease;
        var (sql, parameters) = s_claim.For(node, token, until, now, max, limits);
        var jobs = await database.WriteAsync<IReadOnlyList<JobRow>>(async (db, transaction) =>
            [.. await db.QueryAsync<JobRow>(sql, parameters, transaction)],
            cancellationToken);
        if (jobs.Count == 0)
        {
            return [];
        }

        await using var db = await database.OpenAsync(cancellationToken);
        return await LeasesAsync(db, jobs);
    }

    /// <summary>
    /// Leases of <paramref name="jobs"/> (read with their lease columns) with what their attempts need (event bodies,
    /// targets, routes, connections), read once for them all.
    /// </summary>
    private static async Task<IReadOnlyList<Lease<DeliveryWork>>> LeasesAsync(System.Data.Common.DbConnection db, IReadOnlyList<JobRow> jobs)
    {
        if (jobs.Count == 0)
        {
            return [];
        }

        // Each query binds only its own list.
        var (sp, tp, up) = (new SqlParameters(), new SqlParameters(), new SqlParameters());
        var eg = jobs.Where(j => j.Face != DeliveryFaces.Eb).ToList();
        var eb = jobs.Where(j => j.Face == DeliveryFaces.Eb).ToList();
        var seqs = SqlLists.In(sp, "s", jobs.Select(j => j.EventSeq).Distinct());
        var targetIds = SqlLists.In(tp, "t", eg.Select(j => j.TargetId).Distinct());
        var subscriptionIds = SqlLists.In(up, "u", eg.Select(j => j.SubscriptionId).Distinct());
        var bodies = (await db.QueryAsync<(long Seq, string Body)>($"SELECT seq, body FROM events WHERE seq IN ({seqs})", sp))
            .ToDictionary(r => r.Seq, r => r.Body);
        var targets = (await db.QueryAsync<(string TenantId, string Id, string Body)>(
                $"SELECT tenant_id, id, body FROM eg_resources WHERE kind = 'target' AND id IN ({targetIds})", tp))
            .ToDictionary(r => (r.TenantId, r.Id), r => EgJson.Read<EgTarget>(r.Body));
        var subscriptions = (await db.QueryAsync<(string TenantId, string Id, string Name)>(
                $"SELECT tenant_id, id, name FROM eg_resources WHERE kind = 'subscription' AND id IN ({subscriptionIds})", up))
            .ToDictionary(r => (r.TenantId, r.Id), r => r.Name);
        var connectionIds = targets.Values.Select(t => t.ConnectionId).Where(c => !string.IsNullOrEmpty(c)).Distinct().ToList();
        var connections = new Dictionary<string, Connection>(StringComparer.Ordinal);
        if (connectionIds.Count > 0)
        {
            var cp = new SqlParameters();
            var ids = SqlLists.In(cp, "c", connectionIds);
            foreach (var connection in await SqlConnectionStore.ReadAsync(db, $"SELECT {SqlConnectionStore.Columns} FROM connections WHERE id IN ({ids})", cp))
            {
                connections[connection.Id] = connection;
            }
        }

        var (ebRules, ebTargets) = eb.Count == 0
            ? ([], [])
            : await SqlEbRuleStore.ByIdsAsync(db, eb.Select(j => j.SubscriptionId), eb.Select(j => j.TargetId));
        return jobs.Select(j =>
        {
            var body = System.Text.Encoding.UTF8.GetBytes(bodies.GetValueOrDefault(j.EventSeq) ?? "{}");
            if (j.Face == DeliveryFaces.Eb)
            {
                // Another tenant's rule or target under the same id never stands in for a deleted one.
                var rule = ebRules.GetValueOrDefault(j.SubscriptionId) is { } r && r.TenantId == j.TenantId ? r : null;
                var ebTarget = ebTargets.GetValueOrDefault(j.TargetId) is { } t && t.TenantId == j.TenantId && t.RuleId == j.SubscriptionId ? t : null;
                var ebWork = new DeliveryWork(
                    j.Id, j.TenantId, j.EventSeq, j.SubscriptionId, j.TargetId, j.ConnectionKey, Enum.Parse<DeliveryPhase>(j.Phase),
                    Time(j.FirstFailureAt), j.LastError, j.TargetAttempts, body, null, rule?.Name, null, DeliveryFaces.Eb, rule, ebTarget);
                return new Lease<DeliveryWork>(ebWork, j.LeaseToken!, j.Attempts, Time(j.LeaseUntil)!.Value);
            }

            var target = targets.GetValueOrDefault((j.TenantId, j.TargetId));
            Connection? connection = null;
            if (target?.ConnectionId is { } cid && connections.TryGetValue(cid, out var found) && found.TenantId == j.TenantId)
            {
                connection = found;
            }

            var work = new DeliveryWork(
                j.Id, j.TenantId, j.EventSeq, j.SubscriptionId, j.TargetId, j.ConnectionKey, Enum.Parse<DeliveryPhase>(j.Phase),
                Time(j.FirstFailureAt), j.LastError, j.TargetAttempts, body,
                target, subscriptions.GetValueOrDefault((j.TenantId, j.SubscriptionId)), connection);
            return new Lease<DeliveryWork>(work, j.LeaseToken!, j.Attempts, Time(j.LeaseUntil)!.Value);
        }).ToList();
    }

    public async Task<bool> CompleteAsync(Lease<DeliveryWork> lease, DeliveryCompletion completion, CancellationToken cancellationToken) =>
        (await CompleteManyAsync([(lease, completion)], cancellationToken))[0];

    /// <summary>
    /// Records a batch of completions in one transaction: per completion, the job's update fenced by its lease (a job
    /// another node took over, or a deleted one, changes no row and is not recorded) and, if it held, the attempt — two
    /// statements each prepared once. On PostgreSQL the batch's rows are locked first, in id order, so that two
    /// transactions touching the same jobs (a completion batch and another node's claim of an expired lease) wait for
    /// each other instead of deadlocking; SQLite has one writer.
    /// </summary>
    public Task<IReadOnlyList<bool>> CompleteManyAsync(IReadOnlyList<(Lease<DeliveryWork> Lease, DeliveryCompletion Completion)> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        return database.WriteAsync<IReadOnlyList<bool>>(async (db, transaction) =>
        {
            if (database.ForUpdate.Length > 0)
            {
                var p = new SqlParameters();
                var ids = SqlLists.In(p, "d", items.Select(i => i.Lease.Item.Id).Distinct());
                await db.ExecuteAsync($"SELECT id FROM deliveries WHERE id IN ({ids}) ORDER BY id {database.ForUpdate}", p, transaction);
            }

            // The success_* columns hold the delivering attempt (IsKeptOnTheJob) and stay null otherwise: a job whose
            // row holds one is delivered, and no later completion changes it.
            await using var update = new PreparedStatement(db, transaction, $"""
                UPDATE deliveries
                SET state = @state, phase = @phase, attempts = @attempts, target_attempts = @targetAttempts, next_at = @nextAt, first_failure_at = @firstFailureAt,
                    last_error = @lastError, finished_at = @finished, {LeaseSql.ClearLease},
                    success_at = @at, success_ms = @duration, success_node = @node, success_code = @code, success_message = @message, success_status = @status
                WHERE {LeaseSql.Fence(s_table)}
                """, "state", "phase", "attempts", "targetAttempts", "nextAt", "firstFailureAt", "lastError", "finished",
                "at", "duration", "node", "code", "message", "status", "Id", "Token");
            await using var insert = new PreparedStatement(db, transaction, """
                INSERT INTO delivery_attempts (delivery_id, phase, node, at, duration_ms, kind, code, message, status)
                VALUES (@delivery, @phase, @node, @at, @duration, @kind, @code, @message, @status)
                """, "delivery", "phase", "node", "at", "duration", "kind", "code", "message", "status");
            var recorded = new bool[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                var (lease, completion) = items[i];
                var finished = completion.State is DeliveryState.Pending ? (long?)null : completion.Attempt.At.ToUnixTimeMilliseconds();
                var a = completion.Attempt;
                var kept = IsKeptOnTheJob(completion);
                recorded[i] = await update.ExecuteAsync(
                    cancellationToken, completion.State.ToString(), completion.Phase.ToString(), completion.Attempts, completion.TargetAttempts,
                    completion.NextAt?.ToUnixTimeMilliseconds(), completion.FirstFailureAt?.ToUnixTimeMilliseconds(), completion.LastError, finished,
                    kept ? a.At.ToUnixTimeMilliseconds() : null, kept ? a.DurationMs : null, kept ? a.Node : null, kept ? a.Code : null,
                    kept ? a.Message : null, kept ? a.Status : null, lease.Item.Id, lease.Token) > 0;
                if (!recorded[i] || kept)
                {
                    continue;
                }

                await insert.ExecuteAsync(
                    cancellationToken, a.DeliveryId, a.Phase.ToString(), a.Node, a.At.ToUnixTimeMilliseconds(), a.DurationMs, a.Kind.ToString(), a.Code, a.Message, a.Status);
            }

            return recorded;
        }, cancellationToken);
    }

    /// <summary>
    /// Whether a completion's attempt is kept on the job's row rather than in its own: the success that delivers the job to
    /// its target, which is its last attempt (a delivered job is never redriven). A dead-letter queue's success, a
    /// filtered event and every failure get a row of their own.
    /// </summary>
    internal static bool IsKeptOnTheJob(DeliveryCompletion completion) =>
        completion.State == DeliveryState.Delivered && completion.Attempt.Kind == AttemptKind.Success && completion.Attempt.Phase == DeliveryPhase.Target;

    public Task<bool> DeferAsync(Lease<DeliveryWork> lease, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return database.WriteAsync(async (db, transaction) => await db.ExecuteAsync(
            $"UPDATE deliveries SET next_at = @at, {LeaseSql.ClearLease} WHERE {LeaseSql.Fence(s_table)}",
            new { at = at.ToUnixTimeMilliseconds(), lease.Item.Id, lease.Token }, transaction) > 0, cancellationToken);
    }

    public Task ReleaseAsync(string node, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync((db, transaction) => db.ExecuteAsync(LeaseSql.Release(s_table), new { node, now = now.ToUnixTimeMilliseconds() }, transaction), cancellationToken);

    public async Task<(long Total, IReadOnlyList<DeliveryInfo> Items)> ListAsync(DeliveryFilter filter, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var (where, parameters) = Where(filter);
        parameters.Add("offset", offset);
        parameters.Add("limit", limit);
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<InfoRow>(
            $"SELECT {InfoColumns} FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE {where} ORDER BY d.id DESC LIMIT @limit OFFSET @offset", parameters);
        var total = await db.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM deliveries d WHERE {where}", parameters);
        return (total, rows.Select(Info).ToList());
    }

    public Task<int> RedriveAsync(DeliveryFilter filter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var (where, parameters) = Where(filter);
        parameters.Add("now", now.ToUnixTimeMilliseconds());
        return database.WriteAsync((db, transaction) => db.ExecuteAsync($"""
            UPDATE deliveries
            SET state = 'Pending', phase = 'Target', attempts = 0, target_attempts = 0, next_at = @now, first_failure_at = NULL, finished_at = NULL
            WHERE id IN (
                SELECT d.id FROM deliveries d WHERE {where} AND d.state = 'Failed'
                UNION ALL
                SELECT d.id FROM deliveries d WHERE {where} AND d.state = 'DeadLettered')
            """, parameters, transaction), cancellationToken);
    }

    public async Task<IReadOnlyList<AttemptRecord>> AttemptsAsync(long deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<AttemptRow>(AttemptsOfSql("@deliveryId"), new { deliveryId });
        return rows.Select(Attempt).ToList();
    }

    public async Task<IReadOnlyList<DeliveryMinute>> MinutesAsync(DateTimeOffset from, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        // The successes kept on their jobs are found by the partial index on success_at.
        var rows = await db.QueryAsync<(long Minute, string Phase, string Kind, long Count)>("""
            SELECT at / 60000, phase, kind, COUNT(*) FROM delivery_attempts WHERE at >= @from GROUP BY at / 60000, phase, kind
            UNION ALL
            SELECT success_at / 60000, 'Target', 'Success', COUNT(*) FROM deliveries WHERE success_at >= @from GROUP BY success_at / 60000
            """,
            new { from = from.ToUnixTimeMilliseconds() });
        return [.. rows.GroupBy(r => r.Minute).OrderBy(g => g.Key).Select(g => new DeliveryMinute(
            DateTimeOffset.FromUnixTimeMilliseconds(g.Key * 60_000),
            Count(g, nameof(DeliveryPhase.Target), nameof(AttemptKind.Success)),
            Count(g, nameof(DeliveryPhase.Target), nameof(AttemptKind.Retryable)),
            Count(g, nameof(DeliveryPhase.Target), nameof(AttemptKind.Terminal)),
            Count(g, nameof(DeliveryPhase.DeadLetter), nameof(AttemptKind.Success))))];

        static int Count(IEnumerable<(long Minute, string Phase, string Kind, long Count)> rows, string phase, string kind) =>
            (int)rows.Where(r => r.Phase == phase && r.Kind == kind).Sum(r => r.Count);
    }

    public async Task<(long Total, IReadOnlyList<EventTrace> Items)> TracesAsync(TraceQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = "tenant_id = @TenantId AND channel_id = @ChannelId AND received_at >= @from AND received_at <= @to";
        where += query.EventId is null ? "" : " AND event_id = @EventId";
        where += query.Source is null ? "" : " AND source = @Source";
        where += query.Type is null ? "" : " AND type = @Type";
        where += query.SubscriptionId is null ? "" : " AND seq IN (SELECT event_seq FROM deliveries WHERE tenant_id = @TenantId AND subscription_id = @SubscriptionId)";
        var parameters = new DynamicParameters(query);
        parameters.Add("from", query.From.ToUnixTimeMilliseconds());
        parameters.Add("to", query.To.ToUnixTimeMilliseconds());
        await using var db = await database.OpenAsync(cancellationToken);
        var events = (await db.QueryAsync<EventRow>(
            $"SELECT seq AS Seq, tenant_id AS TenantId, channel_id AS ChannelId, event_id AS EventId, source AS Source, type AS Type, received_at AS ReceivedAt FROM events WHERE {where} ORDER BY seq DESC LIMIT @Limit OFFSET @Offset",
            parameters)).ToList();
        var total = await db.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM events WHERE {where}", parameters);
        return (total, await WithDeliveriesAsync(db, events));
    }

    public async Task<EventTrace?> TraceAsync(string tenantId, long seq, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var events = (await db.QueryAsync<EventRow>(
            "SELECT seq AS Seq, tenant_id AS TenantId, channel_id AS ChannelId, event_id AS EventId, source AS Source, type AS Type, received_at AS ReceivedAt FROM events WHERE tenant_id = @tenantId AND seq = @seq",
            new { tenantId, seq })).ToList();
        return (await WithDeliveriesAsync(db, events)).SingleOrDefault();
    }

    public Task<int> PruneAsync(DateTimeOffset before, int batch, CancellationToken cancellationToken) =>
        database.WriteAsync(async (db, transaction) =>
        {
            var seqs = (await db.QueryAsync<long>("""
                SELECT seq FROM events e
                WHERE received_at < @before
                  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = e.seq AND d.state IN ('Pending', 'Failed'))
                ORDER BY seq LIMIT @batch
                """, new { before = before.ToUnixTimeMilliseconds(), batch }, transaction)).ToList();
            if (seqs.Count == 0)
            {
                return 0;
            }

            var p = new DynamicParameters();
            var list = SqlLists.In(p, "s", seqs);
            await db.ExecuteAsync($"DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE event_seq IN ({list}))", p, transaction);
            await db.ExecuteAsync($"DELETE FROM deliveries WHERE event_seq IN ({list})", p, transaction);
            await db.ExecuteAsync($"DELETE FROM events WHERE seq IN ({list})", p, transaction);
            return seqs.Count;
        }, cancellationToken);

    private static async Task<IReadOnlyList<EventTrace>> WithDeliveriesAsync(System.Data.Common.DbConnection db, List<EventRow> events)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var p = new DynamicParameters();
        var seqs = SqlLists.In(p, "s", events.Select(e => e.Seq));
        var deliveries = (await db.QueryAsync<InfoRow>($"SELECT {InfoColumns} FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.event_seq IN ({seqs}) ORDER BY d.id", p))
            .Select(Info).ToList();
        var attempts = new List<AttemptRecord>();
        if (deliveries.Count > 0)
        {
            var ap = new DynamicParameters();
            var ids = SqlLists.In(ap, "d", deliveries.Select(d => d.Id));
            attempts = (await db.QueryAsync<AttemptRow>(AttemptsOfSql(ids), ap))
                .Select(Attempt).ToList();
        }

        var byEvent = deliveries.ToLookup(d => d.EventSeq);
        var byDelivery = attempts.ToLookup(a => a.DeliveryId);
        return events.Select(e =>
        {
            var mine = byEvent[e.Seq].ToList();
            return new EventTrace(e.Seq, e.TenantId, e.ChannelId, e.EventId, e.Source, e.Type, DateTimeOffset.FromUnixTimeMilliseconds(e.ReceivedAt),
                mine, [.. mine.SelectMany(d => byDelivery[d.Id])]);
        }).ToList();
    }

    private static (string Where, DynamicParameters Parameters) Where(DeliveryFilter filter)
    {
        var parameters = new DynamicParameters();
        var where = "1 = 1";
        if (filter.TenantId is not null)
        {
            where += " AND d.tenant_id = @tenantId";
            parameters.Add("tenantId", filter.TenantId);
        }

        if (filter.State is { } state)
        {
            if (!Enum.IsDefined(state))
            {
                throw new ArgumentOutOfRangeException(nameof(filter), state, "unknown delivery state");
            }

            // The state is written into the SQL (it is one of the enum's names) so that the planner can use the partial
            // indexes of migration 15: pending jobs are those with a due time, failed and dead-lettered ones have an
            // index each; delivered and dropped ones have none (a completion no longer moves an index entry by state).
            where += state == DeliveryState.Pending
                ? " AND d.state = 'Pending' AND d.next_at IS NOT NULL"
                : $" AND d.state = '{state}'";
        }

        if (filter.SubscriptionId is not null)
        {
            where += " AND d.subscription_id = @subscriptionId";
            parameters.Add("subscriptionId", filter.SubscriptionId);
        }

        if (filter.TargetId is not null)
        {
            where += " AND d.target_id = @targetId";
            parameters.Add("targetId", filter.TargetId);
        }

        if (filter.Ids is { } ids)
        {
            where += $" AND d.id IN ({SqlLists.In(parameters, "i", ids)})";
        }

        return (where, parameters);
    }

    private static DateTimeOffset? Time(long? ms) => ms is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms.Value);

    private static DeliveryInfo Info(InfoRow r) => new(
        r.Id, r.TenantId, r.EventSeq, r.EventId, r.EventSource, r.EventType, r.ChannelId, r.SubscriptionId, r.TargetId, r.ConnectionKey,
        Enum.Parse<DeliveryState>(r.State), Enum.Parse<DeliveryPhase>(r.Phase), (int)r.Attempts, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt),
        Time(r.NextAt), Time(r.FirstFailureAt), Time(r.FinishedAt), r.LastError);

    private static AttemptRecord Attempt(AttemptRow r) => new(
        r.DeliveryId, Enum.Parse<DeliveryPhase>(r.Phase), r.Node, DateTimeOffset.FromUnixTimeMilliseconds(r.At), (int)r.DurationMs,
        Enum.Parse<AttemptKind>(r.Kind), r.Code, r.Message, r.Status is null ? null : (int)r.Status.Value);

    private sealed class JobRow
    {
        public long Id { get; init; }
        public string TenantId { get; init; } = "";
        public long EventSeq { get; init; }
        public string SubscriptionId { get; init; } = "";
        public string TargetId { get; init; } = "";
        public string ConnectionKey { get; init; } = "";
        public string Phase { get; init; } = "";
        public long? FirstFailureAt { get; init; }
        public string? LastError { get; init; }
        public int Attempts { get; init; }
        public int TargetAttempts { get; init; }
        public string Face { get; init; } = DeliveryFaces.Eg;
        public string? LeaseToken { get; init; }
        public long? LeaseUntil { get; init; }
    }

    private sealed class InfoRow
    {
        public long Id { get; init; }
        public string TenantId { get; init; } = "";
        public long EventSeq { get; init; }
        public string EventId { get; init; } = "";
        public string EventSource { get; init; } = "";
        public string EventType { get; init; } = "";
        public string ChannelId { get; init; } = "";
        public string SubscriptionId { get; init; } = "";
        public string TargetId { get; init; } = "";
        public string ConnectionKey { get; init; } = "";
        public string State { get; init; } = "";
        public string Phase { get; init; } = "";
        public long Attempts { get; init; }
        public long CreatedAt { get; init; }
        public long? NextAt { get; init; }
        public long? FirstFailureAt { get; init; }
        public long? FinishedAt { get; init; }
        public string? LastError { get; init; }
    }

    private sealed class AttemptRow
    {
        public long DeliveryId { get; init; }
        public string Phase { get; init; } = "";
        public string Node { get; init; } = "";
        public long At { get; init; }
        public long DurationMs { get; init; }
        public string Kind { get; init; } = "";
        public string Code { get; init; } = "";
        public string Message { get; init; } = "";
        public long? Status { get; init; }
    }

    private sealed class EventRow
    {
        public long Seq { get; init; }
        public string TenantId { get; init; } = "";
        public string ChannelId { get; init; } = "";
        public string EventId { get; init; } = "";
        public string Source { get; init; } = "";
        public string Type { get; init; } = "";
        public long ReceivedAt { get; init; }
    }
}
