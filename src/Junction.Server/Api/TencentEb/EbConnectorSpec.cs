using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Core.Connections;

namespace Junction.Server.Api.TencentEb;

/// <summary>A validated connector target: its type, what Core needs to verify it, the wire detail to store, and the DTS password.</summary>
internal sealed record EbConnectorSpec(string Type, KafkaTarget? Kafka, JsonObject Detail, string? Password);

/// <summary>
/// Validates a <c>ConnectionDescription</c> (spec/tencent-eb.md §5.1–§5.5, §6.1): a QCS resource string whose service
/// matches the type and whose account is the caller's, and the parameter object of that type.
/// </summary>
internal static partial class EbConnectorSpecs
{
    public static readonly string[] Types = ["apigw", "ckafka", "dts", "tdmq"];

    public static EbConnectorSpec Parse(EbParams description, string? type, string accountId)
    {
        description.Allow("ResourceDescription", "APIGWParams", "CkafkaParams", "DTSParams", "TDMQParams");
        var resource = description.String("ResourceDescription", required: true)!;
        var match = ResourcePattern().Match(resource);
        if (!match.Success)
        {
            throw EbError.Value("ConnectionDescription",
                $"ResourceDescription '{resource}' is not a QCS resource string (qcs::<service>:<region>:uin/<uin>:<resource>).");
        }

        var service = match.Groups["service"].Value;
        type ??= service;
        if (!Types.Contains(type))
        {
            throw EbError.Value("Type", $"Type '{type}' is not supported; use one of {string.Join(", ", Types)}.");
        }

        if (service != type)
        {
            throw EbError.Value("ConnectionDescription", $"ResourceDescription names service '{service}' but Type is '{type}'.");
        }

        var uin = match.Groups["uin"].Value;
        if (uin != accountId)
        {
            throw EbError.Value("ConnectionDescription", $"ResourceDescription belongs to account uin/{uin}, not to this account (uin/{accountId}).");
        }

        foreach (var (name, owner) in new[] { ("APIGWParams", "apigw"), ("CkafkaParams", "ckafka"), ("DTSParams", "dts"), ("TDMQParams", "tdmq") })
        {
            if (description.Has(name) && owner != type)
            {
                throw EbError.Value("ConnectionDescription", $"{name} is only for {owner} connectors, not {type}.");
            }
        }

        var detail = new JsonObject
        {
            ["ResourceDescription"] = resource,
            ["APIGWParams"] = null,
            ["CkafkaParams"] = null,
            ["DTSParams"] = null,
        };
        var path = match.Groups["resource"].Value;
        switch (type)
        {
            case "ckafka":
            {
                var instance = CkafkaInstancePattern().Match(path);
                if (!instance.Success)
                {
                    throw EbError.Value("ConnectionDescription", $"a ckafka resource is ckafkaId/uin/<uin>/<instance id>, not '{path}'.");
                }

                // The inner uin names the instance's owner too: it must be this account as well.
                if (instance.Groups["uin"].Value != accountId)
                {
                    throw EbError.Value("ConnectionDescription",
                        $"ResourceDescription names an instance of account uin/{instance.Groups["uin"].Value}, not of this account (uin/{accountId}).");
                }

                var ckafka = description.Object("CkafkaParams", required: true)!.Allow("Offset", "TopicName");
                var offset = ckafka.String("Offset", required: true)!;
                var topic = ckafka.String("TopicName", required: true)!;
                if (offset.Length == 0 || topic.Length == 0 || topic.Length > 249)
                {
                    throw EbError.Value("ConnectionDescription", "CkafkaParams.Offset and CkafkaParams.TopicName must not be empty (TopicName at most 249 characters).");
                }

                detail["CkafkaParams"] = new JsonObject { ["Offset"] = offset, ["TopicName"] = topic };
                var kafka = new KafkaTarget(instance.Groups["id"].Value, "", "", false, null, "1", Topic: topic);
                return new EbConnectorSpec(type, kafka, detail, null);
            }

            case "apigw":
            {
                if (!path.StartsWith("serviceid/", StringComparison.Ordinal) || path.Length <= "serviceid/".Length)
                {
                    throw EbError.Value("ConnectionDescription", $"an apigw resource is serviceid/<service id>, not '{path}'.");
                }

                var apigw = description.Object("APIGWParams", required: true)!.Allow("Protocol", "Method");
                var protocol = apigw.String("Protocol", required: true)!;
                var method = apigw.String("Method", required: true)!;
                if (protocol.ToUpperInvariant() is not ("HTTP" or "HTTPS"))
                {
                    throw EbError.Value("ConnectionDescription", $"APIGWParams.Protocol must be HTTP or HTTPS, not '{protocol}'.");
                }

                if (method.ToUpperInvariant() is not ("GET" or "POST" or "PUT" or "DELETE" or "PATCH" or "HEAD" or "ANY"))
                {
                    throw EbError.Value("ConnectionDescription", $"APIGWParams.Method '{method}' is not an HTTP method.");
                }

                detail["APIGWParams"] = new JsonObject { ["Protocol"] = protocol, ["Method"] = method };
                return new EbConnectorSpec(type, null, detail, null);
            }

            case "dts":
            {
                var dts = description.Object("DTSParams", required: true)!.Allow("ConsumerGroupName", "Account", "Password");
                var group = dts.String("ConsumerGroupName", required: true)!;
                var account = dts.String("Account", required: true)!;
                var password = dts.String("Password", required: true)!;
                if (group.Length == 0 || account.Length == 0 || password.Length == 0 || password.Length > 256)
                {
                    throw EbError.Value("DTSParams", "DTSParams.ConsumerGroupName, Account and Password must not be empty (Password at most 256 characters).");
                }

                // The password is kept encrypted apart from the detail, and answered as null.
                detail["DTSParams"] = new JsonObject { ["ConsumerGroupName"] = group, ["Account"] = account, ["Password"] = null };
                return new EbConnectorSpec(type, null, detail, password);
            }

            default:
            {
                if (!path.StartsWith("subscriptionName/", StringComparison.Ordinal) || path.Split('/').Length != 5)
                {
                    throw EbError.Value("ConnectionDescription",
                        $"a tdmq resource is subscriptionName/<cluster>/<namespace>/<topic>/<subscription>, not '{path}'.");
                }

                var tdmq = description.Object("TDMQParams");
                if (tdmq is not null)
                {
                    tdmq.Allow("ClusterType", "ClusterEndPoint");
                    detail["TDMQParams"] = new JsonObject { ["ClusterType"] = tdmq.String("ClusterType"), ["ClusterEndPoint"] = tdmq.String("ClusterEndPoint") };
                }

                return new EbConnectorSpec(type, null, detail, null);
            }
        }
    }

    [GeneratedRegex(@"^qcs::(?<service>[a-z]+):(?<region>[a-z0-9-]*):uin/(?<uin>[0-9]+):(?<resource>.+)\z")]
    private static partial Regex ResourcePattern();

    [GeneratedRegex(@"^ckafkaId/uin/(?<uin>[0-9]+)/(?<id>[A-Za-z0-9_-]+)\z")]
    private static partial Regex CkafkaInstancePattern();
}
