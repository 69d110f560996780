using Junction.Core.Connections;
using Junction.Core.Verification;
using Microsoft.Extensions.Options;

namespace Junction.Core.Dli;

/// <summary>Why queues named by a create or a bind cannot be bound (<see cref="Queue"/> names the first one at fault).</summary>
public sealed record DliQueueProblem(DliQueueProblem.Kinds Kind, string Queue)
{
    public enum Kinds
    {
        /// <summary>The request names a queue twice.</summary>
        Repeated,

        /// <summary>The built-in <c>default</c> queue is never bound.</summary>
        DefaultQueue,

        Missing,

        /// <summary>Only dedicated queues (<c>resource_mode</c> 1) are bound.</summary>
        NotDedicated,
    }
}

/// <summary>A DLI connection with its queue bindings, each with the state derived from the connection's verification.</summary>
public sealed record DliConnectionView(Connection Connection, IReadOnlyList<(DliBinding Binding, string State)> Bindings)
{
    public bool Live => DliService.IsLive(Connection);

    public DliConnectionDetail Detail => DliConnectionDetail.Parse(Connection.Detail);
}

/// <summary>How a delete of a live DLI connection ended.</summary>
public abstract record DliDeleteResult
{
    public sealed record Deleted : DliDeleteResult;

    /// <summary>Refused: these queues' bindings are still being created.</summary>
    public sealed record StillCreating(IReadOnlyList<string> Queues) : DliDeleteResult;

    public sealed record NotFound : DliDeleteResult;
}

