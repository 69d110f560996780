using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Core.Delivery;
using Junction.Core.Events;
using Junction.Core.Routing.Transforms;
using Junction.Core.Security;
using Junction.Delivery.Sinks;
using static Junction.Core.Events.EgJson;

namespace Junction.Delivery;

/// <summary>What one attempt sends where: decided from a job's target and event before any I/O.</summary>
public abstract record DeliveryPlan
{
    private DeliveryPlan()
    {
    }

    /// <summary>POST to <see cref="Url"/> through the target's connection (or the public network).</summary>
    public sealed record Webhook(Uri Url, SinkMessage Message) : DeliveryPlan;

    /// <summary>Produce to <see cref="Topic"/> through the KAFKA connection <see cref="ConnectionId"/>.</summary>
    public sealed record Kafka(string ConnectionId, string Topic, SinkMessage Message) : DeliveryPlan;

    /// <summary>Produce to <see cref="Topic"/> of a Kafka instance the operator registered (EB's ckafka targets).</summary>
    public sealed record KafkaInstance(Core.Instances.KafkaInstance Instance, string Topic, SinkMessage Message) : DeliveryPlan;

    /// <summary>Nothing can be sent: the outcome is already known (a target kind Junction does not deliver to, say).</summary>
    public sealed record Refused(AttemptOutcome Outcome) : DeliveryPlan;

    /// <summary>Nothing is owed: the route no longer wants the event (an EB transformation's EtlFilter does not match it).</summary>
    public sealed record Skipped(string Reason) : DeliveryPlan;
}

/// <summary>
/// Turns an EG target and an event into a <see cref="DeliveryPlan"/> (spec/dataplane.md §2.5, §2.7, §2.8): the target's
/// transform gives the body, <c>kafka_detail.keyTransform</c> the Kafka key, <c>apigw_detail</c> the extra headers
/// (secret values decrypted here, for the request only). A dead letter carries the original CloudEvent with headers
/// naming the subscription, target, error, attempts and first failure.
/// </summary>
public static class EgDeliveryPlan
{
    public const string Unsupported = "JUNCTION.TARGET_UNSUPPORTED";
    public const string BadTarget = "JUNCTION.TARGET_INVALID";

    public static DeliveryPlan ForTarget(DeliveryWork work, ISecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(protector);
        var target = work.Target ?? throw new ArgumentException("the job's target is gone", nameof(work));
        var transform = EgTargetTransform.Parse(Text(target.Transform, "type") ?? "ORIGINAL", Text(target.Transform, "value"), Text(target.Transform, "template"));
        if (!transform.Ok)
        {
            return new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget, $"target {target.Id}: {transform.Error}"));
        }

        TransformOutput body;
        if (ReferenceEquals(transform.Value, EgTargetTransform.Original))
        {
            // The CloudEvent as it was accepted: stored as compact JSON, it is what ORIGINAL's Apply would copy out of it.
            body = new TransformOutput(TransformOutput.CloudEvent, work.Event);
        }
        else
        {
            using var document = JsonDocument.Parse(work.Event);
            body = transform.Value!.Apply(document.RootElement);
        }

        var headers = new List<KeyValuePair<string, string>> { new("X-Request-Id", $"junction-{work.Id}") };
        switch (target.Name)
        {
            case "HC.Kafka":
                var topic = Text(target.KafkaDetail, "topic");
                if (string.IsNullOrEmpty(topic) || string.IsNullOrEmpty(target.ConnectionId))
                {
                    return new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget, $"target {target.Id} has no kafka_detail.topic or connection_id"));
                }

                var key = Key(target.KafkaDetail!, work.Event);
                return key.Error is { } keyError
                    ? new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget, $"target {target.Id}: {keyError}"))
                    : new DeliveryPlan.Kafka(target.ConnectionId, topic, new SinkMessage(body.ContentType, body.Body, key.Key, headers));
            case "HC.APIGW":
                foreach (var parameter in target.ApigwDetail?["invocation_http_parameters"]?["header_parameters"]?.AsArray() ?? [])
                {
                    var name = Text(parameter, "key");
                    var value = Text(parameter, "value") ?? "";
                    if (string.IsNullOrEmpty(name))
                    {
                        continue;
                    }

                    if (parameter?["is_value_secret"]?.GetValueKind() == JsonValueKind.True)
                    {
                        value = protector.Unprotect(value) ?? "";
                    }

                    headers.Add(new(name, value));
                }

                return Webhook(target, Text(target.ApigwDetail, "url"), new SinkMessage(body.ContentType, body.Body, null, headers));
            case "HTTPS" or "WEBHOOK" or "HTTP":
                return Webhook(target, Text(target.Detail, "url"), new SinkMessage(body.ContentType, body.Body, null, headers));
            default:
                return new DeliveryPlan.Refused(AttemptOutcome.Terminal(Unsupported,
                    $"target kind '{target.Name}' is stored but Junction does not deliver to it (it delivers to HTTPS/WEBHOOK, HC.APIGW and HC.Kafka targets)"));
        }
    }

    /// <summary>The dead letter of a job: the original CloudEvent, to the target's dead-letter topic, with EG's headers.</summary>
    public static DeliveryPlan ForDeadLetter(DeliveryWork work, int attempts, string errorCode, string errorMessage, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(work);
        var dlq = work.Target?.DeadLetterQueue;
        var topic = Text(dlq, "topic");
        var connectionId = Text(dlq, "connection_id");
        if (string.IsNullOrEmpty(topic) || string.IsNullOrEmpty(connectionId))
        {
            return new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget, $"target {work.TargetId} has no usable dead_letter_queue"));
        }

        var headers = new List<KeyValuePair<string, string>>
        {
            new("eg-subscription-id", work.SubscriptionId),
            new("eg-target-id", work.TargetId),
            new("eg-error-code", errorCode),
            new("eg-error-msg", errorMessage),
            new("eg-attempts", attempts.ToString(CultureInfo.InvariantCulture)),
            new("eg-first-failure-time", (work.FirstFailureAt ?? now).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        };
        return new DeliveryPlan.Kafka(connectionId, topic, new SinkMessage(TransformOutput.CloudEvent, work.Event, null, headers));
    }

    public static bool HasDeadLetterQueue(EgTarget? target) =>
        !string.IsNullOrEmpty(Text(target?.DeadLetterQueue, "topic")) && !string.IsNullOrEmpty(Text(target?.DeadLetterQueue, "connection_id"));

    private static DeliveryPlan Webhook(EgTarget target, string? url, SinkMessage message) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? new DeliveryPlan.Webhook(uri, message)
            : new DeliveryPlan.Refused(AttemptOutcome.Terminal(BadTarget, $"target {target.Id} has no absolute http(s) url"));

    /// <summary>The Kafka key from <c>keyTransform</c> (or its alias <c>key_transform</c>): NONE/ORIGINAL none, CONSTANT the value, VARIABLE rendered.</summary>
    private static (byte[]? Key, string? Error) Key(JsonObject detail, byte[] cloudEvent)
    {
        var spec = detail["keyTransform"] ?? detail["key_transform"];
        var type = Text(spec, "type");
        if (type is null or "NONE" or "ORIGINAL")
        {
            return (null, null);
        }

        var parsed = EgTargetTransform.Parse(type, Text(spec, "value"), Text(spec, "template"), "kafka_detail.keyTransform");
        if (!parsed.Ok)
        {
            return (null, parsed.Error!.ToString());
        }

        using var document = JsonDocument.Parse(cloudEvent);
        return (parsed.Value!.Apply(document.RootElement).Body.ToArray(), null);
    }

}
