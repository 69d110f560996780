using System.Globalization;
using System.Text.Json.Nodes;
using Junction.Core.Connections;
using Junction.Core.Dli;
using Junction.Core.Tenancy;
using Junction.Server.Api.Wire;

namespace Junction.Server.Api.HuaweiDli;

/// <summary>The shared steps of the DLI endpoints: gate, lookups, the connection view and binding states.</summary>
internal static partial class DliApi
{
    /// <summary>Reads the body, authenticates, checks the project and (optionally) parses a JSON object; an empty body is <c>{}</c>.</summary>
    internal static async Task<(Tenant? Tenant, JsonFields? Body, IResult? Error)> EnterAsync(
        HttpContext context, string projectId, DliServices s, CancellationToken ct, bool parseBody = true) =>
        await EnterAsync(context, projectId, s.Gate, ct, parseBody);

    internal static async Task<(Tenant? Tenant, JsonFields? Body, IResult? Error)> EnterAsync(
        HttpContext context, string projectId, Auth.HuaweiGate gate, CancellationToken ct, bool parseBody = true)
    {
        var (pass, error) = await gate.EnterAsync(context, projectId, DliError.Gate.Instance, ct);
        if (pass is null)
        {
            return (null, null, error);
        }

        if (!parseBody)
        {
            return (pass.Tenant, null, null);
        }

        var body = JsonFields.Parse(pass.Body.Length == 0 ? "{}"u8.ToArray() : pass.Body, out var parseError);
        return body is null ? (null, null, DliError.BadRequest(parseError!)) : (pass.Tenant, body, null);
    }

    /// <summary><c>{"is_success": true, "message": ...}</c> plus the given fields.</summary>
    internal static IResult Success(int status, JsonObject fields, string message = "")
    {
        var response = new JsonObject { ["is_success"] = true, ["message"] = message };
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            response[key] = value;
        }

        return Results.Text(response.ToJsonString(), "application/json; charset=utf-8", statusCode: status);
    }

    /// <summary>A live connection, or the error for an unknown or deleted one.</summary>
    private static async Task<(Connection? Connection, IResult? Error)> FindLiveAsync(Tenant tenant, string id, DliServices s, CancellationToken ct)
    {
        var connection = await s.Dli.FindAsync(tenant.Id, id, ct);
        if (connection is null)
        {
            return (null, ConnectionNotFound(id));
        }

        return DliService.IsLive(connection)
            ? (connection, null)
            : (null, DliError.NotSupported($"Connection {id} is deleted; a deleted connection cannot be changed."));
    }

    /// <summary>The connection object of spec §2.1.</summary>
    private static JsonObject View(DliConnectionView view)
    {
        var connection = view.Connection;
        var detail = view.Detail;
        var queues = new JsonArray();
        foreach (var (binding, state) in view.Bindings)
        {
            var updated = connection.CheckedAt is { } checkedAt && checkedAt > binding.BoundAt ? checkedAt : binding.BoundAt;
            queues.Add(new JsonObject
            {
                ["peer_id"] = binding.PeerId,
                ["status"] = state,
                ["name"] = binding.QueueName,
                ["err_msg"] = state == DliBindingStates.Failed ? connection.Error?.Message ?? "" : "",
                ["update_time"] = updated.ToUnixTimeMilliseconds(),
            });
        }

        return new JsonObject
        {
            ["name"] = connection.Name,
            ["id"] = connection.Id,
            ["available_queue_info"] = queues,
            ["elastic_resource_pools"] = new JsonArray(),
            ["dest_vpc_id"] = connection.VpcId,
            ["dest_network_id"] = connection.SubnetId,
            ["isPrivis"] = true,
            ["create_time"] = connection.CreatedAt.ToUnixTimeMilliseconds(),
            ["status"] = view.Live ? "ACTIVE" : "DELETED",
            ["hosts"] = new JsonArray([.. detail.Hosts.Select(h => (JsonNode)new JsonObject { ["ip"] = h.Ip, ["name"] = h.Name })]),
            ["ipv6_enable"] = false,
            ["routes"] = new JsonArray([.. detail.Routes.Select(r => (JsonNode)new JsonObject { ["name"] = r.Name, ["cidr"] = r.Cidr, ["create_time"] = r.CreateTime })]),
        };
    }

    /// <summary>DLI's answer to queues that cannot be bound.</summary>
    private static DliError QueueError(DliQueueProblem problem) => problem.Kind switch
    {
        DliQueueProblem.Kinds.Repeated => DliError.BadRequest("queues lists a queue twice"),
        DliQueueProblem.Kinds.DefaultQueue => DliError.BadRequest("The default queue cannot be bound to an enhanced datasource connection."),
        DliQueueProblem.Kinds.Missing => DliError.NotExist($"There is no queue named {problem.Queue}"),
        _ => DliError.BadRequest($"Queue {problem.Queue} is not a dedicated queue (resource_mode 1); only dedicated queues can be bound."),
    };

    /// <summary>The body of associate/disassociate: queue names (elastic resource pools are not supported).</summary>
    private static async Task<(Tenant? Tenant, IReadOnlyList<string>? Queues, IResult? Error)> BindingRequestAsync(
        HttpContext context, string projectId, string id, DliServices s, CancellationToken ct)
    {
        var (tenant, body, error) = await EnterAsync(context, projectId, s, ct);
        if (error is not null)
        {
            return (null, null, error);
        }

        var queues = Lower(body!.Strings("queues")) ?? [];
        var pools = body.Strings("elastic_resource_pools", singleStringAsArray: true) ?? [];
        if (body.HasProblems)
        {
            return (null, null, DliError.BadRequest(string.Join("; ", body.Problems)));
        }

        if (pools.Count > 0)
        {
            return (null, null, PoolsNotSupported());
        }

        if (queues.Count == 0)
        {
            return (null, null, DliError.BadRequest("queues is required: name at least one queue"));
        }

        var (_, lookupError) = await FindLiveAsync(tenant!, id, s, ct);
        return lookupError is not null ? (null, null, lookupError) : (tenant, queues, null);
    }

    private static IReadOnlyList<string>? Lower(IReadOnlyList<string>? names) =>
        names?.Select(n => n.ToLowerInvariant()).ToList();

    private static int QueryInt(IQueryCollection query, string name, int fallback, List<string> problems)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        problems.Add($"{name} must be a non-negative integer (got '{text}')");
        return fallback;
    }

    private static bool? Problem(List<string> problems, string message)
    {
        problems.Add(message);
        return null;
    }

    private static DliError PoolsNotSupported() =>
        DliError.NotSupported("Elastic resource pools are not supported by Junction; bind dedicated queues (queues) instead.");

    internal static DliError ConnectionNotFound(string id) => DliError.BadRequest($"Connection {id} does not exist.");
}
