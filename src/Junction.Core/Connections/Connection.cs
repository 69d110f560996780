namespace Junction.Core.Connections;

/// <summary>The one lifecycle every connection of every face goes through (design.md §2).</summary>
public enum ConnectionState
{
    /// <summary>Stored, not yet verified.</summary>
    Pending,

    /// <summary>Verified: Junction reached what the connection points to.</summary>
    Ready,

    /// <summary>Verification failed; <see cref="Connection.Error"/> says why.</summary>
    Failed,

    /// <summary>
    /// Everything Junction can check passed, but the target itself is a cloud service Junction cannot reach (for
    /// example Tencent API Gateway): reported as not verified, never as verified.
    /// </summary>
    Unverified,
}

/// <summary>
/// The scope a connection lives in: names are unique, and quotas count, per tenant and scope. EG connections share one
/// scope per project; Tencent EB connectors are scoped per event bus; a soft-deleted DLI connection has a scope of its
/// own. A scope belongs to one API face (<see cref="FaceOf"/>); "face" means the API dialect only.
/// </summary>
public static class Scopes
{
    public const string HuaweiEg = "eg";

    public const string TencentEbPrefix = "eb:";

    /// <summary>The scope of the connectors of one Tencent EB event bus.</summary>
    public static string TencentEbBus(string eventBusId) => TencentEbPrefix + eventBusId;

    public static bool IsTencentEb(string scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.StartsWith(TencentEbPrefix, StringComparison.Ordinal);
    }

    /// <summary>Live Huawei DLI enhanced connections of a project.</summary>
    public const string HuaweiDli = "dli";

    /// <summary>
    /// A soft-deleted DLI connection stays readable (status DELETED) in a scope of its own, so its name is free for a
    /// new connection and it no longer counts against the quota.
    /// </summary>
    public const string HuaweiDliDeletedPrefix = "dli~deleted:";

    /// <summary>The API face (<c>eg</c>, <c>eb</c> or <c>dli</c>) a scope belongs to.</summary>
    public static string FaceOf(string scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope == HuaweiEg ? "eg" : IsTencentEb(scope) ? "eb" : "dli";
    }
}

/// <summary>Why a connection is not ready: a stable code, a message a person can act on, and technical detail.</summary>
public sealed record ConnectionError(string Code, string Message, string Detail);

/// <summary>What a connection points to, in face-neutral terms. Secrets are not part of it.</summary>
public sealed record KafkaTarget(
    string InstanceId,
    string BootstrapServers,
    string SecurityProtocol,
    bool SaslSsl,
    string? UserName,
    string Acks,
    string? SaslMechanism = null,
    string? Topic = null)
{
    /// <summary>
    /// True when the cluster is named by an instance id only (Tencent CKafka): its bootstrap servers and credentials
    /// come from the operator's instance registry at verification time.
    /// </summary>
    public bool ResolvedByInstance => string.IsNullOrEmpty(BootstrapServers);
}

/// <summary>A connection as Core knows it.</summary>
public sealed record Connection
{
    public required string Id { get; init; }

    public required string TenantId { get; init; }

    /// <summary>The scope the connection lives in (<see cref="Scopes"/>): its name is unique and it counts against the quota there.</summary>
    public required string Scope { get; init; }

    /// <summary>The API face the connection belongs to: <c>eg</c>, <c>eb</c> or <c>dli</c>.</summary>
    public string Face => Scopes.FaceOf(Scope);

    public required string Name { get; init; }

    public string Description { get; init; } = "";

    /// <summary>The target kind in the owning face's words, upper case (for EG: <c>WEBHOOK</c> or <c>KAFKA</c>).</summary>
    public required string Kind { get; init; }

    public string? VpcId { get; init; }

    public string? SubnetId { get; init; }

    public KafkaTarget? Kafka { get; init; }

    /// <summary>The encrypted password of the target, if it has one. Never leaves the server.</summary>
    public string? ProtectedSecret { get; init; }

    /// <summary>Whether the tenant switched the connection on (Tencent EB's <c>Enable</c>); true where a face has no switch.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Face-owned wire details stored as given (JSON), opaque to Core (for EB: the ConnectionDescription without secrets).</summary>
    public string? Detail { get; init; }

    public ConnectionState State { get; init; } = ConnectionState.Pending;

    public ConnectionError? Error { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the last verification finished, or null if none has.</summary>
    public DateTimeOffset? CheckedAt { get; init; }

    /// <summary>When verification is due next (a recheck, a retry or the periodic check), or null when none is planned.</summary>
    public DateTimeOffset? NextCheckAt { get; init; }
}
