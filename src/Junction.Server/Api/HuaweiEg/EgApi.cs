using Junction.Core.Connections;
using Junction.Core.Events;
using Junction.Server.Api.Wire;
using Junction.Server.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>Huawei Cloud EventGrid target connections: <c>/v1/{project_id}/connections</c> (spec/huawei-eg.md §3–§5).</summary>
internal static class EgApi
{
    public static IEndpointRouteBuilder MapHuaweiEg(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/{project_id}/connections");
        group.MapPost("", CreateAsync);
        group.MapGet("", ListAsync);
        group.MapGet("/{connection_id}", ShowAsync);
        group.MapPut("/{connection_id}", UpdateAsync);
        group.MapDelete("/{connection_id}", DeleteAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [AsParameters] EgServices services, CancellationToken cancellationToken)
    {
        var (pass, fields, error) = await EnterWithBodyAsync(context, projectId, services, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var create = EgRequests.ParseCreate(fields!);
        if (create is null)
        {
            return EgError.BadRequest(string.Join("; ", fields!.Problems));
        }

        var result = await services.Connections.CreateAsync(
            new NewConnection(pass!.Tenant.Id, Scopes.HuaweiEg, create.Name, create.Description, create.Type,
                create.VpcId, create.SubnetId, create.Kafka, create.Password),
            cancellationToken);
        return result switch
        {
            CreateResult.Created created => Ok(EgConnectionInfo.From(created.Connection, services.Concurrency)),
            CreateResult.NameTaken taken => new EgError(400, EgCodes.NameDuplicated, "name duplicated", $"a connection named '{taken.Name}' already exists in this project"),
            CreateResult.QuotaExceeded quota => new EgError(403, EgCodes.QuotaUnavailable, "resource quota unavailable", $"this project already has {quota.Quota} connections, its quota"),
            _ => throw new InvalidOperationException("unexpected create result"),
        };
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [AsParameters] EgServices services, CancellationToken cancellationToken)
    {
        var (pass, error) = await services.Gate.EnterAsync(context, projectId, EgGateErrors.Instance, cancellationToken);
        if (pass is null)
        {
            return error!;
        }

        var query = EgRequests.ParseList(context.Request.Query, pass.Tenant.Id, out var problem);
        if (query is null)
        {
            return EgError.BadRequest(problem!);
        }

        if (query.Name == "default")
        {
            // The built-in public-network connection (Terraform looks it up by this name); it is not stored.
            var builtIn = query.Offset == 0 && query.InstanceId is null ? [EgConnectionInfo.From(DefaultConnection(pass.Tenant.Id), services.Concurrency)] : new List<EgConnectionInfo>();
            return Ok(new EgConnectionList(query.InstanceId is null ? 1 : 0, builtIn.Count, builtIn));
        }

        var page = await services.Connections.ListAsync(query, cancellationToken);
        var items = page.Items.Select(c => EgConnectionInfo.From(c, services.Concurrency)).ToList();
        return Ok(new EgConnectionList(page.Total, items.Count, items));
    }

    private static async Task<IResult> ShowAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string connectionId,
        [AsParameters] EgServices services, CancellationToken cancellationToken)
    {
        var (pass, error) = await services.Gate.EnterAsync(context, projectId, EgGateErrors.Instance, cancellationToken);
        if (pass is null)
        {
            return error!;
        }

        var connection = connectionId == EgDefaults.DefaultConnectionId(pass.Tenant.Id)
            ? DefaultConnection(pass.Tenant.Id)
            : await services.Connections.GetAsync(pass.Tenant.Id, Scopes.HuaweiEg, connectionId, cancellationToken);
        return connection is null ? NotFound(connectionId) : Ok(EgConnectionInfo.From(connection, services.Concurrency));
    }

    /// <summary>
    /// EG's built-in <c>default</c> connection: the public network, governed by the egress allow-list alone. Its id
    /// derives from the tenant; it cannot be changed or deleted, and nothing was contacted to verify it.
    /// </summary>
    private static Connection DefaultConnection(string tenantId) => new()
    {
        Id = EgDefaults.DefaultConnectionId(tenantId),
        TenantId = tenantId,
        Scope = Scopes.HuaweiEg,
        Name = "default",
        Description = "The public network: webhook targets without a private connection; only addresses the egress policy allows are reached.",
        Kind = EgRequests.Webhook,
        State = ConnectionState.Ready,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    private static async Task<IResult> UpdateAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string connectionId,
        [AsParameters] EgServices services, CancellationToken cancellationToken)
    {
        var (pass, fields, error) = await EnterWithBodyAsync(context, projectId, services, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (connectionId == EgDefaults.DefaultConnectionId(pass!.Tenant.Id))
        {
            return BuiltIn();
        }

        var description = EgRequests.ParseUpdate(fields!, out var given);
        if (fields!.HasProblems)
        {
            return EgError.BadRequest(string.Join("; ", fields.Problems));
        }

        var connection = given
            ? await services.Connections.UpdateDescriptionAsync(pass!.Tenant.Id, Scopes.HuaweiEg, connectionId, description!, cancellationToken)
            : await services.Connections.GetAsync(pass!.Tenant.Id, Scopes.HuaweiEg, connectionId, cancellationToken);
        return connection is null ? NotFound(connectionId) : Ok(EgConnectionInfo.From(connection, services.Concurrency));
    }

    private static async Task<IResult> DeleteAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "connection_id")] string connectionId,
        [AsParameters] EgServices services, CancellationToken cancellationToken)
    {
        var (pass, error) = await services.Gate.EnterAsync(context, projectId, EgGateErrors.Instance, cancellationToken);
        if (pass is null)
        {
            return error!;
        }

        if (connectionId == EgDefaults.DefaultConnectionId(pass.Tenant.Id))
        {
            return BuiltIn();
        }

        var deleted = await services.Connections.DeleteAsync(pass.Tenant.Id, Scopes.HuaweiEg, connectionId, cancellationToken);
        return deleted ? Results.NoContent() : NotFound(connectionId);
    }

    /// <summary>The gate, then the body parsed as one JSON object; the EG error for whichever fails first.</summary>
    private static async Task<(GatePass? Pass, JsonFields? Body, IResult? Error)> EnterWithBodyAsync(
        HttpContext context, string projectId, EgServices services, CancellationToken cancellationToken)
    {
        var (pass, error) = await services.Gate.EnterAsync(context, projectId, EgGateErrors.Instance, cancellationToken);
        if (pass is null)
        {
            return (null, null, error);
        }

        var fields = JsonFields.Parse(pass.Body, out var parseError);
        return fields is null ? (null, null, EgError.BadRequest(parseError!)) : (pass, fields, null);
    }

    private static IResult Ok<T>(T value) => Results.Json(value, EgRequests.ResponseJson, "application/json; charset=utf-8");

    private static EgError BuiltIn() =>
        new(400, EgCodes.InvalidParameters, "the default connection is built in (the public network) and cannot be modified or deleted");

    private static EgError NotFound(string connectionId) =>
        new(404, EgCodes.NotFound, "Not request resource found", $"connection '{connectionId}' does not exist in this project");

    internal sealed record EgServices(HuaweiGate Gate, ConnectionService Connections, IOptions<Delivery.DeliveryOptions> Delivery)
    {
        /// <summary>What a connection's <c>flavor.concurrency</c> says: deliveries through it in flight at most, per node.</summary>
        public int Concurrency => Delivery.Value.MaxInFlightPerConnection;
    }

    private sealed class EgGateErrors : IHuaweiGateErrors
    {
        public static readonly EgGateErrors Instance = new();

        public IResult Unauthorized(string reason) => EgError.Unauthorized(reason);

        public IResult WrongProject(string reason) => new EgError(403, EgCodes.NoPermission, "no permission to operate", reason);

        public IResult TooLarge(string reason) => new EgError(413, EgCodes.InvalidParameters, reason);
    }
}
