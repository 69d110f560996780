using System.Globalization;
using System.Text.Json.Nodes;
using Junction.Core.Dli;
using Junction.Core.Networks;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.Api.HuaweiDli;

/// <summary>DLI queues, the dependency of enhanced connections (spec/huawei-dli.md §4): <c>/v1.0/{project_id}/queues</c>.</summary>
internal static class DliQueuesApi
{
    public static IEndpointRouteBuilder MapQueues(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1.0/{project_id}/queues");
        group.MapPost("", CreateAsync);
        group.MapGet("", ListAsync);
        group.MapGet("/{queue_name}", ShowAsync);
        group.MapDelete("/{queue_name}", DeleteAsync);
        group.MapPut("/{queue_name}/action", ActionAsync);
        group.MapPut("/{queue_name}", UpdateCidrAsync);
        group.MapPost("/{queue_name}/connection-test", CreateConnectivityTaskAsync);
        group.MapGet("/{queue_name}/connection-test/{task_id}", ShowConnectivityTaskAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, body, error) = await DliApi.EnterAsync(context, projectId, s.Gate, ct);
        if (error is not null)
        {
            return error;
        }

        var name = body!.String("queue_name", required: true, minLength: 1, maxLength: 128)?.ToLowerInvariant();
        if (name is not null && !DliValidation.IsQueueName(name))
        {
            body.Problem($"queue_name '{name}' may contain only letters, digits and '_', must not be all digits and must not start with '_'");
        }

        var type = OneOf(body, "queue_type", ["sql", "general"], "sql");
        var description = body.String("description", maxLength: 256) ?? "";
        var cu = body.Integer("cu_count", required: true);
        if (cu is not null && (cu < 16 || cu % 16 != 0 || cu > 16 * 1024))
        {
            body.Problem($"cu_count must be a multiple of 16 from 16 to 16384 (16, 64 and 256 are the documented sizes), not {cu}");
        }

        var charging = body.Integer("charging_mode");
        if (charging is not null and not 1)
        {
            body.Problem("charging_mode can only be 1 (billed by CU-hour)");
        }

        var mode = body.Integer("resource_mode") ?? 0;
        if (mode is not (0 or 1))
        {
            body.Problem($"resource_mode must be 0 (shared) or 1 (dedicated), not {mode}");
        }

        var platform = OneOf(body, "platform", ["x86_64", "aarch64"], "x86_64");
        var feature = OneOf(body, "feature", ["basic", "ai"], "basic");
        var engine = OneOf(body, "engine", ["spark", "hetuEngine"], "spark");
        if (engine == "hetuEngine" && type != "sql")
        {
            body.Problem("engine can be set only for sql queues");
        }

        if (feature == "ai" && (type != "sql" || platform != "x86_64" || mode != 1))
        {
            body.Problem("feature 'ai' is only for sql x86_64 dedicated queues");
        }

        var labels = body.Strings("labels");
        if (labels is not null && labels.Any(l => l != "multi_az=2"))
        {
            body.Problem("labels supports only \"multi_az=2\"");
        }

        var enterprise = body.String("enterprise_project_id", maxLength: 64) ?? "0";
        var pool = body.String("elastic_resource_pool_name", maxLength: 128);
        var tags = DliValidation.Tags(body);
        // Engine properties are checked for their type only: Junction runs no jobs to apply them to.
        _ = body.Object("properties");
        if (body.HasProblems)
        {
            return DliError.BadRequest(string.Join("; ", body.Problems));
        }

        if (pool is not null)
        {
            return DliError.NotExist($"There is no elastic resource pool named {pool} (Junction has no elastic resource pools).");
        }

        var queue = new DliQueue
        {
            TenantId = tenant!.Id,
            Name = name!,
            // Numbered by the store, inside the create's transaction.
            QueueId = 0,
            ResourceId = Guid.NewGuid().ToString(),
            QueueType = type!,
            Description = description,
            CuCount = (int)cu!.Value,
            ResourceMode = (int)mode,
            Platform = platform!,
            Feature = feature!,
            Engine = engine!,
            Labels = labels is { Count: > 0 } ? string.Join(",", labels) : null,
            EnterpriseProjectId = enterprise,
            Owner = tenant.DomainName,
            TagsJson = tags is null ? null : new JsonArray([.. tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value })]).ToJsonString(),
            // Stamped by Core.
            CreatedAt = default,
        };
        return await s.Dli.CreateQueueAsync(queue, ct) switch
        {
            QueueCreateOutcome.Created => DliApi.Success(200, new JsonObject { ["queue_name"] = queue.Name }),
            QueueCreateOutcome.NameTaken => DliError.Exists($"The queue {queue.Name} already exists."),
            _ => new DliError(400, DliCodes.QuotaInsufficient, $"The quota is insufficient: at most {s.Dli.QueueQuota} queues per project."),
        };
    }

    private static async Task<IResult> ListAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await DliApi.EnterAsync(context, projectId, s.Gate, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        var query = context.Request.Query;
        var type = query["queue_type"].ToString() is { Length: > 0 } t ? t : "sql";
        if (type is not ("sql" or "general" or "all"))
        {
            return DliError.BadRequest($"queue_type must be sql, general or all (got '{type}')");
        }

        var pageSize = int.TryParse(query["page-size"], NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0 ? size : int.MaxValue;
        var page = int.TryParse(query["current-page"], NumberStyles.None, CultureInfo.InvariantCulture, out var current) && current > 0 ? current : 1;
        var order = query["order"].ToString() is { Length: > 0 } o ? o : "queue_name_asc";
        var problems = new List<string>();
        var tags = DliValidation.QueryTags(query, problems);
        if (problems.Count > 0)
        {
            return DliError.BadRequest(string.Join("; ", problems));
        }

        var queues = (await s.Dli.ListQueuesAsync(tenant!.Id, type == "all" ? null : type, ct))
            .Where(q => tags.Count == 0 || HasTags(q, tags)).ToList();
        IEnumerable<DliQueue>? ordered = order switch
        {
            "queue_name_asc" => queues.OrderBy(q => q.Name, StringComparer.Ordinal),
            "queue_name_desc" => queues.OrderByDescending(q => q.Name, StringComparer.Ordinal),
            "cu_asc" => queues.OrderBy(q => q.CuCount).ThenBy(q => q.Name, StringComparer.Ordinal),
            "cu_desc" => queues.OrderByDescending(q => q.CuCount).ThenBy(q => q.Name, StringComparer.Ordinal),
            _ => null,
        };
        if (ordered is null)
        {
            return DliError.BadRequest($"order must be queue_name_asc, queue_name_desc, cu_asc or cu_desc (got '{order}')");
        }

        var items = ordered.Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * pageSize)).Take(pageSize)
            .Select(q => (JsonNode)ListItem(q)).ToArray();
        return DliApi.Success(200, new JsonObject { ["queues"] = new JsonArray(items) });
    }

    private static async Task<IResult> ShowAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "queue_name")] string name, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await DliApi.EnterAsync(context, projectId, s.Gate, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        var queue = await s.Dli.GetQueueAsync(tenant!.Id, name.ToLowerInvariant(), ct);
        if (queue is null)
        {
            return QueueNotFound(name);
        }

        // ShowQueue answers some keys in camelCase, unlike the list (spec §4.3).
        return DliApi.Success(200, new JsonObject
        {
            ["queue_id"] = queue.QueueId,
            ["queueName"] = queue.Name,
            ["description"] = queue.Description,
            ["owner"] = queue.Owner,
            ["create_time"] = queue.CreatedAt.ToUnixTimeMilliseconds(),
            ["queueType"] = queue.QueueType,
            ["cuCount"] = queue.CuCount,
            ["chargingMode"] = queue.ChargingMode,
            ["resource_id"] = queue.ResourceId,
            ["resource_mode"] = queue.ResourceMode,
            ["enterprise_project_id"] = queue.EnterpriseProjectId,
            ["resource_type"] = "vm",
            ["cu_spec"] = queue.CuCount,
            ["cu_scale_out_limit"] = queue.CuCount,
            ["cu_scale_in_limit"] = 16,
            ["elastic_resource_pool_name"] = queue.ElasticResourcePoolName,
            ["cidr_in_vpc"] = queue.CidrInVpc,
            ["platform"] = queue.Platform,
            ["feature"] = queue.Feature,
            ["engine"] = queue.Engine,
            ["is_restarting"] = false,
        });
    }

    private static async Task<IResult> DeleteAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "queue_name")] string name, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await DliApi.EnterAsync(context, projectId, s.Gate, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        var lower = name.ToLowerInvariant();
        return await s.Dli.DeleteQueueAsync(tenant!.Id, lower, ct) switch
        {
            QueueDeleteOutcome.Deleted => DliApi.Success(200, []),
            QueueDeleteOutcome.Bound => DliError.NotSupported($"Queue {lower} is bound to an enhanced datasource connection; unbind it (disassociate-queue) first."),
            _ => QueueNotFound(lower),
        };
    }

    private static async Task<IResult> ActionAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "queue_name")] string name, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, body, error) = await DliApi.EnterAsync(context, projectId, s.Gate, ct);
        if (error is not null)
        {
            return error;
        }

        var action = OneOf(body!, "action", ["restart", "scale_out", "scale_in"], null, required: true);
        _ = body!.Bool("force");
        var cu = body.Integer("cu_count");
        if (action is "scale_out" or "scale_in" && (cu is null || cu <= 0 || cu % 16 != 0))
        {
            body.Problem("cu_count must be a positive multiple of 16 for scale_out and scale_in");
        }

        if (body.HasProblems)
        {
            return DliError.BadRequest(string.Join("; ", body.Problems));
        }

        var lower = name.ToLowerInvariant();
        var queue = await s.Dli.GetQueueAsync(tenant!.Id, lower, ct);
        if (queue is null)
        {
            return QueueNotFound(lower);
        }

        if (action == "restart")
        {
            return DliApi.Success(200, new JsonObject { ["queue_name"] = lower, ["result"] = true }, "Restart success");
        }

        var target = queue.CuCount + (action == "scale_out" ? cu!.Value : -cu!.Value);
        if (target < 16)
        {
            return DliError.BadRequest($"Queue {lower} has {queue.CuCount} CUs; it cannot be scaled in by {cu} (at least 16 remain).");
        }

        await s.Dli.UpdateQueueAsync(tenant.Id, lower, (int)target, null, ct);
        return DliApi.Success(200, new JsonObject { ["queue_name"] = lower, ["result"] = true });
    }

    private static async Task<IResult> UpdateCidrAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "queue_name")] string name, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, body, error) = await DliApi.EnterAsync(context, projectId, s.Gate, ct);
        if (error is not null)
        {
            return error;
        }

        var cidr = body!.String("cidr_in_vpc", required: true);
        if (cidr is not null && (!cidr.Contains('/', StringComparison.Ordinal) || !Cidr.TryParse(cidr, out _)))
        {
            body.Problem($"cidr_in_vpc '{cidr}' is not a CIDR such as 10.0.0.0/24");
        }

        if (body.HasProblems)
        {
            return DliError.BadRequest(string.Join("; ", body.Problems));
        }

        var lower = name.ToLowerInvariant();
        return await s.Dli.UpdateQueueAsync(tenant!.Id, lower, null, cidr, ct) ? DliApi.Success(200, []) : QueueNotFound(lower);
    }

    /// <summary>
    /// CreateConnectivityTask (spec §7): <c>{"address": "host:port"}</c> → <c>task_id</c>. The test is written first and
    /// answered by the connectivity worker; ShowConnectivityTask reads the answer.
    /// </summary>
    private static async Task<IResult> CreateConnectivityTaskAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "queue_name")] string name, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, body, error) = await DliApi.EnterAsync(context, projectId, s.Gate, ct);
        if (error is not null)
        {
            return error;
        }

        var address = body!.String("address", required: true, minLength: 1, maxLength: 300);
        var endpoint = address is null ? null : DliValidation.Address(address, out var problem) ?? Problem(body, problem);
        if (body.HasProblems)
        {
            return DliError.BadRequest(string.Join("; ", body.Problems));
        }

        var lower = name.ToLowerInvariant();
        var (host, port) = endpoint!.Value;
        var (id, busy) = await s.Dli.StartTestAsync(tenant!.Id, lower, address!, host, port, ct);
        if (busy)
        {
            return new DliError(400, DliCodes.SystemRestrictions,
                $"System restrictions: {DliService.MaxRunningTests} connectivity tests are already running in this project; wait for them to finish.");
        }

        if (id is null)
        {
            return QueueNotFound(lower);
        }

        return DliApi.Success(200, new JsonObject { ["task_id"] = id.Value }, $"check connectivity to address:{host} with port: {port} successfully");
    }

    /// <summary>
    /// ShowConnectivityTask (spec §7): <c>connectivity</c> is CHECKING while the test runs, then REACHABLE or UNREACHABLE;
    /// <c>message</c> then says through which connection and rule, or why not.
    /// </summary>
    private static async Task<IResult> ShowConnectivityTaskAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "queue_name")] string name,
        [FromRoute(Name = "task_id")] string taskId, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await DliApi.EnterAsync(context, projectId, s.Gate, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        var lower = name.ToLowerInvariant();
        if (!long.TryParse(taskId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return DliError.BadRequest($"task_id must be the integer CreateConnectivityTask answered (got '{taskId}')");
        }

        var task = await s.Dli.GetTestAsync(tenant!.Id, lower, id, ct);
        if (task is null)
        {
            return DliError.NotExist($"There is no connectivity test {id} of queue {lower} (finished tests are kept for {DliService.KeepFinishedTests.TotalHours:0} hours).");
        }

        return DliApi.Success(200, new JsonObject
        {
            ["connectivity"] = task.State.ToString().ToUpperInvariant(),
        }, task.Message ?? $"the test of {task.Host}:{task.Port} from queue {lower} is running");
    }

    private static (string, int)? Problem(Wire.JsonFields body, string? problem)
    {
        body.Problem(problem!);
        return null;
    }

    /// <summary>Whether the queue carries every pair (the list's <c>tags</c> filter; a project has at most a few hundred queues).</summary>
    private static bool HasTags(DliQueue queue, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (queue.TagsJson is null || JsonNode.Parse(queue.TagsJson) is not JsonArray own)
        {
            return false;
        }

        var pairs = own.OfType<JsonObject>().Select(t => (Key: (string?)t["key"], Value: (string?)t["value"])).ToList();
        return tags.All(tag => pairs.Any(p => p.Key == tag.Key && p.Value == tag.Value));
    }

    /// <summary>A queue in the list's snake_case (spec §4.2).</summary>
    private static JsonObject ListItem(DliQueue q) => new()
    {
        ["queue_id"] = q.QueueId,
        ["queue_name"] = q.Name,
        ["description"] = q.Description,
        ["owner"] = q.Owner,
        ["create_time"] = q.CreatedAt.ToUnixTimeMilliseconds(),
        ["queue_type"] = q.QueueType,
        ["engine"] = q.Engine,
        ["used_cu"] = 0,
        ["cu_count"] = q.CuCount,
        ["charging_mode"] = q.ChargingMode,
        ["resource_id"] = q.ResourceId,
        ["enterprise_project_id"] = q.EnterpriseProjectId,
        ["cidr_in_vpc"] = q.CidrInVpc,
        ["resource_mode"] = q.ResourceMode,
        ["platform"] = q.Platform,
        ["is_restarting"] = false,
        ["labels"] = q.Labels,
        ["feature"] = q.Feature,
        ["queue_resource_type"] = "vm",
        ["resource_type"] = "vm",
        ["cu_spec"] = q.CuCount,
        ["elastic_resource_pool_name"] = q.ElasticResourcePoolName,
    };

    private static string? OneOf(Wire.JsonFields body, string name, string[] allowed, string? fallback, bool required = false)
    {
        var value = body.String(name, required: required);
        if (value is null)
        {
            return fallback;
        }

        if (!allowed.Contains(value))
        {
            body.Problem($"{name} must be one of {string.Join(", ", allowed)} (got '{value}')");
            return fallback;
        }

        return value;
    }

    private static DliError QueueNotFound(string name) => DliError.NotExist($"There is no queue named {name}");
}
