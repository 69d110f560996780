using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Junction.Core.EventBuses;

/// <summary>
/// A rule's <c>DeadLetterConfig</c> (spec/dataplane.md §3.7), checked once for every way it is set (the Tencent face's
/// CreateRule/UpdateRule extension and the admin API): <c>DLQ</c> with a CKafka topic on an instance the rule's account
/// may use, <c>DROP</c> or <c>IGNORE_ERROR</c>. Answers the JSON to store, or what is wrong.
/// </summary>
public static partial class EbDeadLetter
{
    public static readonly string[] Methods = ["DLQ", "DROP", "IGNORE_ERROR"];

    /// <summary>Checks a configuration of <paramref name="accountId"/>; <paramref name="usable"/> says whether it may use a CKafka instance (its own or shared).</summary>
    public static (string? Json, string? Error) Validate(string method, string? topic, string? resource, string accountId, Func<string, bool> usable)
    {
        ArgumentNullException.ThrowIfNull(usable);
        if (!Methods.Contains(method))
        {
            return (null, $"DisposeMethod must be DLQ, DROP or IGNORE_ERROR, not '{method}'");
        }

        if (method != "DLQ")
        {
            return topic is null && resource is null
                ? (new JsonObject { ["DisposeMethod"] = method, ["CkafkaDeliveryParams"] = null }.ToJsonString(), null)
                : (null, $"CkafkaDeliveryParams is only for DisposeMethod DLQ, not {method}");
        }

        if (topic is null || resource is null)
        {
            return (null, "DisposeMethod DLQ needs CkafkaDeliveryParams {TopicName, ResourceDescription}");
        }

        if (topic.Length is 0 or > 249)
        {
            return (null, "CkafkaDeliveryParams.TopicName must be 1 to 249 characters");
        }

        if (InstanceOf(resource, accountId) is not { } instance)
        {
            return (null, $"'{resource}' is not a CKafka resource of this account (qcs::ckafka:<region>:uin/{accountId}:ckafkaId/uin/{accountId}/<instance id>)");
        }

        return usable(instance)
            ? (new JsonObject
            {
                ["DisposeMethod"] = method,
                ["CkafkaDeliveryParams"] = new JsonObject { ["TopicName"] = topic, ["ResourceDescription"] = resource },
            }.ToJsonString(), null)
            : (null, $"CKafka instance '{instance}' is not registered with Junction for this account (the operator registers it with 'junction instances add')");
    }

    /// <summary>The instance id of a CKafka resource of <paramref name="accountId"/>, or null when it is not one.</summary>
    public static string? InstanceOf(string resource, string accountId)
    {
        var match = CkafkaPattern().Match(resource ?? "");
        return match.Success && match.Groups["uin"].Value == accountId && match.Groups["owner"].Value == accountId ? match.Groups["id"].Value : null;
    }

    [GeneratedRegex(@"^qcs::ckafka:[a-z0-9-]*:uin/(?<uin>[0-9]+):ckafkaId/uin/(?<owner>[0-9]+)/(?<id>[A-Za-z0-9_-]+)\z")]
    private static partial Regex CkafkaPattern();
}
