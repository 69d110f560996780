using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Core.Events;
using Junction.Core.Routing.Filters;
using Junction.Core.Routing.Transforms;
using Junction.Core.Security;
using Junction.Server.Api.Wire;
using static Junction.Core.Events.EgJson;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>A target as parsed from a request, before its connection is looked up.</summary>
internal sealed record EgTargetDraft(EgTarget Target, string? DeadLetterConnectionId);

/// <summary>
/// Parses and validates the EventGrid data-plane bodies (spec/dataplane.md §2): channels, sources, subscriptions and
/// targets. Every problem names its field; a filter that breaks a rule is reported apart (it has its own code).
/// </summary>
internal static partial class EgResourceRequests
{
    public const int MaxDetailBytes = 1024;
    public const int MaxSources = 1;

    /// <summary>Target kinds Junction delivers to; others (FunctionGraph, SMN, EG, OPENAPI) are stored and their deliveries fail with a clear error.</summary>
    public static readonly string[] WebhookKinds = ["HTTPS", "WEBHOOK", "HTTP"];

    private static readonly string[] s_providerTypes = ["CUSTOM", "OFFICIAL", "APIGW"];
    private static readonly string[] s_sourceProviders = ["CUSTOM", "OFFICIAL", "PARTNER"];
    private static readonly string[] s_keyTypes = ["NONE", "ORIGINAL", "CONSTANT", "VARIABLE"];

    public static EgChannel? ParseChannelCreate(JsonFields body, string id, DateTimeOffset now)
    {
        var name = body.String("name", required: true, maxLength: 128, minLength: 1);
        if (name is not null && !NamePattern().IsMatch(name))
        {
            body.Problem("name may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit");
        }
        else if (string.Equals(name, EgChannel.DefaultName, StringComparison.OrdinalIgnoreCase))
        {
            body.Problem("name cannot be 'default': it is the built-in channel of cloud-service events");
        }

        var description = body.String("description", maxLength: 255) ?? "";
        var eps = body.String("enterprise_project_id", maxLength: 64) ?? body.String("eps_id", maxLength: 64);
        var crossAccount = body.Bool("cross_account");
        var policy = Policy(body);
        return body.HasProblems ? null : new EgChannel(id, name!, description, EgChannel.Custom, eps, crossAccount, policy, now, now);
    }

    public static EgChannel? ParseChannelUpdate(JsonFields body, EgChannel current, DateTimeOffset now)
    {
        var description = body.String("description", maxLength: 255);
        var eps = body.String("enterprise_project_id", maxLength: 64) ?? body.String("eps_id", maxLength: 64);
        var crossAccount = body.Bool("cross_account");
        var policy = Policy(body);
        return body.HasProblems ? null : current with
        {
            Description = description ?? current.Description,
            EnterpriseProjectId = eps ?? current.EnterpriseProjectId,
            CrossAccount = crossAccount ?? current.CrossAccount,
            Policy = policy ?? current.Policy,
            UpdatedTime = now,
        };
    }

    public static EgSource? ParseSourceCreate(JsonFields body, string id, DateTimeOffset now)
    {
        var name = body.String("name", required: true, maxLength: 128, minLength: 1);
        if (name is not null && !SourceNamePattern().IsMatch(name))
        {
            body.Problem("name may contain only lowercase letters, digits, '.', '_' and '-', and must start with a letter or digit");
        }
        else if (name is not null && name.StartsWith("hc.", StringComparison.OrdinalIgnoreCase))
        {
            body.Problem("name must not start with 'hc.': that prefix is for cloud-service sources");
        }

        var description = body.String("description", maxLength: 255) ?? "";
        var channelId = body.String("channel_id", required: true, maxLength: 64, minLength: 1);
        var type = body.String("type") ?? "APPLICATION";
        if (type != "APPLICATION")
        {
            body.Problem(type is "RABBITMQ" or "ROCKETMQ"
                ? $"type {type} is not supported by Junction (it cannot consume {type} instances); use APPLICATION"
                : $"type must be APPLICATION (got '{type}')");
        }

        var detail = Detail(body, "detail");
        return body.HasProblems ? null : new EgSource(id, name!, description, channelId!, type, detail, "RUNNING", EgChannel.Custom, now, now);
    }

