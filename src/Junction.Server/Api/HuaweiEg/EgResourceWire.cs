using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Core.Delivery;
using Junction.Core.Events;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>
/// The EventGrid data-plane resources in EG's wire shapes (spec/dataplane.md §2): snake_case, times as
/// <c>yyyy-MM-dd HH:mm:ss</c> UTC like connections, empty <c>*_detail</c> objects omitted (Terraform reads any key
/// containing "detail" as the detail), secret header values masked.
/// </summary>
internal static class EgResourceWire
{
    public const string Mask = "******";

    public static JsonObject Channel(EgChannel c)
    {
        var json = new JsonObject
        {
            ["id"] = c.Id,
            ["name"] = c.Name,
            ["description"] = c.Description,
            ["provider_type"] = c.ProviderType,
            ["created_time"] = Time(c.CreatedTime),
            ["updated_time"] = Time(c.UpdatedTime),
        };
        if (c.EnterpriseProjectId is not null)
        {
            json["enterprise_project_id"] = c.EnterpriseProjectId;
            json["eps_id"] = c.EnterpriseProjectId;
        }

        if (c.CrossAccount is not null)
        {
            json["cross_account"] = c.CrossAccount;
        }

        if (c.Policy is not null)
        {
            json["policy"] = c.Policy.DeepClone();
        }

        return json;
    }

    public static JsonObject Source(EgSource s, string channelName)
    {
        var json = new JsonObject
        {
            ["id"] = s.Id,
            ["name"] = s.Name,
            ["label"] = s.Name,
            ["description"] = s.Description,
            ["provider_type"] = s.ProviderType,
            ["event_types"] = new JsonArray(),
            ["created_time"] = Time(s.CreatedTime),
            ["updated_time"] = Time(s.UpdatedTime),
            ["channel_id"] = s.ChannelId,
            ["channel_name"] = channelName,
            ["type"] = s.Type,
            ["status"] = s.Status,
        };
        if (s.Detail is not null)
        {
            json["detail"] = s.Detail.DeepClone();
        }

        return json;
    }

    public static JsonObject Subscription(EgSubscription s, string channelName, IEnumerable<EgTarget> targets) => new()
    {
        ["id"] = s.Id,
        ["name"] = s.Name,
        ["description"] = s.Description,
        ["type"] = "EVENT",
        ["status"] = s.Status,
        ["channel_id"] = s.ChannelId,
        ["channel_name"] = channelName,
        ["used"] = new JsonArray(),
        ["sources"] = new JsonArray([.. s.Sources.Select(Source)]),
        ["targets"] = new JsonArray([.. targets.Select(Target)]),
        ["created_time"] = Time(s.CreatedTime),
        ["updated_time"] = Time(s.UpdatedTime),
    };

    private static JsonObject Source(EgSubscriptionSource s)
    {
        var json = new JsonObject
        {
            ["id"] = s.Id,
            ["name"] = s.Name,
            ["provider_type"] = s.ProviderType,
            ["filter"] = s.Filter.DeepClone(),
            ["created_time"] = Time(s.CreatedTime),
            ["updated_time"] = Time(s.UpdatedTime),
        };
        if (s.Detail is not null)
        {
            json["detail"] = s.Detail.DeepClone();
        }

        return json;
    }

    public static JsonObject Target(EgTarget t)
    {
        var json = new JsonObject
        {
            ["id"] = t.Id,
            ["name"] = t.Name,
            ["provider_type"] = t.ProviderType,
            ["connection_id"] = t.ConnectionId,
            ["retry_times"] = t.RetryTimes,
            ["transform"] = t.Transform.DeepClone(),
            ["created_time"] = Time(t.CreatedTime),
            ["updated_time"] = Time(t.UpdatedTime),
        };
        Put(json, "detail", t.Detail);
        Put(json, "kafka_detail", t.KafkaDetail);
        Put(json, "smn_detail", t.SmnDetail);
        Put(json, "eg_detail", t.EgDetail);
        if (t.ApigwDetail is not null)
        {
            var apigw = (JsonObject)t.ApigwDetail.DeepClone();
            foreach (var header in apigw["invocation_http_parameters"]?["header_parameters"] as JsonArray ?? [])
            {
                if (header is JsonObject h && h["is_value_secret"]?.GetValueKind() == JsonValueKind.True)
                {
                    h["value"] = Mask;
                }
            }

            json["apigw_detail"] = apigw;
        }

        Put(json, "dead_letter_queue", t.DeadLetterQueue);
        return json;
    }

    /// <summary>The attempts of one delivery in EG's trace shape (camelCase, §2.8), the latest three.</summary>
    public static JsonObject DeliverTarget(DeliveryInfo delivery, string targetName, IEnumerable<AttemptRecord> attempts) => new()
    {
        ["deliverTargetId"] = delivery.TargetId,
        ["deliverTargetName"] = targetName,
        ["deliverStatus"] = delivery.State switch
        {
            DeliveryState.Delivered => "SUCCESS",
            DeliveryState.Pending => "DELIVERING",
            _ => "FAILED",
        },
        ["deliverDetailList"] = new JsonArray([.. attempts.Where(a => a.Phase == DeliveryPhase.Target).TakeLast(3).Select(a => (JsonNode)new JsonObject
        {
            ["deliverTime"] = a.At.UtcDateTime.ToString("yyyy/MM/dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            ["deliverStatus"] = a.Kind == AttemptKind.Success ? "SUCCESS" : "FAILED",
            ["deliverConsuming"] = a.DurationMs,
            ["deliverRspCode"] = a.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? a.Code,
        })]),
    };

    public static string Time(DateTimeOffset time) => EgConnectionInfo.FormatTime(time);

    private static void Put(JsonObject json, string name, JsonObject? value)
    {
        if (value is { Count: > 0 })
        {
            json[name] = value.DeepClone();
        }
    }
}
