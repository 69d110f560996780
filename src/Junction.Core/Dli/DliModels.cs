using Junction.Core.Connections;

namespace Junction.Core.Dli;

/// <summary>A Huawei DLI queue. Names are lower-case and unique per project.</summary>
public sealed record DliQueue
{
    public required string TenantId { get; init; }

    public required string Name { get; init; }

    public required long QueueId { get; init; }

    public required string ResourceId { get; init; }

    public required string QueueType { get; init; }

    public string Description { get; init; } = "";

    public required int CuCount { get; init; }

    public int ChargingMode { get; init; } = 1;

    public required int ResourceMode { get; init; }

    public string Platform { get; init; } = "x86_64";

    public string Feature { get; init; } = "basic";

    public string Engine { get; init; } = "spark";

    public string? Labels { get; init; }

    public string EnterpriseProjectId { get; init; } = "0";

    public string? ElasticResourcePoolName { get; init; }

    public string? CidrInVpc { get; init; }

    public string Owner { get; init; } = "";

    /// <summary>Tags and properties as given (JSON).</summary>
    public string? TagsJson { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A queue bound to an enhanced connection (one VPC peering in the cloud).</summary>
public sealed record DliBinding(string ConnectionId, string QueueName, string PeerId, DateTimeOffset BoundAt);

public enum QueueCreateOutcome
{
    Created,
    NameTaken,
    QuotaExceeded,
}

public enum QueueDeleteOutcome
{
    Deleted,
    NotFound,
    Bound,
}

/// <summary>What binding queues to a connection did; <see cref="BindResult.Queues"/> names the queues concerned.</summary>
public enum BindOutcome
{
    Bound,
    AlreadyBound,
    ConnectionGone,
    QueueMissing,
    QueueNotDedicated,
}

public sealed record BindResult(BindOutcome Outcome, IReadOnlyList<string> Queues);

/// <summary>What an edit of a connection's hosts and routes decided, and what the store then did.</summary>
public abstract record DetailEdit
{
    private DetailEdit()
    {
    }

    /// <summary>Write this detail.</summary>
    public sealed record Updated(DliConnectionDetail Detail) : DetailEdit;

    /// <summary>Nothing written: the edit conflicts with what is there (a taken name) or names what is not.</summary>
    public sealed record Refused(bool Conflict, string Message) : DetailEdit;

    /// <summary>Nothing written: there is no live connection with that id.</summary>
    public sealed record NotFound : DetailEdit;
}

/// <summary>DLI-only state: queues, bindings and connection tags; the connections themselves live in the connection store.</summary>
public interface IDliStore
{
    Task<QueueCreateOutcome> CreateQueueAsync(DliQueue queue, int quota, CancellationToken cancellationToken);

    Task<DliQueue?> GetQueueAsync(string tenantId, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<DliQueue>> ListQueuesAsync(string tenantId, string? queueType, CancellationToken cancellationToken);

    /// <summary>Deletes a queue that no live connection binds (checked in the same transaction).</summary>
    Task<QueueDeleteOutcome> DeleteQueueAsync(string tenantId, string name, CancellationToken cancellationToken);

    Task<bool> UpdateQueueAsync(string tenantId, string name, int? cuCount, string? cidrInVpc, CancellationToken cancellationToken);

    Task<IReadOnlyList<DliBinding>> BindingsAsync(IReadOnlyCollection<string> connectionIds, CancellationToken cancellationToken);

    /// <summary>The bindings of one queue (to live connections: a soft delete drops them), oldest first.</summary>
    Task<IReadOnlyList<DliBinding>> QueueBindingsAsync(string tenantId, string queueName, CancellationToken cancellationToken);

    // Not named BindAsync: minimal APIs would take a BindAsync method for a custom parameter binder.
    /// <summary>
    /// Binds queues to a live connection, in one transaction that also checks the connection is live and each queue exists
    /// and is dedicated (holding both rows, so a concurrent delete of either waits and then sees the binding). Nothing is
    /// written unless every queue can be bound.
    /// </summary>
    Task<BindResult> BindQueuesAsync(string tenantId, string connectionId, IReadOnlyList<DliBinding> bindings, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a DLI connection with its tags and queue bindings in one transaction: all of it, or (a name taken, the
    /// quota full, a queue gone or shared since the face checked it: <see cref="CreateOutcome.Refused"/> with the bind's
    /// result) nothing. A crash at any moment leaves no connection without its tags or bindings.
    /// </summary>
    Task<(CreateOutcome Outcome, BindResult? Bind)> CreateConnectionAsync(
        Connection connection, int quota, IReadOnlyList<KeyValuePair<string, string>> tags, IReadOnlyList<DliBinding> bindings, CancellationToken cancellationToken);

    /// <summary>Unbinds queues; answers the names that were not bound (nothing is written then).</summary>
    Task<IReadOnlyList<string>> UnbindQueuesAsync(string connectionId, IReadOnlyList<string> queueNames, CancellationToken cancellationToken);

    Task SetTagsAsync(string connectionId, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken);

    /// <summary>The ids of the tenant's DLI connections (live and deleted), oldest first, filtered; with the total before paging.</summary>
    Task<(long Total, IReadOnlyList<string> Ids)> ListConnectionIdsAsync(
        string tenantId, bool? deleted, string? name, IReadOnlyList<KeyValuePair<string, string>> tags, int offset, int? limit, CancellationToken cancellationToken);

    /// <summary>Soft delete: moves the connection into its own deleted scope, frees its quota place, stops its checks, drops its bindings.</summary>
    Task<bool> SoftDeleteAsync(string tenantId, string connectionId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Edits the detail (hosts, routes) of a live connection as one read-modify-write under the row's lock, so concurrent
    /// edits never lose each other's changes; an <see cref="DetailEdit.Updated"/> edit is written and schedules a new check.
    /// </summary>
    Task<DetailEdit> EditDetailAsync(
        string tenantId, string connectionId, Func<DliConnectionDetail, DetailEdit> edit, DateTimeOffset now, CancellationToken cancellationToken);
}