    public static EgSource? ParseSourceUpdate(JsonFields body, EgSource current, DateTimeOffset now)
    {
        var description = body.String("description", maxLength: 255);
        var detail = Detail(body, "detail");
        return body.HasProblems ? null : current with { Description = description ?? current.Description, Detail = detail ?? current.Detail, UpdatedTime = now };
    }

    /// <summary>A subscription's sources; a filter that breaks the filter language goes to <paramref name="filterError"/>.</summary>
    public static IReadOnlyList<EgSubscriptionSource>? ParseSources(
        JsonFields body, IReadOnlyList<EgSubscriptionSource> existing, DateTimeOffset now, ref FilterError? filterError)
    {
        var items = body.Objects("sources");
        if (items is null)
        {
            if (!body.HasProblems)
            {
                body.Problem("sources is required: one event source with its filter");
            }

            return null;
        }

        if (items.Count != MaxSources)
        {
            body.Problem($"sources must hold exactly {MaxSources} event source (got {items.Count})");
            return null;
        }

        var sources = new List<EgSubscriptionSource>();
        foreach (var item in items)
        {
            var id = Id(item, "id", minLength: 1) ?? Guid.NewGuid().ToString("D");
            var name = item.String("name", required: true, maxLength: 128, minLength: 1);
            var provider = item.String("provider_type", required: true);
            if (provider is not null && !s_sourceProviders.Contains(provider))
            {
                item.Problem($"{item.Path("provider_type")} must be CUSTOM, OFFICIAL or PARTNER (got '{provider}')");
            }

            var detail = DetailAny(item);
            var filterNode = item.Node("filter");
            if (filterNode is null)
            {
                item.Problem($"{item.Path("filter")} is required: at least {{\"source\":[{{\"op\":\"StringIn\",\"values\":[\"<source name>\"]}}]}}");
            }
            else
            {
                var parsed = EgFilterRule.Parse(filterNode, item.Path("filter"));
                if (!parsed.Ok)
                {
                    filterError ??= parsed.Error;
                }
            }

            var created = existing.FirstOrDefault(s => s.Id == id)?.CreatedTime ?? now;
            if (name is not null && provider is not null && filterNode is not null)
            {
                sources.Add(new EgSubscriptionSource(id, name, provider, detail, filterNode, created, now));
            }
        }

        return body.HasProblems || filterError is not null ? null : sources;
    }

