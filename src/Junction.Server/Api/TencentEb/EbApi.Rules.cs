using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Core.EventBuses;
using Junction.Core.Routing.Filters;
using Junction.Core.Routing.Transforms;
using Junction.Core.Security;

namespace Junction.Server.Api.TencentEb;

/// <summary>
/// Rules, targets and transformations (spec/dataplane.md §3.4, §3.6–§3.8). Existence is checked bus first, then
/// rule, then target; patterns and transformations are parsed with the languages the data plane runs, on write.
/// </summary>
internal static partial class EbApi
{
    private static async Task<JsonObject> CreateRuleAsync(EbContext c)
    {
        var p = c.Params.Allow("EventPattern", "EventBusId", "RuleName", "Enable", "Description", "DeadLetterConfig");
        var pattern = Pattern(p.String("EventPattern", required: true)!);
        var busId = BusId(p.String("EventBusId", required: true)!);
        var name = RuleName(p.String("RuleName", required: true)!);
        var enabled = p.Bool("Enable") ?? true;
        var description = Description(p.String("Description")) ?? "";
        var deadLetter = DeadLetter(c, p.Object("DeadLetterConfig"));
        await EnsureDefaultBusAsync(c);
        var bus = await FindBusAsync(c, busId);
        var now = Now(c);
        var rule = new EbRule
        {
            Id = "rule-" + RandomIds.Suffix(8),
            TenantId = c.Tenant.Id,
            BusId = bus.Id,
            Name = name,
            Description = description,
            Enabled = enabled,
            Pattern = pattern,
            DeadLetter = deadLetter,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var quota = bus.Type == EventBusTypes.Cloud ? c.Services.Eb.Value.MaxRulesPerCloudBus : c.Services.Eb.Value.MaxRulesPerBus;
        return await c.Services.Rules.CreateRuleAsync(rule, quota, c.CancellationToken) switch
        {
            EbWriteOutcome.Done => new JsonObject { ["RuleId"] = rule.Id },
            EbWriteOutcome.NameTaken => throw EbError.Value("RuleName", $"A rule named '{name}' already exists on event bus {bus.Id}."),
            EbWriteOutcome.QuotaExceeded => throw new EbError("LimitExceeded.Rule", $"The number of rules reaches the upper limit ({quota} rules on event bus {bus.Id})."),
            _ => throw BusNotFound(bus.Id),
        };
    }

    private static async Task<JsonObject> UpdateRuleAsync(EbContext c)
    {
        var p = c.Params.Allow("RuleId", "EventBusId", "Enable", "Description", "EventPattern", "RuleName", "DeadLetterConfig");
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        var busId = BusId(p.String("EventBusId", required: true)!);
        var enabled = p.Bool("Enable");
        var description = Description(p.String("Description"));
        var pattern = p.String("EventPattern") is { } text ? Pattern(text) : null;
        var name = p.String("RuleName") is { } n ? RuleName(n) : null;
        var deadLetter = p.Has("DeadLetterConfig") ? DeadLetter(c, p.Object("DeadLetterConfig")) : null;
        var rule = await FindRuleAsync(c, busId, ruleId);
        var updated = rule with
        {
            Enabled = enabled ?? rule.Enabled,
            Description = description ?? rule.Description,
            Pattern = pattern ?? rule.Pattern,
            Name = name ?? rule.Name,
            DeadLetter = deadLetter ?? rule.DeadLetter,
            UpdatedAt = Now(c),
        };
        return await c.Services.Rules.UpdateRuleAsync(updated, c.CancellationToken) switch
        {
            EbWriteOutcome.Done => [],
            EbWriteOutcome.NameTaken => throw EbError.Value("RuleName", $"A rule named '{name}' already exists on event bus {busId}."),
            _ => throw RuleNotFound(ruleId),
        };
    }

    private static async Task<JsonObject> GetRuleAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "RuleId");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        var rule = await FindRuleAsync(c, busId, ruleId);
        return new JsonObject
        {
            ["EventBusId"] = rule.BusId,
            ["RuleId"] = rule.Id,
            ["RuleName"] = rule.Name,
            ["Status"] = RuleStatus(rule),
            ["Enable"] = rule.Enabled,
            ["Description"] = rule.Description,
            ["EventPattern"] = rule.Pattern,
            ["AddTime"] = Time(rule.CreatedAt),
            ["ModTime"] = Time(rule.UpdatedAt),
        };
    }

    private static async Task<JsonObject> ListRulesAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "OrderBy", "Limit", "Offset", "Order");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var (offset, limit, sort, descending) = Paging(p);
        var bus = await FindBusAsync(c, busId);
        var (total, rules) = await c.Services.Rules.ListRulesAsync(c.Tenant.Id, bus.Id, new EbPage(offset, limit, sort, descending), c.CancellationToken);
        var items = new JsonArray();
        foreach (var (rule, targets) in rules)
        {
            items.Add(new JsonObject
            {
                ["Status"] = RuleStatus(rule),
                ["ModTime"] = Time(rule.UpdatedAt),
                ["Enable"] = rule.Enabled,
                ["Description"] = rule.Description,
                ["RuleId"] = rule.Id,
                ["AddTime"] = Time(rule.CreatedAt),
                ["EventBusId"] = rule.BusId,
                ["RuleName"] = rule.Name,
                ["Targets"] = targets.Count == 0
                    ? null
                    : new JsonArray([.. targets.Select(t => (JsonNode)new JsonObject { ["TargetId"] = t.Id, ["Type"] = t.Type })]),
                ["DeadLetterConfig"] = rule.DeadLetter is null ? null : JsonNode.Parse(rule.DeadLetter),
            });
        }

        return new JsonObject { ["Rules"] = items, ["TotalCount"] = total };
    }

    private static async Task<JsonObject> DeleteRuleAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "RuleId");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        await FindBusAsync(c, busId);
        return await c.Services.Rules.DeleteRuleAsync(c.Tenant.Id, busId, ruleId, c.CancellationToken) switch
        {
            EbWriteOutcome.Done => [],
            EbWriteOutcome.InUse => throw new EbError("ResourceInUse.Rule", "The rule still has targets and cannot be deleted; delete its targets first."),
            _ => throw RuleNotFound(ruleId),
        };
    }

    private static async Task<JsonObject> CreateTargetAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "Type", "TargetDescription", "RuleId", "BatchTimeout", "BatchEventCount", "EnableBatchDelivery");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var type = p.String("Type", required: true)!;
        var description = p.Object("TargetDescription", required: true)!;
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        var (batchTimeout, batchCount) = Batch(p);
        var detail = await EbTargetSpecs.ParseAsync(c, type, description);
        var rule = await FindRuleAsync(c, busId, ruleId);
        var now = Now(c);
        var target = new EbTarget
        {
            Id = "target-" + RandomIds.Suffix(8),
            TenantId = c.Tenant.Id,
            BusId = rule.BusId,
            RuleId = rule.Id,
            Type = type,
            Description = detail.ToJsonString(),
            EnableBatchDelivery = p.Bool("EnableBatchDelivery") ?? false,
            BatchTimeout = batchTimeout,
            BatchEventCount = batchCount,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var quota = c.Services.Eb.Value.MaxTargetsPerRule;
        return await c.Services.Rules.CreateTargetAsync(target, quota, c.CancellationToken) switch
        {
            EbWriteOutcome.Done => new JsonObject { ["TargetId"] = target.Id },
            EbWriteOutcome.QuotaExceeded => throw new EbError("LimitExceeded.Target", $"The number of targets reaches the upper limit ({quota} targets on rule {rule.Id})."),
            EbWriteOutcome.BusNotFound => throw BusNotFound(busId),
            _ => throw RuleNotFound(ruleId),
        };
    }

    private static async Task<JsonObject> UpdateTargetAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "RuleId", "TargetId", "EnableBatchDelivery", "BatchTimeout", "BatchEventCount");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        var targetId = TargetId(p.String("TargetId", required: true)!);
        var (batchTimeout, batchCount) = Batch(p);
        var enable = p.Bool("EnableBatchDelivery");
        await FindRuleAsync(c, busId, ruleId);
        var target = await c.Services.Rules.GetTargetAsync(c.Tenant.Id, ruleId, targetId, c.CancellationToken) ?? throw TargetNotFound(targetId);
        var updated = target with
        {
            EnableBatchDelivery = enable ?? target.EnableBatchDelivery,
            BatchTimeout = batchTimeout ?? target.BatchTimeout,
            BatchEventCount = batchCount ?? target.BatchEventCount,
            UpdatedAt = Now(c),
        };
        return await c.Services.Rules.UpdateTargetAsync(updated, c.CancellationToken) == EbWriteOutcome.Done ? [] : throw TargetNotFound(targetId);
    }

    private static async Task<JsonObject> ListTargetsAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "RuleId", "OrderBy", "Limit", "Offset", "Order");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        var (offset, limit, sort, descending) = Paging(p);
        if (sort == Core.Connections.SortField.Name)
        {
            throw EbError.Value("OrderBy", "OrderBy must be created_at or updated_at for targets.");
        }

        await FindRuleAsync(c, busId, ruleId);
        var (total, targets) = await c.Services.Rules.ListTargetsAsync(c.Tenant.Id, ruleId, new EbPage(offset, limit, sort, descending), c.CancellationToken);
        var items = new JsonArray();
        foreach (var target in targets)
        {
            items.Add(new JsonObject
            {
                ["Type"] = target.Type,
                ["EventBusId"] = target.BusId,
                ["TargetId"] = target.Id,
                ["TargetDescription"] = JsonNode.Parse(target.Description),
                ["RuleId"] = target.RuleId,
                ["EnableBatchDelivery"] = target.EnableBatchDelivery,
                ["BatchTimeout"] = target.BatchTimeout ?? 0,
                ["BatchEventCount"] = target.BatchEventCount ?? 0,
            });
        }

        return new JsonObject { ["Targets"] = items, ["TotalCount"] = total };
    }

    private static async Task<JsonObject> DeleteTargetAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "TargetId", "RuleId");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var targetId = TargetId(p.String("TargetId", required: true)!);
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        await FindRuleAsync(c, busId, ruleId);
        return await c.Services.Rules.DeleteTargetAsync(c.Tenant.Id, ruleId, targetId, c.CancellationToken) == EbWriteOutcome.Done
            ? []
            : throw TargetNotFound(targetId);
    }

    private static async Task<JsonObject> CreateTransformationAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "RuleId", "Transformations");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        var transformation = Transformation(p);
        await FindRuleAsync(c, busId, ruleId);
        var id = "tsfm-" + RandomIds.Suffix(8);
        return await c.Services.Rules.SetTransformationAsync(c.Tenant.Id, busId, ruleId, id, transformation, create: true, Now(c), c.CancellationToken) switch
        {
            EbWriteOutcome.Done => new JsonObject { ["TransformationId"] = id },
            EbWriteOutcome.Exists => throw EbError.Value("Transformations", $"Rule {ruleId} already has a transformation; a rule has at most one (update or delete it)."),
            _ => throw RuleNotFound(ruleId),
        };
    }

    private static async Task<JsonObject> GetTransformationAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "RuleId", "TransformationId");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        var id = TransformationId(p.String("TransformationId", required: true)!);
        var rule = await FindRuleAsync(c, busId, ruleId);
        return rule.TransformationId == id && rule.Transformation is { } text
            ? new JsonObject { ["Transformations"] = new JsonArray(JsonNode.Parse(text)) }
            : throw TransformationNotFound(id);
    }

    private static async Task<JsonObject> UpdateTransformationAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "RuleId", "TransformationId", "Transformations");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        var id = TransformationId(p.String("TransformationId", required: true)!);
        var transformation = Transformation(p);
        await FindRuleAsync(c, busId, ruleId);
        return await c.Services.Rules.SetTransformationAsync(c.Tenant.Id, busId, ruleId, id, transformation, create: false, Now(c), c.CancellationToken) switch
        {
            EbWriteOutcome.Done => [],
            EbWriteOutcome.RuleNotFound => throw RuleNotFound(ruleId),
            _ => throw TransformationNotFound(id),
        };
    }

    private static async Task<JsonObject> DeleteTransformationAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "RuleId", "TransformationId");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var ruleId = RuleId(p.String("RuleId", required: true)!);
        var id = TransformationId(p.String("TransformationId", required: true)!);
        await FindRuleAsync(c, busId, ruleId);
        return await c.Services.Rules.SetTransformationAsync(c.Tenant.Id, busId, ruleId, id, null, create: false, Now(c), c.CancellationToken) switch
        {
            EbWriteOutcome.Done => [],
            EbWriteOutcome.RuleNotFound => throw RuleNotFound(ruleId),
            _ => throw TransformationNotFound(id),
        };
    }

    /// <summary>The bus (in this region) and then the rule on it, or the error naming whichever is missing.</summary>
    private static async Task<EbRule> FindRuleAsync(EbContext c, string busId, string ruleId)
    {
        await FindBusAsync(c, busId);
        return await c.Services.Rules.GetRuleAsync(c.Tenant.Id, busId, ruleId, c.CancellationToken) ?? throw RuleNotFound(ruleId);
    }

    /// <summary>Active while enabled, Disabled otherwise (Tencent documents only "Active").</summary>
    private static string RuleStatus(EbRule rule) => rule.Enabled ? "Active" : "Disabled";

    private static string Pattern(string text)
    {
        var pattern = EbEventPattern.Parse(text);
        return pattern.Ok ? text : throw EbError.Value("EventPattern", $"EventPattern is not a valid event pattern: {pattern.Error}.");
    }

    /// <summary>The one transformation of <c>Transformations</c>, validated, as JSON.</summary>
    private static string Transformation(EbParams p)
    {
        var transformations = p.ObjectElements("Transformations", required: true)!;
        if (transformations.Count != 1)
        {
            throw EbError.Value("Transformations", $"Transformations holds {transformations.Count} transformations; exactly one is supported.");
        }

        var parsed = EbTransformation.Parse(transformations[0], "Transformations.0");
        return parsed.Ok
            ? transformations[0].GetRawText()
            : throw EbError.Value("Transformations", $"The transformation is not valid: {parsed.Error}.");
    }

    /// <summary>The <c>DeadLetterConfig</c> extension (§3.7), checked by <see cref="EbDeadLetter"/>; as JSON, or null when absent.</summary>
    private static string? DeadLetter(EbContext c, EbParams? config)
    {
        if (config is null)
        {
            return null;
        }

        config.Allow("DisposeMethod", "CkafkaDeliveryParams");
        var method = config.String("DisposeMethod", required: true)!;
        var ckafka = config.Object("CkafkaDeliveryParams")?.Allow("TopicName", "ResourceDescription");
        var (json, error) = EbDeadLetter.Validate(method, ckafka?.String("TopicName", required: true), ckafka?.String("ResourceDescription", required: true),
            c.Tenant.AccountId, id => c.Services.Instances.FindKafkaFor(id, c.Tenant.DomainName) is not null);
        return json ?? throw EbError.Value("DeadLetterConfig", $"DeadLetterConfig: {error}.");
    }

    private static (long? Timeout, long? Count) Batch(EbParams p)
    {
        var timeout = p.Integer("BatchTimeout");
        var count = p.Integer("BatchEventCount");
        if (timeout is < 0 or > 60)
        {
            throw EbError.Value("BatchTimeout", $"BatchTimeout must be from 0 to 60 seconds, not {timeout}.");
        }

        if (count is < 0 or > 10_000)
        {
            throw EbError.Value("BatchEventCount", $"BatchEventCount must be from 0 to 10000, not {count}.");
        }

        return (timeout, count);
    }

    private static string RuleName(string name) =>
        BusNamePattern().IsMatch(name)
            ? name
            : throw EbError.Value("RuleName",
                $"RuleName '{name}' must be 2-60 characters of letters, Chinese characters, digits, '_' and '-', start with a letter and end with a letter or digit.");

    private static string RuleId(string id) =>
        RuleIdPattern().IsMatch(id) ? id : throw EbError.Value("RuleId", $"RuleId '{id}' is not a rule id (rule-xxxxxxxx).");

    private static string TargetId(string id) =>
        TargetIdPattern().IsMatch(id) ? id : throw EbError.Value("TargetId", $"TargetId '{id}' is not a target id (target-xxxxxxxx).");

    private static string TransformationId(string id) =>
        TransformationIdPattern().IsMatch(id) ? id : throw EbError.Value("TransformationID", $"TransformationId '{id}' is not a transformation id (tsfm-xxxxxxxx).");

    private static EbError RuleNotFound(string id) => new("ResourceNotFound.Rule", $"The specified rule {id} was not found.");

    private static EbError TargetNotFound(string id) => new("ResourceNotFound.Target", $"The specified target {id} was not found.");

    private static EbError TransformationNotFound(string id) => new("ResourceNotFound.Transformation", $"The specified transformation {id} was not found.");

    [GeneratedRegex(@"^rule-[a-z0-9]{1,32}\z")]
    private static partial Regex RuleIdPattern();

    [GeneratedRegex(@"^target-[a-z0-9]{1,32}\z")]
    private static partial Regex TargetIdPattern();

    [GeneratedRegex(@"^tsfm-[a-z0-9]{1,32}\z")]
    private static partial Regex TransformationIdPattern();
}

