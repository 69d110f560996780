using System.Text.Json.Nodes;
using Junction.Core.Connections;
using Junction.Core.Dli;
using Junction.Server.Auth;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.Api.HuaweiDli;

/// <summary>What the DLI endpoints (connections, queues, quotas) use: the gate (wire auth) and Core's DLI rules.</summary>
internal sealed record DliServices(HuaweiGate Gate, DliService Dli);

/// <summary>
/// Huawei DLI enhanced datasource connections (spec/huawei-dli.md §2–§3): <c>/v2.0/{project_id}/datasource/enhanced-connections</c>,
/// with routes also under <c>/v3</c>. Success answers carry <c>{is_success, message}</c>; errors <c>{error_code, error_msg}</c>.
/// </summary>
internal static partial class DliApi
{
    private const string Base = "/{project_id}/datasource/enhanced-connections";

    public static IEndpointRouteBuilder MapHuaweiDli(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/v2.0" + Base);
        v2.MapPost("", CreateAsync);
        v2.MapGet("", ListAsync);
        v2.MapGet("/{connection_id}", ShowAsync);
        v2.MapDelete("/{connection_id}", DeleteAsync);
        v2.MapPut("/{connection_id}", UpdateHostsAsync);
        v2.MapPost("/{connection_id}/associate-queue", AssociateAsync);
        v2.MapPost("/{connection_id}/disassociate-queue", DisassociateAsync);
        v2.MapGet("/{connection_id}/privileges", PrivilegesAsync);
        foreach (var version in new[] { "/v2.0", "/v3" })
        {
            app.MapPost(version + Base + "/{connection_id}/routes", AddRouteAsync);
            app.MapDelete(version + Base + "/{connection_id}/routes/{name}", DeleteRouteAsync);
        }

        app.MapQueues();
        app.MapDliQuotas();
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, body, error) = await EnterAsync(context, projectId, s, ct);
        if (error is not null)
        {
            return error;
        }

        var name = body!.String("name", required: true, minLength: 1, maxLength: 64);
        if (name is not null && !DliValidation.IsConnectionName(name))
        {
            body.Problem($"name '{name}' may contain only letters, digits and '_' (1-64 characters)");
        }

        var vpc = body.String("dest_vpc_id", required: true, minLength: 1, maxLength: 128);
        var subnet = body.String("dest_network_id", required: true, minLength: 1, maxLength: 128);
        var queues = Lower(body.Strings("queues"));
        var pools = body.Strings("elastic_resource_pools", singleStringAsArray: true);
        var routeTable = body.String("routetable_id", maxLength: 128);
        var hosts = DliValidation.Hosts(body) ?? [];
        var tags = DliValidation.Tags(body) ?? [];
        if (body.HasProblems)
        {
            return DliError.BadRequest(string.Join("; ", body.Problems));
        }

        if (pools is { Count: > 0 })
        {
            return PoolsNotSupported();
        }

        // The connection, its tags and its queue bindings are one transaction: a crash leaves all of them or none.
        var detail = new DliConnectionDetail(hosts, [], routeTable);
        var (result, bound, problem) = await s.Dli.CreateAsync(
            new NewConnection(tenant!.Id, Scopes.HuaweiDli, name!, "", "DLI", vpc, subnet, null, null, Detail: detail.ToJson()), tags, queues ?? [], ct);
        if (problem is not null)
        {
            return QueueError(problem);
        }

        switch (result)
        {
            case CreateResult.NameTaken:
                return DliError.Exists($"An enhanced datasource connection named '{name}' already exists.");
            case CreateResult.QuotaExceeded quota:
                return new DliError(400, DliCodes.QuotaInsufficient, $"The quota is insufficient: at most {quota.Quota} enhanced datasource connections per project.");
            case CreateResult.Refused:
                // A queue went away (or stopped being dedicated) between the check above and the create: nothing was
                // written; the error says which queue.
                return BindError(bound!, "") ?? throw new InvalidOperationException($"the DLI create was refused without a bind error ({bound?.Outcome})");
        }

