namespace Junction.Core.Connections;

public enum CreateOutcome
{
    Created,
    NameTaken,
    QuotaExceeded,
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
    string Face,
    int Offset,
    int Limit,
    SortField Sort = SortField.CreatedTime,
    bool Descending = true,
    string? Name = null,
    string? NameContains = null,
    string? InstanceId = null);

public sealed record ConnectionPage(long Total, IReadOnlyList<Connection> Items);

/// <summary>
/// Durable connections. Uniqueness of (tenant, face, name) and the per-tenant quota are enforced by the database
/// inside one transaction, so they hold under concurrent requests and across processes.
/// </summary>
public interface IConnectionStore
{
    Task<CreateOutcome> CreateAsync(Connection connection, int quota, CancellationToken cancellationToken);

    Task<Connection?> GetAsync(string tenantId, string face, string id, CancellationToken cancellationToken);

    /// <summary>Any tenant's connection by id; for the operator's admin API only.</summary>
    Task<Connection?> FindAsync(string id, CancellationToken cancellationToken);

    Task<ConnectionPage> ListAsync(ConnectionQuery query, CancellationToken cancellationToken);

    Task<Connection?> UpdateDescriptionAsync(string tenantId, string face, string id, string description, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenantId, string face, string id, CancellationToken cancellationToken);
}
