using Junction.Core.Connections;

namespace Junction.Core.EventBuses;

/// <summary>
/// A Tencent EB rule (spec/dataplane.md §3.4): an event pattern on one bus, with at most one transformation
/// (§3.8) and an optional dead-letter configuration (§3.7). <see cref="Pattern"/>, <see cref="DeadLetter"/> and
/// <see cref="Transformation"/> hold the JSON as it was accepted (validated on write).
/// </summary>
public sealed record EbRule
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string BusId { get; init; }

    public required string Name { get; init; }

    public string Description { get; init; } = "";

    public bool Enabled { get; init; } = true;

    public required string Pattern { get; init; }

    /// <summary>The <c>DeadLetterConfig</c> object as JSON, or null (Junction's default: a failed event is kept for redrive).</summary>
    public string? DeadLetter { get; init; }

    public string? TransformationId { get; init; }

    /// <summary>The one <c>Transformation</c> object as JSON, or null.</summary>
    public string? Transformation { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// A target of a rule (§3.6). <see cref="Description"/> is the <c>TargetDescription</c> object as JSON. The
/// destination never changes after create (UpdateTarget changes only the batch fields).
/// </summary>
public sealed record EbTarget
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    public required string BusId { get; init; }

    public required string RuleId { get; init; }

    /// <summary><c>scf</c>, <c>ckafka</c>, <c>cls</c>, <c>amp</c> or <c>es</c>.</summary>
    public required string Type { get; init; }

    public required string Description { get; init; }

    public bool EnableBatchDelivery { get; init; }

    public long? BatchTimeout { get; init; }

    public long? BatchEventCount { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>What a rule or target write did.</summary>
public enum EbWriteOutcome
{
    Done,
    BusNotFound,
    RuleNotFound,
    TargetNotFound,
    TransformationNotFound,
    NameTaken,
    QuotaExceeded,

    /// <summary>A rule still has targets.</summary>
    InUse,

    /// <summary>The rule already has a transformation (one per rule).</summary>
    Exists,
}

/// <summary>A page of rules or targets; <see cref="Sort"/> is created, updated or (rules only) name.</summary>
public sealed record EbPage(int Offset, int Limit, SortField Sort, bool Descending);

/// <summary>An enabled rule of a bus with its targets, as the publisher routes.</summary>
public sealed record EbRoute(EbRule Rule, IReadOnlyList<EbTarget> Targets);

/// <summary>
/// Rules, their targets and transformations. Existence, names (unique per bus) and quotas are checked inside each
/// write's transaction under the parent's row lock, so they hold under concurrent requests, across nodes, and against
/// a racing delete of the bus or rule.
/// </summary>
public interface IEbRuleStore
{
    /// <summary>Creates a rule on a live bus; at most <paramref name="quota"/> rules per bus.</summary>
    Task<EbWriteOutcome> CreateRuleAsync(EbRule rule, int quota, CancellationToken cancellationToken);

    Task<EbRule?> GetRuleAsync(string tenantId, string busId, string ruleId, CancellationToken cancellationToken);

    /// <summary>A rule of any tenant, by id (the admin API).</summary>
    Task<EbRule?> FindRuleAsync(string ruleId, CancellationToken cancellationToken);

    /// <summary>A page of a bus's rules, each with its targets.</summary>
    Task<(long Total, IReadOnlyList<EbRoute> Items)> ListRulesAsync(string tenantId, string busId, EbPage page, CancellationToken cancellationToken);

    /// <summary>Replaces the rule's name, description, enable flag, pattern and dead-letter configuration.</summary>
    Task<EbWriteOutcome> UpdateRuleAsync(EbRule rule, CancellationToken cancellationToken);

    /// <summary>Deletes a rule that has no targets (<see cref="EbWriteOutcome.InUse"/> otherwise).</summary>
    Task<EbWriteOutcome> DeleteRuleAsync(string tenantId, string busId, string ruleId, CancellationToken cancellationToken);

    /// <summary>
    /// Sets (<paramref name="transformation"/> non-null) or removes the rule's transformation. With
    /// <paramref name="create"/>, only if the rule has none (else <see cref="EbWriteOutcome.Exists"/>); without, only
    /// if <paramref name="transformationId"/> is the rule's (else <see cref="EbWriteOutcome.TransformationNotFound"/>).
    /// </summary>
    Task<EbWriteOutcome> SetTransformationAsync(
        string tenantId, string busId, string ruleId, string transformationId, string? transformation, bool create, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Creates a target under a live rule; at most <paramref name="quota"/> targets per rule.</summary>
    Task<EbWriteOutcome> CreateTargetAsync(EbTarget target, int quota, CancellationToken cancellationToken);

    Task<EbTarget?> GetTargetAsync(string tenantId, string ruleId, string targetId, CancellationToken cancellationToken);

    Task<(long Total, IReadOnlyList<EbTarget> Items)> ListTargetsAsync(string tenantId, string ruleId, EbPage page, CancellationToken cancellationToken);

    /// <summary>Changes a target's batch fields.</summary>
    Task<EbWriteOutcome> UpdateTargetAsync(EbTarget target, CancellationToken cancellationToken);

    Task<EbWriteOutcome> DeleteTargetAsync(string tenantId, string ruleId, string targetId, CancellationToken cancellationToken);

    /// <summary>
    /// A number that every write of the tenant's rules, targets and transformations moves, in the write's own
    /// transaction (a refused write leaves it): the publisher keeps a bus's routes under it (0 before the first write).
    /// </summary>
    Task<long> GenerationAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>The bus's enabled rules that have targets, oldest first: what an event published to it is matched against.</summary>
    Task<IReadOnlyList<EbRoute>> RoutesAsync(string tenantId, string busId, CancellationToken cancellationToken);

    /// <summary>Every rule (enabled or not) on these buses, oldest first, with one query (the operator console).</summary>
    Task<IReadOnlyList<EbRule>> RulesOfBusesAsync(string tenantId, IReadOnlyCollection<string> busIds, CancellationToken cancellationToken);

    /// <summary>The targets of every rule on these buses, oldest first (ListEventBuses' <c>TargetBriefs</c>).</summary>
    Task<IReadOnlyList<EbTarget>> TargetsOfBusesAsync(string tenantId, IReadOnlyCollection<string> busIds, CancellationToken cancellationToken);

    /// <summary>Whether the bus has any rule (enabled or not): the strict PutEvents switch refuses a bus without.</summary>
    Task<bool> HasRulesAsync(string tenantId, string busId, CancellationToken cancellationToken);
}
