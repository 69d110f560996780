using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Junction.Core.Events;

/// <summary>An EventGrid channel (spec/dataplane.md §2.1): an event bus. The per-project <c>default</c> channel is OFFICIAL.</summary>
public sealed record EgChannel(
    string Id,
    string Name,
    string Description,
    string ProviderType,
    string? EnterpriseProjectId,
    bool? CrossAccount,
    JsonNode? Policy,
    DateTimeOffset CreatedTime,
    DateTimeOffset UpdatedTime)
{
    public const string DefaultName = "default";
    public const string Official = "OFFICIAL";
    public const string Custom = "CUSTOM";
}

/// <summary>A custom event source (§2.2): an event's <c>source</c> names one.</summary>
public sealed record EgSource(
    string Id,
    string Name,
    string Description,
    string ChannelId,
    string Type,
    JsonNode? Detail,
    string Status,
    string ProviderType,
    DateTimeOffset CreatedTime,
    DateTimeOffset UpdatedTime);

/// <summary>A subscription's event source and its filter (§2.4); the filter was validated when written.</summary>
public sealed record EgSubscriptionSource(
    string Id,
    string Name,
    string ProviderType,
    JsonNode? Detail,
    JsonNode Filter,
    DateTimeOffset CreatedTime,
    DateTimeOffset UpdatedTime);

/// <summary>A subscription (§2.4): one source with a filter, routed to its targets while CREATED or ENABLED.</summary>
public sealed record EgSubscription(
    string Id,
    string Name,
    string Description,
    string ChannelId,
    string Status,
    IReadOnlyList<EgSubscriptionSource> Sources,
    DateTimeOffset CreatedTime,
    DateTimeOffset UpdatedTime)
{
    /// <summary>Whether events are routed to it: CREATED (shown as enabled by the console) or ENABLED.</summary>
    public bool Routes => Status is "CREATED" or "ENABLED";
}

/// <summary>
/// A subscription target (§2.5) as validated: its kind (<see cref="Name"/>), the connection it delivers through, the
/// detail of its kind, its retries, transform and dead-letter queue. Secret header values of <c>apigw_detail</c> are
/// kept encrypted in the stored document and masked in answers.
/// </summary>
public sealed record EgTarget(
    string Id,
    string SubscriptionId,
    string Name,
    string ProviderType,
    string? ConnectionId,
    JsonObject? Detail,
    JsonObject? KafkaDetail,
    JsonObject? SmnDetail,
    JsonObject? EgDetail,
    JsonObject? ApigwDetail,
    int RetryTimes,
    JsonObject Transform,
    JsonObject? DeadLetterQueue,
    DateTimeOffset CreatedTime,
    DateTimeOffset UpdatedTime)
{
    /// <summary>The key deliveries through this target share fairly and are bounded by: its connection, or the tenant's public network.</summary>
    public string ConnectionKey(string tenantId) => ConnectionId is { Length: > 0 } id && id != EgDefaults.DefaultConnectionId(tenantId) ? id : "public:" + tenantId;
}

/// <summary>The resources EG has without anyone creating them: the default channel and the default (public-network) connection.</summary>
public static class EgDefaults
{
    /// <summary>The id of a tenant's <c>default</c> channel: stable, derived from the tenant, never stored.</summary>
    public static string DefaultChannelId(string tenantId) => Derived("channel", tenantId);

    /// <summary>The id of a tenant's <c>default</c> connection, which means the public network.</summary>
    public static string DefaultConnectionId(string tenantId) => Derived("connection", tenantId);

    private static string Derived(string what, string tenantId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"junction-eg-default-{what}:{tenantId}"));
        return new Guid(hash.AsSpan(0, 16)).ToString("D");
    }
}

/// <summary>How EG resources are written into and read from their stored documents.</summary>
public static class EgJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new InvalidOperationException($"a stored {typeof(T).Name} is empty");

    /// <summary>The string at <paramref name="name"/> of an object node; null when absent or not a string.</summary>
    public static string? Text(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
