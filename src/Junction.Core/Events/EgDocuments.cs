namespace Junction.Core.Events;

/// <summary>The kinds of EventGrid resource Junction keeps (spec/dataplane.md §2).</summary>
public static class EgKinds
{
    public const string Channel = "channel";
    public const string Source = "source";
    public const string Subscription = "subscription";
    public const string Target = "target";

    /// <summary>The kind a resource of <paramref name="kind"/> must be created under, or null for a top-level kind.</summary>
    public static string? ParentOf(string kind) => kind switch
    {
        Source or Subscription => Channel,
        Target => Subscription,
        _ => null,
    };
}

/// <summary>
/// An EventGrid resource as stored: a JSON document (<see cref="Body"/>, the face's own record) with the few columns
/// the database must see — its parent (a source's or subscription's channel, a target's subscription), its name (unique
/// per tenant and kind when <see cref="UniqueName"/>), a label to filter on (a channel's provider type) and a reference
/// (a target's connection).
/// </summary>
public sealed record EgDocument(
    string TenantId,
    string Kind,
    string Id,
    string? ParentId,
    string Name,
    bool UniqueName,
    string? Label,
    string? RefId,
    string Body,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>How many resources of a kind a tenant (or, with a parent kind, one parent) may hold.</summary>
public sealed record EgQuota(int Limit, bool PerParent = false);

/// <summary>A page request over one kind; filters are ANDed.</summary>
public sealed record EgQuery(
    string TenantId,
    string Kind,
    int Offset,
    int Limit,
    string? ParentId = null,
    string? Name = null,
    string? NameContains = null,
    string? Label = null,
    string? RefId = null,
    string Sort = "created_at",
    bool Descending = true);

public enum EgWriteOutcome
{
    Done,
    NotFound,
    NameTaken,
    QuotaExceeded,
    ParentMissing,
    InUse,
    Conflict,
}

/// <summary>
/// Durable EventGrid resources. Names, quotas and parents are checked by the database inside each write's transaction,
/// so they hold under concurrent requests and across nodes.
/// </summary>
public interface IEgStore
{
    /// <summary>Creates <paramref name="document"/> and its <paramref name="children"/> (a subscription's targets) together.</summary>
    Task<EgWriteOutcome> CreateAsync(EgDocument document, IReadOnlyList<EgDocument> children, EgQuota quota, CancellationToken cancellationToken);

    Task<EgDocument?> GetAsync(string tenantId, string kind, string id, CancellationToken cancellationToken);

    Task<(long Total, IReadOnlyList<EgDocument> Items)> ListAsync(EgQuery query, CancellationToken cancellationToken);

    /// <summary>The resources of <paramref name="kind"/> under any of <paramref name="parentIds"/>, oldest first.</summary>
    Task<IReadOnlyList<EgDocument>> ChildrenAsync(string tenantId, string kind, IReadOnlyCollection<string> parentIds, CancellationToken cancellationToken);

    /// <summary>
    /// A number that every write of the tenant's resources moves, in the write's own transaction (0 before the first):
    /// what was read after seeing it is at least as new as it, so a cache kept under it is current while it stands.
    /// </summary>
    Task<long> GenerationAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> resources of <paramref name="kind"/> that reference <paramref name="refId"/> (targets of a connection), oldest first.</summary>
    Task<IReadOnlyList<EgDocument>> ReferencingAsync(string tenantId, string kind, string refId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a resource's body (and name and reference). With <paramref name="children"/>, its children are replaced
    /// too: kept by id (keeping their creation time), added, or deleted when absent.
    /// </summary>
    /// <remarks>
    /// With <paramref name="ifUpdatedAt"/>, the replace happens only if the stored resource was last updated then (a
    /// read-modify-write that lost a race answers <see cref="EgWriteOutcome.Conflict"/> and writes nothing).
    /// </remarks>
    Task<EgWriteOutcome> ReplaceAsync(EgDocument document, IReadOnlyList<EgDocument>? children, CancellationToken cancellationToken, DateTimeOffset? ifUpdatedAt = null);

    /// <summary>Deletes a resource and its children; <see cref="EgWriteOutcome.InUse"/> when a channel still has sources or subscriptions.</summary>
    Task<EgWriteOutcome> DeleteAsync(string tenantId, string kind, string id, CancellationToken cancellationToken);
}