/// <summary>
/// Validates a <c>TargetDescription</c> (§3.6): a QCS resource of the target's service and of the caller's account,
/// and the parameters of its type; answers the description as stored and listed — every parameter block present,
/// zero-valued where not given, as ListTargets shows them.
/// </summary>
internal static partial class EbTargetSpecs
{
    public static readonly string[] Types = ["scf", "cls", "amp", "ckafka", "es"];

    public static async Task<JsonObject> ParseAsync(EbContext c, string type, EbParams description)
    {
        if (!Types.Contains(type))
        {
            throw EbError.Value("Type", $"Type '{type}' is not a target type; use one of {string.Join(", ", Types)}.");
        }

        description.Allow("ResourceDescription", "SCFParams", "CkafkaTargetParams", "ESTargetParams");
        var resource = description.String("ResourceDescription", required: true)!;
        var match = ResourcePattern().Match(resource);
        if (!match.Success)
        {
            throw EbError.Value("TargetDescription", $"ResourceDescription '{resource}' is not a QCS resource string (qcs::<service>:<region>:<account>:<resource>).");
        }

        var service = match.Groups["service"].Value;
        var expected = type switch { "scf" => "scf", "amp" => "eb-amp", _ => type };
        if (service != expected && !(type == "scf" && service == "custom_scf"))
        {
            throw EbError.Value("TargetDescription", $"ResourceDescription names service '{service}', not the {type} target's '{expected}'.");
        }

        if (match.Groups["uin"].Value is { Length: > 0 } uin && uin != c.Tenant.AccountId)
        {
            throw EbError.Value("TargetDescription", $"ResourceDescription belongs to account uin/{uin}, not to this account (uin/{c.Tenant.AccountId}).");
        }

        var detail = new JsonObject
        {
            ["ResourceDescription"] = resource,
            ["SCFParams"] = new JsonObject { ["BatchTimeout"] = 0, ["BatchEventCount"] = 0, ["EnableBatchDelivery"] = false },
            ["CkafkaTargetParams"] = new JsonObject
            {
                ["TopicName"] = "", ["RetryPolicy"] = new JsonObject { ["RetryInterval"] = 0, ["MaxRetryAttempts"] = 0 }, ["EventDeliveryFormat"] = "",
            },
            ["ESTargetParams"] = new JsonObject
            {
                ["NetMode"] = "", ["IndexPrefix"] = "", ["RotationInterval"] = "", ["OutputMode"] = "", ["IndexSuffixMode"] = "", ["IndexTemplateType"] = "",
            },
        };
        foreach (var (name, owner) in new[] { ("SCFParams", "scf"), ("CkafkaTargetParams", "ckafka"), ("ESTargetParams", "es") })
        {
            if (description.Has(name) && owner != type)
            {
                throw EbError.Value("TargetDescription", $"{name} is only for {owner} targets, not {type}.");
            }
        }

        switch (type)
        {
            case "ckafka":
            {
                UsableInstance(c, resource, "TargetDescription");
                var ckafka = description.Object("CkafkaTargetParams", required: true)!.Allow("TopicName", "RetryPolicy", "EventDeliveryFormat");
                var topic = ckafka.String("TopicName", required: true)!;
                var retry = ckafka.Object("RetryPolicy", required: true)!.Allow("RetryInterval", "MaxRetryAttempts");
                var interval = retry.Integer("RetryInterval", required: true)!.Value;
                var attempts = retry.Integer("MaxRetryAttempts", required: true)!.Value;
                var format = ckafka.String("EventDeliveryFormat") ?? "";
                if (topic.Length is 0 or > 249)
                {
                    throw EbError.Value("CKafkaTargetParams", "CkafkaTargetParams.TopicName must be 1 to 249 characters.");
                }

                if (interval is < 0 or > 86_400 || attempts is < 0 or > 10_000)
                {
                    throw EbError.Value("CKafkaTargetParams",
                        $"CkafkaTargetParams.RetryPolicy needs RetryInterval from 0 to 86400 seconds and MaxRetryAttempts from 0 to 10000 (got {interval} and {attempts}).");
                }

                if (format is not ("" or "CloudEvent" or "CloudEventDataKey"))
                {
                    throw EbError.Value("CKafkaTargetParams", $"CkafkaTargetParams.EventDeliveryFormat must be CloudEvent or CloudEventDataKey, not '{format}'.");
                }

                detail["CkafkaTargetParams"] = new JsonObject
                {
                    ["TopicName"] = topic,
                    ["RetryPolicy"] = new JsonObject { ["RetryInterval"] = interval, ["MaxRetryAttempts"] = attempts },
                    ["EventDeliveryFormat"] = format,
                };
                break;
            }

            case "scf":
            {
                var id = EbFunctions.IdOf(resource)
                    ?? throw EbError.Value("TargetDescription", $"an scf resource is namespace/<namespace>/function/<name>[/<qualifier>], not '{match.Groups["resource"].Value}'.");
                var stored = await c.Services.Inventory.GetFunctionAsync(id, c.CancellationToken);
                if (stored is null || !stored.UsableBy(c.Tenant.DomainName))
                {
                    throw EbError.Value("TargetDescription",
                        $"function '{id}' has no HTTP endpoint registered with Junction for this account (the operator registers one with 'junction functions add').");
                }

                if (description.Object("SCFParams") is { } scf)
                {
                    scf.Allow("BatchTimeout", "BatchEventCount", "EnableBatchDelivery");
                    detail["SCFParams"] = new JsonObject
                    {
                        ["BatchTimeout"] = scf.Integer("BatchTimeout") ?? 0, ["BatchEventCount"] = scf.Integer("BatchEventCount") ?? 0,
                        ["EnableBatchDelivery"] = scf.Bool("EnableBatchDelivery") ?? false,
                    };
                }

                break;
            }

            case "es":
            {
                if (description.Object("ESTargetParams") is { } es)
                {
                    es.Allow("NetMode", "IndexPrefix", "RotationInterval", "OutputMode", "IndexSuffixMode", "IndexTemplateType");
                    var block = detail["ESTargetParams"]!.AsObject();
                    foreach (var key in new[] { "NetMode", "IndexPrefix", "RotationInterval", "OutputMode", "IndexSuffixMode", "IndexTemplateType" })
                    {
                        block[key] = es.String(key) ?? "";
                    }
                }

                break;
            }
        }

        return detail;
    }

    /// <summary>Refuses a CKafka resource whose instance this account may not use (unknown and another account's look the same).</summary>
    public static void UsableInstance(EbContext c, string resource, string field)
    {
        var id = EbDeadLetter.InstanceOf(resource, c.Tenant.AccountId)
            ?? throw EbError.Value(field, $"'{resource}' is not a CKafka resource of this account (qcs::ckafka:<region>:uin/{c.Tenant.AccountId}:ckafkaId/uin/{c.Tenant.AccountId}/<instance id>).");
        if (c.Services.Instances.FindKafkaFor(id, c.Tenant.DomainName) is null)
        {
            throw EbError.Value(field,
                $"CKafka instance '{id}' is not registered with Junction for this account (the operator registers it with 'junction instances add').");
        }
    }

    [GeneratedRegex(@"^qcs::(?<service>[a-z_-]+):(?<region>[a-z0-9-]*):(?:appid/[0-9]+/)?(?:uin/(?<uin>[0-9]+))?:(?<resource>.*)\z")]
    private static partial Regex ResourcePattern();
}
