using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Junction.Core.Connections;
using Junction.Core.Verification;
using Junction.Server.Api.Wire;
using Junction.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.Admin;

/// <summary>The operator's admin API settings. Configuration section <c>Junction:Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Junction:Admin";

    /// <summary>The operator key, sent as <c>Authorization: Bearer KEY</c>. Unset or empty: the admin API answers 401 to everyone.</summary>
    [RegularExpression("^.{16,}$", ErrorMessage = "Junction:Admin:Key must be at least 16 characters")]
    public string? Key { get; set; }
}

/// <summary>
/// Junction's own admin API under <c>/junction/v1</c>, for operators (not tenants): tenants, their access keys and
/// users; networks and Kafka instances; and one view of every connection of every face with its verification history.
/// Described by the OpenAPI document at <c>/junction/v1/openapi.json</c> (committed as docs/api/admin.openapi.json).
/// </summary>
internal static class AdminApi
{
    public const string Prefix = "/junction/v1";

    /// <summary>Where a caller in this process puts the body's fields instead of a request body (<see cref="ReadAsync"/>).</summary>
    internal const string FieldsKey = "junction.admin.fields";

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix)
            .AddEndpointFilter(async (context, next) =>
            {
                var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value;
                var failure = Authenticate(context.HttpContext.Request, options);
                return failure is null ? await next(context) : Error(context.HttpContext, 401, "Junction.Unauthorized", failure);
            })
            .WithMetadata(new ProducesResponseTypeMetadata(401, typeof(AdminError), ["application/json"]))
            .WithTags("admin");
        group.MapTenants();
        group.MapInventory();
        group.MapFunctions();
        group.MapEbRules();
        group.MapDeliveries();
        group.MapGet("/connections", ListAsync).WithSummary("Every connection of every tenant and face, filtered by face, state, tenant and part of the name or id (q).")
            .Produces<ConnectionList>().Produces<AdminError>(400);
        group.MapGet("/connections/{id}", ShowAsync).WithSummary("One connection of any face.").Produces<ConnectionView>().Produces<AdminError>(404);
        group.MapGet("/connections/{id}/history", HistoryAsync).WithSummary("A connection with its last 100 verifications, newest first.")
            .Produces<ConnectionHistory>().Produces<AdminError>(404);
        group.MapDelete("/connections/{id}", DeleteAsync)
            .WithSummary("Deletes a connection of any face by that face's rules (DLI: soft delete, refused while a binding is CREATING; EG: not the built-in default).")
            .Produces(204).Produces<AdminError>(404).Produces<AdminError>(409);
        group.MapPost("/connections/{id}/recheck", RecheckAsync).WithSummary("Makes a connection due for verification now (any node may take it).")
            .Produces<ConnectionView>(202).Produces<AdminError>(404);
        group.MapGet("/status", StatusAsync).WithSummary("The server's version and database, connections by face and state, and those failing now.")
            .Produces<StatusView>();
        return app;
    }

    // The operator's delete: what the owning face's own DELETE would do, for any tenant.
    internal static async Task<IResult> DeleteAsync(
        HttpContext context, string id, IConnectionStore connections, ConnectionService service, Junction.Core.Dli.DliService dli,
        CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(id, cancellationToken);
        if (connection is null)
        {
            return NotFound(context, id);
        }

        if (connection.Scope == Scopes.HuaweiEg && id == Junction.Core.Events.EgDefaults.DefaultConnectionId(connection.TenantId))
        {
            return Error(context, 409, "Junction.Conflict", $"connection '{id}' is the project's built-in default connection; it cannot be deleted");
        }

        if (connection.Scope == Scopes.HuaweiEg || Scopes.IsTencentEb(connection.Scope))
        {
            return await service.DeleteAsync(connection.TenantId, connection.Scope, id, cancellationToken) ? Results.NoContent() : NotFound(context, id);
        }

        if (!Junction.Core.Dli.DliService.IsLive(connection))
        {
            return Error(context, 409, "Junction.Conflict", $"connection '{id}' is already deleted (DLI keeps deleted connections readable)");
        }

        return await dli.DeleteAsync(connection, cancellationToken) switch
        {
            Junction.Core.Dli.DliDeleteResult.Deleted => Results.NoContent(),
            Junction.Core.Dli.DliDeleteResult.StillCreating creating => Error(context, 409, "Junction.Conflict",
                $"connection '{id}' still has queue(s) {string.Join(", ", creating.Queues)} CREATING; delete it once they are ACTIVE or FAILED"),
            _ => NotFound(context, id),
        };
    }

    internal static async Task<IResult> RecheckAsync(
        HttpContext context, string id, IConnectionStore connections, IVerificationStore verifications, IVerificationSignal signal,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(id, cancellationToken);
        if (connection is null)
        {
            return NotFound(context, id);
        }

        await verifications.RecheckAsync([id], time.GetUtcNow(), cancellationToken);
        signal.Notify();
        return Json(View(connection), 202);
    }

    internal static async Task<IResult> StatusAsync(
        IConnectionStore connections, Junction.Storage.Sql.Migrator migrator, Junction.Storage.Sql.IDatabase database, CancellationToken cancellationToken)
    {
        var counts = (await connections.CountByFaceAndStateAsync(cancellationToken)).Select(t => new FaceStateCount(t.Face, t.State.ToString(), t.Count)).ToList();

        var failing = await connections.ListAllAsync(new AllConnectionsQuery(0, 10, null, ConnectionState.Failed, null), cancellationToken);
        var version = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(AdminApi).Assembly)?.InformationalVersion ?? "unknown";
        return Json(new StatusView(version, database.Kind, await migrator.CurrentVersionAsync(cancellationToken), counts, failing.Total, [.. failing.Items.Select(View)]));
    }

    // Every connection of every tenant and face: ?face=eg|eb|dli&state=Pending|Ready|Failed|Unverified&tenant_id=&q=&offset=&limit= (q: part of the name or id).
    internal static async Task<IResult> ListAsync(
        HttpContext context, IConnectionStore connections, Junction.Core.Tenancy.ITenantStore tenants, CancellationToken cancellationToken,
        string? face = null, string? state = null, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "tenant_id")] string? tenantId = null, string? q = null,
        string? offset = null, string? limit = null)
    {
        if (face is { Length: 0 })
        {
            face = null;
        }

        if (face is not (null or "eg" or "eb" or "dli"))
        {
            return Error(context, 400, "Junction.InvalidParameter", $"face must be eg, eb or dli (got '{face}')");
        }

        ConnectionState? wanted = null;
        if (state is { Length: > 0 })
        {
            if (!Enum.TryParse<ConnectionState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(state, out _))
            {
                return Error(context, 400, "Junction.InvalidParameter", $"state must be Pending, Ready, Failed or Unverified (got '{state}')");
            }

            wanted = parsed;
        }

        if (!TryInt(offset, 0, 0, int.MaxValue, out var from) || !TryInt(limit, 100, 1, 1000, out var count))
        {
            return Error(context, 400, "Junction.InvalidParameter", "offset must be 0 or more and limit from 1 to 1000");
        }

        // A tenant is named by its id, project id, account id or IAM domain name; an unknown one is 404, not an empty list.
        string? tenant = null;
        if (tenantId is { Length: > 0 })
        {
            var found = await tenants.FindTenantAsync(tenantId, cancellationToken) ?? await tenants.FindByProjectIdAsync(tenantId, cancellationToken)
                ?? await tenants.FindByAccountIdAsync(tenantId, cancellationToken) ?? await tenants.FindByDomainNameAsync(tenantId, cancellationToken);
            if (found is null)
            {
                return Error(context, 404, "Junction.NotFound", $"no tenant has the id, project id, account id or domain name '{tenantId}'");
            }

            tenant = found.Id;
        }

        if (q is { Length: > 128 })
        {
            return Error(context, 400, "Junction.InvalidParameter", "q must be at most 128 characters");
        }

        var page = await connections.ListAllAsync(new AllConnectionsQuery(from, count, face, wanted, tenant, q is { Length: > 0 } ? q : null), cancellationToken);
        return Json(new ConnectionList(page.Total, [.. page.Items.Select(View)]));
    }

    internal static bool TryInt(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        return string.IsNullOrEmpty(text)
            || (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }

    internal static async Task<IResult> ShowAsync(HttpContext context, string id, IConnectionStore connections, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(id, cancellationToken);
        return connection is null ? NotFound(context, id) : Json(View(connection));
    }

    internal static async Task<IResult> HistoryAsync(
        HttpContext context, string id, IConnectionStore connections, IVerificationStore verifications, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(id, cancellationToken);
        if (connection is null)
        {
            return NotFound(context, id);
        }

        var history = await verifications.HistoryAsync(id, 100, cancellationToken);
        return Json(new ConnectionHistory(View(connection), [.. history.Select(h => new HistoryEntry(
            h.Sequence, h.Node, h.StartedAt, h.FinishedAt, h.From.ToString(), h.To.ToString(), h.Ok, h.Code, h.Message, h.Detail))]));
    }

    private static ConnectionView View(Connection c) => new(
        c.Id,
        c.TenantId,
        c.Face,
        c.Scope,
        c.Name,
        c.Kind,
        c.State.ToString(),
        c.Error is null ? null : new ConnectionError(c.Error.Code, c.Error.Message, c.Error.Detail),
        c.CreatedAt,
        c.UpdatedAt,
        c.Kind == "apigw" && Scopes.IsTencentEb(c.Scope) ? TencentEb.EbIngressApi.PathOf(c.Id) : null);

    private static string? Authenticate(HttpRequest request, AdminOptions options)
    {
        if (string.IsNullOrEmpty(options.Key))
        {
            return "the admin API is disabled: set Junction:Admin:Key";
        }

        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return "send the operator key as 'Authorization: Bearer KEY'";
        }

        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        var expected = Encoding.UTF8.GetBytes(options.Key);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(given), SHA256.HashData(expected)) ? null : "the operator key is wrong";
    }

    private static IResult NotFound(HttpContext context, string id) =>
        Error(context, 404, "Junction.NotFound", $"connection '{id}' does not exist");

    /// <summary>An admin body in snake_case.</summary>
    internal static IResult Json<T>(T value, int status = 200) => Results.Json(value, AdminJson.Options, statusCode: status);

    /// <summary>The native envelope: <c>{"error": {"code", "message"}, "request_id"}</c>.</summary>
    internal static IResult Error(HttpContext context, int status, string code, string message) =>
        Json(new AdminError(new AdminErrorDetail(code, message), RequestIds.Get(context)), status);

    /// <summary>
    /// Reads a JSON object body (an empty body is <c>{}</c>); answers the fields, or the error to send: 413 over the
    /// size limit, 400 for anything but a JSON object.
    /// </summary>
    internal static async Task<(JsonFields? Fields, IResult? Failure)> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        // The operator console runs these same operations with a form's fields as the body (Console/ConsoleActions).
        if (context.Items.TryGetValue(FieldsKey, out var given) && given is JsonFields fields)
        {
            return (fields, null);
        }

        var limit = context.RequestServices.GetRequiredService<IOptions<JunctionOptions>>().Value.MaxRequestBodyBytes;
        var body = await RequestBody.ReadAsync(context, limit, cancellationToken);
        if (body.TooLarge)
        {
            return (null, Error(context, 413, "Junction.RequestTooLarge", $"the request body is larger than {limit} bytes"));
        }

        var parsed = JsonFields.Parse(body.Bytes.Length == 0 ? "{}"u8.ToArray() : body.Bytes, out var parseError);
        return parsed is null ? (null, Error(context, 400, "Junction.InvalidParameter", parseError!)) : (parsed, null);
    }

    /// <summary>The 400 answer listing every problem found in a body, or null when there were none.</summary>
    internal static IResult? Problems(HttpContext context, JsonFields fields) =>
        fields.HasProblems ? Error(context, 400, "Junction.InvalidParameter", string.Join("; ", fields.Problems)) : null;
}