    /// <summary>A target; <paramref name="existing"/> keeps its creation time when the id names one.</summary>
    public static EgTarget? ParseTarget(
        JsonFields body, string subscriptionId, string? fixedId, IReadOnlyList<EgTarget> existing, ISecretProtector protector, DateTimeOffset now)
    {
        var id = fixedId ?? Id(body, "id", minLength: 32) ?? Guid.NewGuid().ToString("N");
        var name = body.String("name", required: true, maxLength: 128, minLength: 1);
        var provider = body.String("provider_type", required: true);
        if (provider is not null && !s_providerTypes.Contains(provider))
        {
            body.Problem($"{body.Path("provider_type")} must be CUSTOM, OFFICIAL or APIGW (got '{provider}')");
        }

        var connectionId = body.String("connection_id", maxLength: 64);
        var detail = Detail(body, "detail");
        var kafka = Detail(body, "kafka_detail");
        var smn = Detail(body, "smn_detail");
        var eg = Detail(body, "eg_detail");
        var apigw = Detail(body, "apigw_detail");
        var retry = body.Integer("retry_times");
        if (retry is < 0 or > int.MaxValue)
        {
            body.Problem($"{body.Path("retry_times")} must be 0 or more (got {retry})");
        }

        var transform = Detail(body, "transform") ?? new JsonObject { ["type"] = "ORIGINAL" };
        var parsedTransform = EgTargetTransform.Parse(Text(transform, "type"), Text(transform, "value"), Text(transform, "template"), body.Path("transform"));
        if (!parsedTransform.Ok)
        {
            body.Problem(parsedTransform.Error!.ToString());
        }

        var dlq = Detail(body, "dead_letter_queue");
        if (dlq is not null)
        {
            if (Text(dlq, "type") is { } dlqType && dlqType != "KAFKA")
            {
                body.Problem($"{body.Path("dead_letter_queue.type")} must be KAFKA (got '{dlqType}')");
            }

            if (string.IsNullOrEmpty(Text(dlq, "connection_id")) || string.IsNullOrEmpty(Text(dlq, "topic")))
            {
                body.Problem($"{body.Path("dead_letter_queue")} needs connection_id (a KAFKA connection) and topic");
            }
        }

        switch (name)
        {
            case "HTTPS" or "WEBHOOK" or "HTTP":
                CheckUrl(body, Text(detail, "url"), "detail.url");
                break;
            case "HC.APIGW":
                CheckUrl(body, Text(apigw, "url"), "apigw_detail.url");
                ProtectHeaders(body, apigw, protector);
                break;
            case "HC.Kafka":
                if (string.IsNullOrEmpty(Text(kafka, "topic")))
                {
                    body.Problem($"{body.Path("kafka_detail.topic")} is required for an HC.Kafka target");
                }

                if (string.IsNullOrEmpty(connectionId))
                {
                    body.Problem($"{body.Path("connection_id")} is required for an HC.Kafka target: a KAFKA connection");
                }

                if (kafka is not null)
                {
                    NormalizeKey(body, kafka);
                }

                break;
        }

        if (body.HasProblems)
        {
            return null;
        }

        var created = existing.FirstOrDefault(t => t.Id == id)?.CreatedTime ?? now;
        return new EgTarget(id, subscriptionId, name!, provider!, string.IsNullOrEmpty(connectionId) ? null : connectionId,
            detail, kafka, smn, eg, apigw, (int)(retry ?? 3), transform, dlq, created, now);
    }

    /// <summary>The error a target's address gets (EG.00513003) when the problems are about it.</summary>
    public static bool IsAddressProblem(string problem) => problem.Contains(".url", StringComparison.Ordinal);

