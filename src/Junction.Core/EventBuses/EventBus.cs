namespace Junction.Core.EventBuses;

/// <summary>Kinds of event bus (Tencent EB's <c>Type</c>).</summary>
public static class EventBusTypes
{
    /// <summary>The default bus of an account and region: exists without being created, cannot be changed, takes no connectors.</summary>
    public const string Cloud = "Cloud";

    public const string Custom = "Custom";

    public const string DefaultName = "default";
}

/// <summary>An event bus that connectors deliver to. Belongs to one tenant and one region.</summary>
public sealed record EventBus
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string Region { get; init; }

    public required string Name { get; init; }

    public string Description { get; init; } = "";

    public required string Type { get; init; }

    public bool? EnableStore { get; init; }

    public long? SaveDays { get; init; }

    public string? LogTopicId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

public enum BusCreateOutcome
{
    Created,
    NameTaken,
    QuotaExceeded,
}

public enum BusDeleteOutcome
{
    Deleted,
    NotFound,
    InUse,
}

/// <summary>Fields an update may change; null leaves a field as it is.</summary>
public sealed record EventBusChanges(string? Name = null, string? Description = null, bool? EnableStore = null, long? SaveDays = null, string? LogTopicId = null);

/// <summary>
/// A list request: filters are ANDed, the values of one filter ORed (Tencent's semantics); names match exactly. A null
/// <see cref="Region"/> lists every region's buses (the operator console).
/// </summary>
public sealed record EventBusQuery(
    string TenantId,
    string? Region,
    int Offset,
    int Limit,
    Connections.SortField Sort,
    bool Descending,
    IReadOnlyList<string>? Names = null,
    IReadOnlyList<string>? Ids = null,
    IReadOnlyList<string>? Types = null);

public interface IEventBusStore
{
    /// <summary>Creates the Cloud bus of a tenant and region if it does not exist yet; answers it either way.</summary>
    Task<EventBus> EnsureDefaultAsync(EventBus candidate, CancellationToken cancellationToken);

    /// <summary>Inserts a custom bus; the name is unique per tenant and region, and custom buses count against <paramref name="quota"/>.</summary>
    Task<BusCreateOutcome> CreateAsync(EventBus bus, int quota, CancellationToken cancellationToken);

    Task<EventBus?> GetAsync(string tenantId, string region, string id, CancellationToken cancellationToken);

    /// <summary>A tenant's bus in whatever region (a connector knows its bus by id only).</summary>
    Task<EventBus?> FindAsync(string tenantId, string id, CancellationToken cancellationToken);

    Task<(long Total, IReadOnlyList<EventBus> Items)> ListAsync(EventBusQuery query, CancellationToken cancellationToken);

    /// <summary>Answers null for an unknown id; throws <see cref="Connections.NameTakenException"/> for a taken name.</summary>
    Task<EventBus?> UpdateAsync(string tenantId, string region, string id, EventBusChanges changes, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes a bus that has no connectors and no rules (checked in the same transaction).</summary>
    Task<BusDeleteOutcome> DeleteAsync(string tenantId, string region, string id, CancellationToken cancellationToken);
}
