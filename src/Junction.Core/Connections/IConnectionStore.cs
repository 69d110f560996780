namespace Junction.Core.Connections;

public enum CreateOutcome
{
    Created,
    NameTaken,
    QuotaExceeded,

    /// <summary>What the connection belongs to (a Tencent event bus) was deleted before the create's transaction.</summary>
    ScopeGone,

    /// <summary>What a face writes together with the connection (DLI: its queue bindings) was refused; nothing was written.</summary>
    Refused,
}

public enum SortField
{
    CreatedTime,
    UpdatedTime,
    Name,
}

/// <summary>A page request. Filters are ANDed; <see cref="NameContains"/> is a case-sensitive substring match.</summary>
public sealed record ConnectionQuery(
    string TenantId,
    string Scope,
    int Offset,
    int Limit,
    SortField Sort = SortField.CreatedTime,
    bool Descending = true,
    string? Name = null,
    string? NameContains = null,
    string? InstanceId = null);

public sealed record ConnectionPage(long Total, IReadOnlyList<Connection> Items);

/// <summary>How many connections of a face (<c>eg</c>, <c>eb</c> or <c>dli</c>, every scope of it) are in a state.</summary>
public sealed record FaceStateTotal(string Face, ConnectionState State, long Count);

/// <summary>
/// The operator's view across tenants and faces: <see cref="Face"/> is <c>eg</c>, <c>eb</c> or <c>dli</c> (all scopes of
/// that face); <see cref="Text"/> is a case-sensitive substring of the name or the id.
/// </summary>
public sealed record AllConnectionsQuery(
    int Offset, int Limit, string? Face = null, ConnectionState? State = null, string? TenantId = null, string? Text = null);

/// <summary>Fields an update may change; null leaves a field as it is.</summary>
public sealed record ConnectionChanges(string? Description = null, string? Name = null, bool? Enabled = null);

/// <summary>Thrown by a store when an update would give a connection a name its scope already has.</summary>
public sealed class NameTakenException(string name) : Exception($"the name '{name}' is taken")
{
    public string Name { get; } = name;
}

/// <summary>
/// Durable connections. Uniqueness of (tenant, scope, name) and the per-tenant quota are enforced by the database
/// inside one transaction, so they hold under concurrent requests and across processes.
/// </summary>
public interface IConnectionStore
{
    Task<CreateOutcome> CreateAsync(Connection connection, int quota, CancellationToken cancellationToken);

    Task<Connection?> GetAsync(string tenantId, string scope, string id, CancellationToken cancellationToken);

    /// <summary>Every tenant's connections, newest first; for the operator's admin API only.</summary>
    Task<ConnectionPage> ListAllAsync(AllConnectionsQuery query, CancellationToken cancellationToken);

    /// <summary>Every tenant's connections counted by face (<c>eg</c>, <c>eb</c>, <c>dli</c>) and state, with one query.</summary>
    Task<IReadOnlyList<FaceStateTotal>> CountByFaceAndStateAsync(CancellationToken cancellationToken);

    /// <summary>Any tenant's connection by id; for the operator's admin API only.</summary>
    Task<Connection?> FindAsync(string id, CancellationToken cancellationToken);

    Task<ConnectionPage> ListAsync(ConnectionQuery query, CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="changes"/>; answers null for an unknown id; throws <see cref="NameTakenException"/> for a taken name.</summary>
    Task<Connection?> UpdateAsync(string tenantId, string scope, string id, ConnectionChanges changes, DateTimeOffset now, CancellationToken cancellationToken);

    Task<long> CountAsync(string tenantId, string scope, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenantId, string scope, string id, CancellationToken cancellationToken);
}