    private static void CheckUrl(JsonFields body, string? url, string field)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            body.Problem($"{body.Path(field)} must be an absolute http:// or https:// URL (got '{url}')");
        }
    }

    /// <summary>Secret header values are encrypted before they are stored; answers mask them.</summary>
    private static void ProtectHeaders(JsonFields body, JsonObject? apigw, ISecretProtector protector)
    {
        if (apigw?["invocation_http_parameters"]?["header_parameters"] is not JsonArray headers)
        {
            return;
        }

        foreach (var header in headers)
        {
            if (header is not JsonObject h || string.IsNullOrEmpty(Text(h, "key")))
            {
                body.Problem($"{body.Path("apigw_detail.invocation_http_parameters.header_parameters")} entries need a key");
                return;
            }

            if (h["is_value_secret"]?.GetValueKind() == JsonValueKind.True)
            {
                h["value"] = protector.Protect(Text(h, "value") ?? "");
            }
        }
    }

    /// <summary>Accepts <c>key_transform</c> (Terraform's spelling) as <c>keyTransform</c> and checks its type.</summary>
    private static void NormalizeKey(JsonFields body, JsonObject kafka)
    {
        if (kafka["keyTransform"] is null && kafka["key_transform"] is { } alias)
        {
            kafka.Remove("key_transform");
            kafka["keyTransform"] = alias;
        }

        if (kafka["keyTransform"] is not JsonObject key)
        {
            return;
        }

        var type = Text(key, "type");
        if (type is null || !s_keyTypes.Contains(type))
        {
            body.Problem($"{body.Path("kafka_detail.keyTransform.type")} must be NONE, CONSTANT or VARIABLE (got '{type}')");
        }
        else if (type is "CONSTANT" or "VARIABLE")
        {
            var parsed = EgTargetTransform.Parse(type, Text(key, "value"), Text(key, "template"), body.Path("kafka_detail.keyTransform"));
            if (!parsed.Ok)
            {
                body.Problem(parsed.Error!.ToString());
            }
        }
    }

    /// <summary>An id given by the client: lowercase letters, digits and '-', starting with a letter or digit.</summary>
    private static string? Id(JsonFields body, string name, int minLength)
    {
        var id = body.String(name, maxLength: 64);
        if (id is null)
        {
            return null;
        }

        if (id.Length < minLength || !IdPattern().IsMatch(id))
        {
            body.Problem($"{body.Path(name)} must be {minLength}-64 lowercase letters, digits and '-', starting with a letter or digit");
            return null;
        }

        return id;
    }

    /// <summary>An object field stored as given (explicit null is absent), at most <see cref="MaxDetailBytes"/> serialized.</summary>
    private static JsonObject? Detail(JsonFields body, string name)
    {
        var kind = body.KindOf(name);
        if (kind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        if (kind != JsonValueKind.Object)
        {
            body.Problem($"{body.Path(name)} must be an object");
            return null;
        }

        var node = (JsonObject)body.Node(name)!;
        if (name != "transform" && System.Text.Encoding.UTF8.GetByteCount(node.ToJsonString()) > MaxDetailBytes)
        {
            body.Problem($"{body.Path(name)} must be at most {MaxDetailBytes} bytes serialized");
            return null;
        }

        return node.Count == 0 ? null : node;
    }

    /// <summary>A source's detail under any key containing "detail" (Terraform's dynamic <c>detail_name</c>, or <c>""</c>).</summary>
    private static JsonNode? DetailAny(JsonFields item)
    {
        foreach (var name in item.Names)
        {
            if ((name.Contains("detail", StringComparison.Ordinal) || name.Length == 0) && item.KindOf(name) == JsonValueKind.Object)
            {
                var node = item.Node(name)!;
                if (System.Text.Encoding.UTF8.GetByteCount(node.ToJsonString()) > MaxDetailBytes)
                {
                    item.Problem($"{item.Path(name)} must be at most {MaxDetailBytes} bytes serialized");
                    return null;
                }

                return ((JsonObject)node).Count == 0 ? null : node;
            }
        }

        return null;
    }

    /// <summary>A policy as an object or (as the Go SDK types it) any JSON; stored as given.</summary>
    private static JsonNode? Policy(JsonFields body) => body.KindOf("policy") is JsonValueKind.Object or JsonValueKind.Array ? body.Node("policy") : null;

    /// <summary>The EG list paging and sort of §1: offset ≥ 0, limit 1–1000 (15), sort <c>field:ASC|DESC</c>.</summary>
    public static (int Offset, int Limit, string Sort, bool Descending)? ParsePaging(IQueryCollection query, List<string> problems)
    {
        var offset = Integer(query, "offset", 0, 0, int.MaxValue, problems);
        var limit = Integer(query, "limit", 15, 1, 1000, problems);
        var sort = query["sort"].ToString();
        var (field, descending) = ("created_at", true);
        if (sort.Length > 0)
        {
            var parts = sort.Split(':');
            field = parts[0] switch
            {
                "created_time" => "created_at",
                "updated_time" => "updated_at",
                "name" => "name",
                _ => "",
            };
            if (field.Length == 0 || parts.Length > 2 || (parts.Length == 2 && parts[1].ToUpperInvariant() is not ("ASC" or "DESC")))
            {
                problems.Add($"sort must be created_time, updated_time or name, optionally followed by :ASC or :DESC (got '{sort}')");
                return null;
            }

            descending = parts.Length == 1 || parts[1].Equals("DESC", StringComparison.OrdinalIgnoreCase);
        }

        return problems.Count > 0 ? null : (offset, limit, field, descending);
    }

    private static int Integer(IQueryCollection query, string name, int fallback, int min, int max, List<string> problems)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            problems.Add($"{name} must be an integer from {min} to {max} (got '{text}')");
            return fallback;
        }

        return value;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]*\z")]
    private static partial Regex SourceNamePattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]*\z")]
    private static partial Regex IdPattern();
}
