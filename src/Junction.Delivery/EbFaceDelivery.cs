using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Core.Delivery;
using Junction.Core.EventBuses;
using Junction.Core.Instances;
using Junction.Core.Inventory;
using Junction.Core.Routing.Transforms;
using Junction.Core.Tenancy;
using Junction.Delivery.Sinks;

namespace Junction.Delivery;

/// <summary>
/// Tencent EventBridge's deliveries (spec/dataplane.md §3.3, §3.6–§3.8). The accepted envelope gets the rule in its
/// <c>resource</c>, then the rule's transformation (if any); a <c>ckafka</c> target produces it to its topic on the
/// registered Kafka instance its <c>ckafkaId</c> names (or only <c>data</c> with <c>CloudEventDataKey</c>), retrying
/// at the fixed <c>RetryInterval</c> up to <c>MaxRetryAttempts</c>; an <c>scf</c> target POSTs it to the HTTP endpoint
/// the operator registered for the function; <c>cls</c>, <c>amp</c> and <c>es</c> fail with a reason. A rule's
/// <c>DeadLetterConfig</c> decides what a job that gave up becomes: on its CKafka topic (<c>DLQ</c>), dropped
/// (<c>DROP</c>, <c>IGNORE_ERROR</c>), or without one kept as failed for redrive.
/// </summary>
public sealed class EbFaceDelivery(InstanceRegistry instances, IInventoryStore inventory, CredentialService credentials, TimeProvider time)
    : IFaceDelivery
{
    public const string Unsupported = EgDeliveryPlan.Unsupported;
    public const string BadTarget = EgDeliveryPlan.BadTarget;
    public const string UnknownInstance = Core.Verification.VerificationCodes.InstanceUnknown;
    public const string UnknownFunction = "JUNCTION.FUNCTION_UNKNOWN";

    /// <summary>The retries of a target without a retry policy of its own (scf): as many as EG's default.</summary>
    public const int DefaultRetryTimes = 3;

    public bool TargetGone(DeliveryWork work) => work?.EbTarget is null || work.EbRule is null;

    public RetryPolicy Policy(DeliveryWork work, DeliveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(options);
        if (work.EbTarget is { Type: "ckafka" } target && Description(target)?["CkafkaTargetParams"]?["RetryPolicy"] is JsonObject retry)
        {
            var interval = Number(retry, "RetryInterval") ?? 0;
            var attempts = Number(retry, "MaxRetryAttempts") ?? 0;
            return new RetryPolicy((int)Math.Clamp(attempts, 0, options.MaxRetryTimes), TimeSpan.FromSeconds(Math.Max(interval, 0)),
                options.MaxRetryDelay, options.MaxRetryAfter, Fixed: true);
        }

        return options.Policy(DefaultRetryTimes);
    }

    public bool HasDeadLetterQueue(DeliveryWork work) => DeadLetterQueue(work?.EbRule) is not null;

    public DeliveryState WhenExhausted(DeliveryWork work) =>
        Method(work?.EbRule) is "DROP" or "IGNORE_ERROR" ? DeliveryState.Dropped : DeliveryState.Failed;

    public async ValueTask<DeliveryPlan> ForTargetAsync(DeliveryWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var rule = work.EbRule!;
        var target = work.EbTarget!;
        var description = Description(target);
        var resource = description?["ResourceDescription"]?.GetValue<string>() ?? "";
        var envelope = Envelope(work);
        string contentType = TransformOutput.Json;
        ReadOnlyMemory<byte> body = envelope;
        var transformed = false;
        if (rule.Transformation is { } text)
        {
            using var document = JsonDocument.Parse(text);
            var transformation = EbTransformation.Parse(document.RootElement, "Transformations.0");
            if (!transformation.Ok)
            {
                return new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget, $"rule {rule.Id}: its transformation is no longer valid: {transformation.Error}"));
            }

            using var input = JsonDocument.Parse(envelope);
            var output = transformation.Value!.Apply(input.RootElement, time);
            if (output is null)
            {
                return new DeliveryPlan.Skipped($"rule {rule.Id}: the transformation's EtlFilter does not match the event");
            }

            (contentType, body, transformed) = (output.ContentType, output.Body, true);
        }

        var headers = new List<KeyValuePair<string, string>> { new("X-Request-Id", $"junction-{work.Id}") };
        switch (target.Type)
        {
            case "ckafka":
            {
                var topic = description?["CkafkaTargetParams"]?["TopicName"]?.GetValue<string>();
                var instance = await InstanceAsync(work.TenantId, resource, cancellationToken);
                if (instance.Plan is { } refused)
                {
                    return refused;
                }

                if (string.IsNullOrEmpty(topic))
                {
                    return new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget, $"target {target.Id} has no CkafkaTargetParams.TopicName"));
                }

                if (!transformed && description?["CkafkaTargetParams"]?["EventDeliveryFormat"]?.GetValue<string>() == "CloudEventDataKey")
                {
                    body = DataOf(envelope);
                }

                return new DeliveryPlan.KafkaInstance(instance.Instance!, topic, new SinkMessage(contentType, body, null, headers));
            }

            case "scf":
            {
                if (EbFunctions.IdOf(resource) is not { } id)
                {
                    return new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget,
                        $"target {target.Id}: '{resource}' does not name a function (qcs::scf:<region>:uin/<uin>:namespace/<namespace>/function/<name>[/<qualifier>])"));
                }

                var function = await inventory.GetFunctionAsync(id, cancellationToken);
                var tenant = await credentials.GetTenantAsync(work.TenantId, cancellationToken);
                if (function is null || !function.UsableBy(tenant?.DomainName) || !Uri.TryCreate(function.Url, UriKind.Absolute, out var url))
                {
                    return new DeliveryPlan.Refused(AttemptOutcome.Terminal(UnknownFunction,
                        $"function '{id}' has no HTTP endpoint registered with Junction for this account; the operator registers one with 'junction functions add'"));
                }

                return new DeliveryPlan.Webhook(url, new SinkMessage(contentType, body, null, headers));
            }

            default:
                return new DeliveryPlan.Refused(AttemptOutcome.Terminal(Unsupported,
                    $"target type '{target.Type}' is stored but not supported by Junction for delivery (it delivers to ckafka and scf targets)"));
        }
    }

    public async ValueTask<DeliveryPlan> ForDeadLetterAsync(DeliveryWork work, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (DeadLetterQueue(work.EbRule) is not { } dlq)
        {
            return new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget, $"rule {work.SubscriptionId} has no usable DeadLetterConfig"));
        }

        var instance = await InstanceAsync(work.TenantId, dlq.Resource, cancellationToken);
        if (instance.Plan is { } refused)
        {
            return refused;
        }

        var (code, message) = LastError.Split(work.LastError);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("eb-rule-id", work.SubscriptionId),
            new("eb-target-id", work.TargetId),
            new("eb-error-code", code),
            new("eb-error-msg", message),
            new("eb-attempts", work.TargetAttempts.ToString(CultureInfo.InvariantCulture)),
            new("eb-first-failure-time", (work.FirstFailureAt ?? now).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        };
        return new DeliveryPlan.KafkaInstance(instance.Instance!, dlq.Topic, new SinkMessage(TransformOutput.Json, Envelope(work), null, headers));
    }

    /// <summary>The CKafka instance a QCS resource names, as this tenant may use it; or the refusal to answer with.</summary>
    private async Task<(KafkaInstance? Instance, DeliveryPlan? Plan)> InstanceAsync(string tenantId, string resource, CancellationToken cancellationToken)
    {
        var tenant = await credentials.GetTenantAsync(tenantId, cancellationToken);
        if (tenant is null || EbDeadLetter.InstanceOf(resource, tenant.AccountId) is not { } id)
        {
            return (null, new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget, $"'{resource}' does not name a CKafka instance of this account")));
        }

        var instance = instances.FindKafkaFor(id, tenant.DomainName);
        return instance is null
            ? (null, new DeliveryPlan.Refused(AttemptOutcome.Terminal(UnknownInstance, $"CKafka instance '{id}' is not registered with Junction for this account")))
            : (instance, null);
    }

    /// <summary>The envelope as accepted, with this rule named in <c>resource</c> (<c>qcs::eb:…:{bus}/{rule}</c>).</summary>
    private static byte[] Envelope(DeliveryWork work)
    {
        var node = JsonNode.Parse(work.Event)!.AsObject();
        if (node["resource"] is JsonArray { Count: > 0 } resources && resources[0]?.GetValueKind() == JsonValueKind.String)
        {
            resources[0] = $"{resources[0]!.GetValue<string>()}/{work.SubscriptionId}";
        }

        return JsonSerializer.SerializeToUtf8Bytes(node, EbEnvelope.Options);
    }

    /// <summary>Only the envelope's <c>data</c>: a string as its text, anything else as JSON.</summary>
    private static byte[] DataOf(byte[] envelope)
    {
        using var document = JsonDocument.Parse(envelope);
        if (!document.RootElement.TryGetProperty("data", out var data))
        {
            return [];
        }

        return data.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(data.GetString()!) : Encoding.UTF8.GetBytes(data.GetRawText());
    }

    private static JsonObject? Description(EbTarget target) => JsonNode.Parse(target.Description) as JsonObject;

    private static string? Method(EbRule? rule) =>
        rule?.DeadLetter is { } text && JsonNode.Parse(text) is JsonObject config ? config["DisposeMethod"]?.GetValue<string>() : null;

    private static (string Topic, string Resource)? DeadLetterQueue(EbRule? rule)
    {
        if (rule?.DeadLetter is not { } text || JsonNode.Parse(text) is not JsonObject config || config["DisposeMethod"]?.GetValue<string>() != "DLQ")
        {
            return null;
        }

        var topic = config["CkafkaDeliveryParams"]?["TopicName"]?.GetValue<string>();
        var resource = config["CkafkaDeliveryParams"]?["ResourceDescription"]?.GetValue<string>();
        return string.IsNullOrEmpty(topic) || string.IsNullOrEmpty(resource) ? null : (topic, resource);
    }

    private static long? Number(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;
}