        var created = ((CreateResult.Created)result!).Connection;
        var message = queues is { Count: > 0 } ? $"Create peer connection for queues:{{{string.Join(",", queues)}}}" : "";
        return Success(201, new JsonObject { ["connection_id"] = created.Id }, message);
    }

    private static async Task<IResult> ListAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await EnterAsync(context, projectId, s, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        var query = context.Request.Query;
        var problems = new List<string>();
        var limit = QueryInt(query, "limit", 100, problems);
        var offset = QueryInt(query, "offset", 0, problems);
        bool? deleted = query["status"].ToString().ToUpperInvariant() switch
        {
            "" => null,
            "ACTIVE" => false,
            "DELETED" => true,
            var other => Problem(problems, $"status must be ACTIVE or DELETED (got '{other}')"),
        };
        var tags = DliValidation.QueryTags(query, problems);
        if (problems.Count > 0)
        {
            return DliError.BadRequest(string.Join("; ", problems));
        }

        var name = query["name"].ToString();
        var items = new JsonArray();
        foreach (var view in await s.Dli.ListAsync(tenant!.Id, deleted, name.Length == 0 ? null : name, tags, offset, limit == 0 ? null : limit, ct))
        {
            items.Add(View(view));
        }

        return Success(200, new JsonObject { ["count"] = items.Count, ["connections"] = items });
    }

    private static async Task<IResult> ShowAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string id, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await EnterAsync(context, projectId, s, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        return await s.Dli.ShowAsync(tenant!.Id, id, ct) is { } view ? Success(200, View(view)) : ConnectionNotFound(id);
    }

    private static async Task<IResult> DeleteAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string id, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await EnterAsync(context, projectId, s, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        var connection = await FindLiveAsync(tenant!, id, s, ct);
        if (connection.Error is not null)
        {
            return connection.Error;
        }

        return await s.Dli.DeleteAsync(connection.Connection!, ct) switch
        {
            DliDeleteResult.Deleted => Success(200, [], "Deleted"),
            DliDeleteResult.StillCreating creating => DliError.NotSupported(
                $"The connection that is being created cannot be deleted: queue(s) {string.Join(", ", creating.Queues)} are still CREATING."),
            _ => ConnectionNotFound(id),
        };
    }

    private static async Task<IResult> UpdateHostsAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string id, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, body, error) = await EnterAsync(context, projectId, s, ct);
        if (error is not null)
        {
            return error;
        }

        // PUT replaces the list; a missing key, null or [] clears it (Terraform sends {}).
        var hosts = DliValidation.Hosts(body!) ?? [];
        if (body!.HasProblems)
        {
            return DliError.BadRequest(string.Join("; ", body.Problems));
        }

        var connection = await FindLiveAsync(tenant!, id, s, ct);
        if (connection.Error is not null)
        {
            return connection.Error;
        }

        // New hosts are checked at once.
        return await s.Dli.SetHostsAsync(tenant!.Id, id, hosts, ct) is DetailEdit.Updated ? Success(200, []) : ConnectionNotFound(id);
    }

    private static async Task<IResult> AssociateAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string id, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, queues, error) = await BindingRequestAsync(context, projectId, id, s, ct);
        if (error is not null)
        {
            return error;
        }

        // Existence and dedication are checked by the bind, in its transaction.
        if (DliService.CheckQueueNames(queues!) is { } problem)
        {
            return QueueError(problem);
        }

        var bound = await s.Dli.BindQueuesAsync(tenant!.Id, id, queues!, ct);
        return BindError(bound, id) ?? Success(200, [], $"associated peer connection for queues: {{{string.Join(",", queues!)}}}.");
    }

    private static async Task<IResult> DisassociateAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string id, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (_, queues, error) = await BindingRequestAsync(context, projectId, id, s, ct);
        if (error is not null)
        {
            return error;
        }

        var missing = await s.Dli.UnbindQueuesAsync(id, queues!, ct);
        return missing.Count > 0
            ? DliError.NotExist($"Queue(s) {string.Join(", ", missing)} are not bound to connection {id}.")
            : Success(200, [], $"Disassociated peer connection for queues:{{{string.Join(",", queues!)}}}.");
    }

    private static async Task<IResult> AddRouteAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string id, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, body, error) = await EnterAsync(context, projectId, s, ct);
        if (error is not null)
        {
            return error;
        }

        var name = body!.String("name", required: true, minLength: 1, maxLength: 64);
        var cidr = body.String("cidr", required: true, minLength: 1, maxLength: 64);
        if (name is not null && !DliValidation.IsRouteName(name))
        {
            body.Problem($"name '{name}' may contain only letters, digits, '_' and '-' (1-64 characters)");
        }

        if (cidr is not null && !DliValidation.IsRouteCidr(cidr))
        {
            body.Problem($"cidr '{cidr}' is not a CIDR (10.0.0.0/24) or an IP address");
        }

        if (body.HasProblems)
        {
            return DliError.BadRequest(string.Join("; ", body.Problems));
        }

        var connection = await FindLiveAsync(tenant!, id, s, ct);
        if (connection.Error is not null)
        {
            return connection.Error;
        }

        // The uniqueness checks and the write are one read-modify-write in the store: concurrent adds all keep.
        return EditAnswer(await s.Dli.AddRouteAsync(tenant!.Id, id, name!, cidr!, ct), id, "");
    }

    private static async Task<IResult> DeleteRouteAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string id, string name,
        [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await EnterAsync(context, projectId, s, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        var connection = await FindLiveAsync(tenant!, id, s, ct);
        if (connection.Error is not null)
        {
            return connection.Error;
        }

        return EditAnswer(await s.Dli.DeleteRouteAsync(tenant!.Id, id, name, ct), id, "Deleted");
    }

    private static async Task<IResult> PrivilegesAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string id, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await EnterAsync(context, projectId, s, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        return await s.Dli.FindAsync(tenant!.Id, id, ct) is null
            ? ConnectionNotFound(id)
            : Success(200, new JsonObject { ["connection_id"] = id, ["privileges"] = new JsonArray() });
    }

    private static IResult EditAnswer(DetailEdit edited, string id, string message) => edited switch
    {
        DetailEdit.Updated => Success(200, [], message),
        DetailEdit.Refused { Conflict: true } refused => DliError.Exists(refused.Message),
        DetailEdit.Refused refused => DliError.NotExist(refused.Message),
        _ => ConnectionNotFound(id),
    };

    private static IResult? BindError(BindResult bound, string id) => bound.Outcome switch
    {
        BindOutcome.Bound => null,
        BindOutcome.AlreadyBound => DliError.Exists($"Queue(s) {string.Join(", ", bound.Queues)} are already bound to connection {id}."),
        BindOutcome.QueueMissing => DliError.NotExist($"There is no queue named {bound.Queues[0]}"),
        BindOutcome.QueueNotDedicated => DliError.BadRequest($"Queue {bound.Queues[0]} is not a dedicated queue (resource_mode 1); only dedicated queues can be bound."),
        _ => ConnectionNotFound(id),
    };
}