/// <summary>
/// The business rules of Huawei DLI enhanced connections and queues, in Core so that the DLI face only reads the wire
/// and writes answers (as EG's connections go through <see cref="ConnectionService"/>): which connections a tenant sees
/// (live and soft-deleted), which queues may be bound, bindings and their derived states, deletes refused while a
/// binding is being created, host and route edits (one locked read-modify-write each), queue quotas, and the
/// verification and connectivity-test wake-ups that follow writes. Every write that must hold under concurrency is
/// decided inside the store's transaction (<see cref="IDliStore"/>); the checks here only spare a create that would be
/// refused anyway.
/// </summary>
public sealed class DliService(
    ConnectionService connections, IConnectionStore store, IDliStore dli, IDliConnectivityStore tests, IVerificationSignal verification,
    IConnectivitySignal connectivity, IOptions<ConnectionQuotas> quotas, TimeProvider time)
{
    /// <summary>Connectivity tests one tenant may have running at once.</summary>
    public const int MaxRunningTests = 100;

    /// <summary>How long a finished connectivity test stays readable.</summary>
    public static readonly TimeSpan KeepFinishedTests = TimeSpan.FromDays(1);

    /// <summary>Whether the connection is live (not soft-deleted).</summary>
    public static bool IsLive(Connection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.Scope == Scopes.HuaweiDli;
    }

    /// <summary>Any of the tenant's DLI connections, live or deleted; null for another tenant's or another face's.</summary>
    public async Task<Connection?> FindAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        var connection = await store.FindAsync(id, cancellationToken);
        return connection is not null && connection.TenantId == tenantId
            && (IsLive(connection) || connection.Scope.StartsWith(Scopes.HuaweiDliDeletedPrefix, StringComparison.Ordinal))
            ? connection
            : null;
    }

    /// <summary>What the request itself gets wrong about its queues: a repeat, or the default queue.</summary>
    public static DliQueueProblem? CheckQueueNames(IReadOnlyList<string> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        if (queues.GroupBy(q => q, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            return new DliQueueProblem(DliQueueProblem.Kinds.Repeated, repeated.Key);
        }

        return queues.Contains("default")
            ? new DliQueueProblem(DliQueueProblem.Kinds.DefaultQueue, "default")
            : null;
    }

    /// <summary>
    /// Creates a connection with its tags and queue bindings in one transaction. The queues are checked first so that a
    /// create naming a missing or shared queue stores nothing; the store checks again inside its transaction, which is
    /// what holds under concurrency (a queue lost meanwhile: <see cref="CreateResult.Refused"/> with the bind's result).
    /// </summary>
    public async Task<(CreateResult? Result, BindResult? Bound, DliQueueProblem? Problem)> CreateAsync(
        NewConnection request, IReadOnlyList<KeyValuePair<string, string>> tags, IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await CheckQueuesAsync(request.TenantId, queues, cancellationToken) is { } problem)
        {
            return (null, null, problem);
        }

        BindResult? bound = null;
        var result = await connections.CreateAsync(
            request with { Scope = Scopes.HuaweiDli },
            async (connection, quota, token) =>
            {
                (var outcome, bound) = await dli.CreateConnectionAsync(connection, quota, tags, NewBindings(connection.Id, queues), token);
                return outcome;
            },
            cancellationToken);
        return (result, bound, null);
    }

    /// <summary>The tenant's connections (live, deleted or both) with their bindings, oldest first, filtered and paged.</summary>
    public async Task<IReadOnlyList<DliConnectionView>> ListAsync(
        string tenantId, bool? deleted, string? name, IReadOnlyList<KeyValuePair<string, string>> tags, int offset, int? limit, CancellationToken cancellationToken)
    {
        var (_, ids) = await dli.ListConnectionIdsAsync(tenantId, deleted, name, tags, offset, limit, cancellationToken);
        return await ViewsAsync(ids, cancellationToken);
    }

    /// <summary>One connection with its bindings; null when it is not the tenant's.</summary>
    public async Task<DliConnectionView?> ShowAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        await FindAsync(tenantId, id, cancellationToken) is { } connection ? (await ViewsAsync([connection.Id], cancellationToken)).SingleOrDefault() : null;

    /// <summary>Soft-deletes a live connection, unless one of its bindings is still being created.</summary>
    public async Task<DliDeleteResult> DeleteAsync(Connection live, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(live);
        var creating = (await dli.BindingsAsync([live.Id], cancellationToken))
            .Where(b => DliBindingStates.Of(live, b) == DliBindingStates.Creating).Select(b => b.QueueName).ToList();
        if (creating.Count > 0)
        {
            return new DliDeleteResult.StillCreating(creating);
        }

        return await dli.SoftDeleteAsync(live.TenantId, live.Id, time.GetUtcNow(), cancellationToken)
            ? new DliDeleteResult.Deleted()
            : new DliDeleteResult.NotFound();
    }

    /// <summary>Replaces the hosts; new hosts are checked at once.</summary>
    public async Task<DetailEdit> SetHostsAsync(string tenantId, string id, IReadOnlyList<DliHost> hosts, CancellationToken cancellationToken)
    {
        var edited = await dli.EditDetailAsync(tenantId, id, detail => new DetailEdit.Updated(detail with { Hosts = hosts }), time.GetUtcNow(), cancellationToken);
        if (edited is DetailEdit.Updated)
        {
            verification.Notify();
        }

        return edited;
    }

    /// <summary>Adds a route; its name and its CIDR must both be new on the connection (checked under the row's lock).</summary>
    public Task<DetailEdit> AddRouteAsync(string tenantId, string id, string name, string cidr, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return dli.EditDetailAsync(tenantId, id, detail =>
            detail.Routes.Any(r => r.Name == name) ? new DetailEdit.Refused(true, $"A route named '{name}' already exists on connection {id}.")
            : detail.Routes.Any(r => r.Cidr == cidr) ? new DetailEdit.Refused(true, $"A route with cidr '{cidr}' already exists on connection {id}.")
            : new DetailEdit.Updated(detail with { Routes = [.. detail.Routes, new DliRoute(name, cidr, now.ToUnixTimeMilliseconds())] }),
            now, cancellationToken);
    }

    public Task<DetailEdit> DeleteRouteAsync(string tenantId, string id, string name, CancellationToken cancellationToken) =>
        dli.EditDetailAsync(tenantId, id, detail =>
            detail.Routes.Any(r => r.Name == name)
                ? new DetailEdit.Updated(detail with { Routes = [.. detail.Routes.Where(r => r.Name != name)] })
                : new DetailEdit.Refused(false, $"There is no route named '{name}' on connection {id}."),
            time.GetUtcNow(), cancellationToken);

    /// <summary>Binds queues; existence and dedication are checked by the store in the bind's transaction. The new bindings are verified at once.</summary>
    public async Task<BindResult> BindQueuesAsync(string tenantId, string id, IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        var bound = await dli.BindQueuesAsync(tenantId, id, NewBindings(id, queues), cancellationToken);
        verification.Notify();
        return bound;
    }

    /// <summary>Unbinds queues; answers those that were not bound (then nothing is written).</summary>
    public Task<IReadOnlyList<string>> UnbindQueuesAsync(string id, IReadOnlyList<string> queues, CancellationToken cancellationToken) =>
        dli.UnbindQueuesAsync(id, queues, cancellationToken);

    /// <summary>How many live connections the tenant has (the quota's count).</summary>
    public Task<long> CountAsync(string tenantId, CancellationToken cancellationToken) =>
        store.CountAsync(tenantId, Scopes.HuaweiDli, cancellationToken);

    /// <summary>The connection quota per project.</summary>
    public int ConnectionQuota => quotas.Value.For(Scopes.HuaweiDli);

    /// <summary>The queue quota per project.</summary>
    public int QueueQuota => quotas.Value.DliQueues;

    /// <summary>Creates a queue (numbered by the store inside its transaction) within the queue quota.</summary>
    public Task<QueueCreateOutcome> CreateQueueAsync(DliQueue queue, CancellationToken cancellationToken) =>
        dli.CreateQueueAsync(queue with { QueueId = 0, CreatedAt = time.GetUtcNow() }, QueueQuota, cancellationToken);

    public Task<DliQueue?> GetQueueAsync(string tenantId, string name, CancellationToken cancellationToken) =>
        dli.GetQueueAsync(tenantId, name, cancellationToken);

    public Task<IReadOnlyList<DliQueue>> ListQueuesAsync(string tenantId, string? queueType, CancellationToken cancellationToken) =>
        dli.ListQueuesAsync(tenantId, queueType, cancellationToken);

    /// <summary>Deletes a queue; the store refuses one that connections are bound to.</summary>
    public Task<QueueDeleteOutcome> DeleteQueueAsync(string tenantId, string name, CancellationToken cancellationToken) =>
        dli.DeleteQueueAsync(tenantId, name, cancellationToken);

    public Task<bool> UpdateQueueAsync(string tenantId, string name, int? cuCount, string? cidrInVpc, CancellationToken cancellationToken) =>
        dli.UpdateQueueAsync(tenantId, name, cuCount, cidrInVpc, cancellationToken);

    /// <summary>
    /// Starts a connectivity test from a queue to an address (a leased task, run by the connectivity worker); null when
    /// the queue does not exist, or (with Busy) the tenant already has <see cref="MaxRunningTests"/> running.
    /// </summary>
    public async Task<(long? Id, bool Busy)> StartTestAsync(
        string tenantId, string queueName, string address, string host, int port, CancellationToken cancellationToken)
    {
        if (await dli.GetQueueAsync(tenantId, queueName, cancellationToken) is null)
        {
            return (null, false);
        }

        var task = new DliConnectivityTask(0, tenantId, queueName, address, host, port, Connectivity.Checking, null, time.GetUtcNow(), null);
        var id = await tests.CreateAsync(task, MaxRunningTests, KeepFinishedTests, cancellationToken);
        if (id is not null)
        {
            connectivity.Notify();
        }

        return (id, id is null);
    }

    public Task<DliConnectivityTask?> GetTestAsync(string tenantId, string queueName, long id, CancellationToken cancellationToken) =>
        tests.GetAsync(tenantId, queueName, id, cancellationToken);

    /// <summary>Checks queue names, then that each queue exists and is dedicated.</summary>
    private async Task<DliQueueProblem?> CheckQueuesAsync(string tenantId, IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        if (CheckQueueNames(queues) is { } problem)
        {
            return problem;
        }

        foreach (var name in queues)
        {
            var queue = await dli.GetQueueAsync(tenantId, name, cancellationToken);
            if (queue is null)
            {
                return new DliQueueProblem(DliQueueProblem.Kinds.Missing, name);
            }

            if (queue.ResourceMode != 1)
            {
                return new DliQueueProblem(DliQueueProblem.Kinds.NotDedicated, name);
            }
        }

        return null;
    }

    private async Task<IReadOnlyList<DliConnectionView>> ViewsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var bindings = (await dli.BindingsAsync([.. ids], cancellationToken)).ToLookup(b => b.ConnectionId);
        var views = new List<DliConnectionView>(ids.Count);
        foreach (var id in ids)
        {
            if (await store.FindAsync(id, cancellationToken) is { } connection)
            {
                views.Add(new DliConnectionView(connection, [.. bindings[id].Select(b => (b, DliBindingStates.Of(connection, b)))]));
            }
        }

        return views;
    }

    private List<DliBinding> NewBindings(string connectionId, IReadOnlyList<string> queues)
    {
        var now = time.GetUtcNow();
        return [.. queues.Select(q => new DliBinding(connectionId, q, Guid.NewGuid().ToString(), now))];
    }
}
