using System.Text.Json;

namespace Junction.Server.Api.Admin;

// The admin API's bodies, written once for the server, the OpenAPI document and the CLI (which reads them back).
// Property names go on the wire in snake_case (AdminJson.Options).

/// <summary>JSON settings of the admin API: snake_case names, nulls written.</summary>
public static class AdminJson
{
    public static JsonSerializerOptions Options { get; } = Wire.SharedJsonOptions.Freeze(new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    });
}

/// <summary>Every admin error: <c>{"error": {"code", "message"}, "request_id"}</c>.</summary>
public sealed record AdminError(AdminErrorDetail Error, string RequestId);

public sealed record AdminErrorDetail(string Code, string Message);

public sealed record ItemList<T>(IReadOnlyList<T> Items);

public sealed record TenantView(string Id, string DomainName, string ProjectId, string ProjectName, string AccountId, DateTimeOffset CreatedAt);

/// <summary>An access key with its secret: only in the answer that creates it.</summary>
public sealed record AccessKeySecret(string Id, string Secret);

public sealed record RotatedAccessKey(string Id, string Secret, string Replaces);

public sealed record AccessKeyView(string Id, DateTimeOffset CreatedAt);

/// <summary>A user's password appears only when Junction chose it (in the answer that created or reset it).</summary>
public sealed record UserPassword(string Name, string? Password);

public sealed record UserView(string Name, DateTimeOffset CreatedAt);

public sealed record CreatedTenant(TenantView Tenant, AccessKeySecret AccessKey, UserPassword User);

public sealed record CreateTenantRequest(string DomainName, string? ProjectId, string? AccountId, string? User);

public sealed record CreateUserRequest(string Name, string? Password);

public sealed record SetPasswordRequest(string? Password);

public sealed record SubnetView(string Id, string? Name, string? Cidr);

/// <summary>
/// A VPC; <see cref="Source"/> is <c>config</c> (read-only here) or <c>admin</c>. It and its subnets belong to
/// <see cref="Tenant"/> (an IAM domain name) or are <see cref="Shared"/>.
/// </summary>
public sealed record VpcView(string Id, string? Name, string? Cidr, string Source, IReadOnlyList<SubnetView> Subnets, string? Tenant, bool Shared);

public sealed record NetworkList(string Mode, IReadOnlyList<VpcView> Items);

/// <summary>A VPC (with <see cref="Tenant"/> or <see cref="Shared"/>, exactly one) or a subnet (which goes with its VPC: neither).</summary>
public sealed record CreateNetworkRequest(string Id, string? Name, string? Cidr, string? Tenant = null, bool? Shared = null);

/// <summary>A Kafka instance; the password is never returned, <see cref="HasPassword"/> says whether one is kept.</summary>
public sealed record KafkaInstanceView(
    string Id, string BootstrapServers, string SecurityProtocol, string? SaslMechanism, string? UserName, bool HasPassword, string Source,
    string? Tenant, bool Shared);

/// <summary>A Kafka instance to register: <see cref="Tenant"/> (the IAM domain name of the only tenant that may use it) or <see cref="Shared"/>, exactly one.</summary>
public sealed record KafkaInstanceRequest(
    string Id, string BootstrapServers, string? SecurityProtocol, string? SaslMechanism, string? UserName, string? Password, string? Tenant = null, bool? Shared = null);

/// <summary>An HTTP function EB scf targets deliver to: <c>namespace/name</c> and its endpoint, for one tenant or shared.</summary>
public sealed record FunctionView(string Namespace, string Name, string Url, string? Tenant, bool Shared, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An HTTP function to register: <see cref="Tenant"/> (an IAM domain name) or <see cref="Shared"/>, exactly one.</summary>
public sealed record FunctionRequest(string Namespace, string Name, string Url, string? Tenant = null, bool? Shared = null);

/// <summary>A rule's dead-letter configuration: <see cref="DisposeMethod"/> DLQ (with its CKafka topic), DROP or IGNORE_ERROR.</summary>
public sealed record EbDeadLetterView(string DisposeMethod, string? TopicName, string? ResourceDescription);

/// <summary>A Tencent EB rule as the operator sees it.</summary>
public sealed record EbRuleView(
    string Id, string TenantId, string BusId, string Name, bool Enabled, string EventPattern, string? TransformationId, EbDeadLetterView? DeadLetterConfig,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A dead-letter configuration to set: <c>DLQ</c> needs the topic and the CKafka resource of the rule's account.</summary>
public sealed record EbDeadLetterRequest(string DisposeMethod, string? TopicName = null, string? ResourceDescription = null);

public sealed record ConnectionError(string Code, string Message, string? Detail);

/// <summary>A connection of any face; <see cref="Ingress"/> is where an EB apigw connector receives requests (its token is never shown here).</summary>
public sealed record ConnectionView(
    string Id, string TenantId, string Face, string Scope, string Name, string Kind, string State, ConnectionError? Error,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Ingress = null);

public sealed record ConnectionList(long Total, IReadOnlyList<ConnectionView> Items);

public sealed record HistoryEntry(
    long Sequence, string Node, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string From, string To, bool Ok, string Code, string Message, string Detail);

public sealed record ConnectionHistory(ConnectionView Connection, IReadOnlyList<HistoryEntry> History);

public sealed record FaceStateCount(string Face, string State, long Count);

/// <summary><c>GET /status</c>: what runs, and how its connections are; <see cref="Failing"/> holds the ten newest of <see cref="FailingTotal"/>.</summary>
public sealed record StatusView(string Version, string Database, int Schema, IReadOnlyList<FaceStateCount> Connections, long FailingTotal, IReadOnlyList<ConnectionView> Failing);

/// <summary>A delivery job: one event owed to one target, where it stands and why.</summary>
public sealed record DeliveryView(
    long Id, string TenantId, long EventSeq, string EventId, string EventSource, string EventType, string ChannelId, string SubscriptionId,
    string TargetId, string Connection, string State, string Phase, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAt,
    DateTimeOffset? FirstFailureAt, DateTimeOffset? FinishedAt, string? LastError);

public sealed record DeliveryList(long Total, IReadOnlyList<DeliveryView> Items);

public sealed record AttemptView(string Phase, string Node, DateTimeOffset At, int DurationMs, string Outcome, string Code, string Message, int? Status);

public sealed record DeliveryDetail(DeliveryView Delivery, IReadOnlyList<AttemptView> Attempts);

/// <summary>Which failed or dead-lettered deliveries to deliver again: by id, by tenant, subscription or target, or all of them.</summary>
public sealed record RedriveRequest(IReadOnlyList<long>? Ids, string? TenantId, string? SubscriptionId, string? TargetId, bool? All);

public sealed record RedriveResult(int Redriven);
