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

    /// <summary>Any of the tenant's DLI connections, live or deleted.</summary>
    private static async Task<Connection?> FindAsync(Tenant tenant, string id, DliServices s, CancellationToken ct)
    {
        var connection = await s.Store.FindAsync(id, ct);
        return connection is not null && connection.TenantId == tenant.Id
            && (connection.Scope == Scopes.HuaweiDli || connection.Scope.StartsWith(Scopes.HuaweiDliDeletedPrefix, StringComparison.Ordinal))
            ? connection
            : null;
    }

    /// <summary>A live connection, or the error for an unknown or deleted one.</summary>
    private static async Task<(Connection? Connection, IResult? Error)> FindLiveAsync(Tenant tenant, string id, DliServices s, CancellationToken ct)
    {
        var connection = await FindAsync(tenant, id, s, ct);
        if (connection is null)
        {
            return (null, ConnectionNotFound(id));
        }

        return connection.Scope == Scopes.HuaweiDli
            ? (connection, null)
            : (null, DliError.NotSupported($"Connection {id} is deleted; a deleted connection cannot be changed."));
    }

    /// <summary>The connection objects of spec §2.1, in the order of <paramref name="ids"/>.</summary>
    private static async Task<List<JsonObject>> ViewsAsync(IReadOnlyList<string> ids, DliServices s, CancellationToken ct)
    {
        var bindings = (await s.Dli.BindingsAsync([.. ids], ct)).ToLookup(b => b.ConnectionId);
        var views = new List<JsonObject>(ids.Count);
        foreach (var id in ids)
        {
            var connection = await s.Store.FindAsync(id, ct);
            if (connection is null)
            {
                continue;
            }

            var detail = DliConnectionDetail.Parse(connection.Detail);
            var queues = new JsonArray();
            foreach (var binding in bindings[id])
            {
                var state = BindingState(connection, binding);
                var updated = connection.CheckedAt is { } checkedAt && checkedAt > binding.BoundAt ? checkedAt : binding.BoundAt;
                queues.Add(new JsonObject
                {
                    ["peer_id"] = binding.PeerId,
                    ["status"] = state,
                    ["name"] = binding.QueueName,
                    ["err_msg"] = state == "FAILED" ? connection.Error?.Message ?? "" : "",
                    ["update_time"] = updated.ToUnixTimeMilliseconds(),
                });
            }

            views.Add(new JsonObject
            {
                ["name"] = connection.Name,
                ["id"] = connection.Id,
                ["available_queue_info"] = queues,
                ["elastic_resource_pools"] = new JsonArray(),
                ["dest_vpc_id"] = connection.VpcId,
                ["dest_network_id"] = connection.SubnetId,
                ["isPrivis"] = true,
                ["create_time"] = connection.CreatedAt.ToUnixTimeMilliseconds(),
                ["status"] = connection.Scope == Scopes.HuaweiDli ? "ACTIVE" : "DELETED",
                ["hosts"] = new JsonArray([.. detail.Hosts.Select(h => (JsonNode)new JsonObject { ["ip"] = h.Ip, ["name"] = h.Name })]),
                ["ipv6_enable"] = false,
                ["routes"] = new JsonArray([.. detail.Routes.Select(r => (JsonNode)new JsonObject { ["name"] = r.Name, ["cidr"] = r.Cidr, ["create_time"] = r.CreateTime })]),
            });
        }

        return views;
    }

    private static string BindingState(Connection connection, DliBinding binding) => DliBindingStates.Of(connection, binding);

    /// <summary>What the request itself can get wrong about its queues: a repeat, or the default queue.</summary>
    private static IResult? CheckQueueNames(IReadOnlyList<string> queues)
    {
        if (queues.Distinct().Count() != queues.Count)
        {
            return DliError.BadRequest("queues lists a queue twice");
        }

        return queues.Contains("default")
            ? DliError.BadRequest("The default queue cannot be bound to an enhanced datasource connection.")
            : null;
    }

    /// <summary>
    /// Before a create only, so that a create naming a missing or shared queue stores nothing; the bind itself checks
    /// again in its transaction (IDliStore.BindQueuesAsync), which is what holds under concurrency.
    /// </summary>
    private static async Task<IResult?> CheckQueuesAsync(Tenant tenant, IReadOnlyList<string> queues, DliServices s, CancellationToken ct)
    {
        if (CheckQueueNames(queues) is { } nameError)
        {
            return nameError;
        }

        foreach (var name in queues)
        {
            var queue = await s.Dli.GetQueueAsync(tenant.Id, name, ct);
            if (queue is null)
            {
                return DliError.NotExist($"There is no queue named {name}");
            }

            if (queue.ResourceMode != 1)
            {
                return DliError.BadRequest($"Queue {name} is not a dedicated queue (resource_mode 1); only dedicated queues can be bound.");
            }
        }

        return null;
    }

    private static List<DliBinding> NewBindings(string connectionId, IReadOnlyList<string> queues, DliServices s)
    {
        var now = s.Time.GetUtcNow();
        return [.. queues.Select(q => new DliBinding(connectionId, q, Guid.NewGuid().ToString(), now))];
    }

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
