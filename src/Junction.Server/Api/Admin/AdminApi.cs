using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Junction.Core.Connections;
using Junction.Core.Verification;
using Junction.Server.Api.Wire;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.Admin;

/// <summary>The operator's admin API settings. Configuration section <c>Junction:Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Junction:Admin";

    /// <summary>The operator key, sent as <c>Authorization: Bearer KEY</c>. Unset: the admin API answers 401 to everyone.</summary>
    [MinLength(16, ErrorMessage = "Junction:Admin:Key must be at least 16 characters")]
    public string? Key { get; set; }
}

/// <summary>
/// Junction's own admin API under <c>/junction/v1</c>, for operators (not tenants). For now: a connection of any face
/// with its verification history. The tenant, key, network and instance endpoints come with the admin issue.
/// </summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/junction/v1").AddEndpointFilter(async (context, next) =>
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value;
            var failure = Authenticate(context.HttpContext.Request, options);
            return failure is null ? await next(context) : Error(context.HttpContext, 401, "Junction.Unauthorized", failure);
        });
        group.MapTenants();
        group.MapGet("/connections", ListAsync);
        group.MapGet("/connections/{id}", ShowAsync);
        group.MapGet("/connections/{id}/history", HistoryAsync);
        return app;
    }

    /// <summary>Every connection of every tenant and face: <c>?face=eg|eb|dli&amp;state=Pending|Ready|Failed|Unverified&amp;tenant_id=&amp;offset=&amp;limit=</c>.</summary>
    private static async Task<IResult> ListAsync(HttpContext context, IConnectionStore connections, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var face = query["face"].ToString() is { Length: > 0 } f ? f : null;
        if (face is not (null or "eg" or "eb" or "dli"))
        {
            return Error(context, 400, "Junction.InvalidParameter", $"face must be eg, eb or dli (got '{face}')");
        }

        ConnectionState? state = null;
        if (query["state"].ToString() is { Length: > 0 } s)
        {
            if (!Enum.TryParse<ConnectionState>(s, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return Error(context, 400, "Junction.InvalidParameter", $"state must be Pending, Ready, Failed or Unverified (got '{s}')");
            }

            state = parsed;
        }

        if (!TryInt(query["offset"], 0, 0, int.MaxValue, out var offset) || !TryInt(query["limit"], 100, 1, 1000, out var limit))
        {
            return Error(context, 400, "Junction.InvalidParameter", "offset must be 0 or more and limit from 1 to 1000");
        }

        var tenant = query["tenant_id"].ToString() is { Length: > 0 } t ? t : null;
        var page = await connections.ListAllAsync(new AllConnectionsQuery(offset, limit, face, state, tenant), cancellationToken);
        return Results.Json(new { total = page.Total, items = page.Items.Select(View) });
    }

    private static bool TryInt(Microsoft.Extensions.Primitives.StringValues values, int fallback, int min, int max, out int value)
    {
        value = fallback;
        return values.Count == 0 || values.ToString().Length == 0
            || (int.TryParse(values.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }

    private static async Task<IResult> ShowAsync(HttpContext context, string id, IConnectionStore connections, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(id, cancellationToken);
        return connection is null ? NotFound(context, id) : Results.Json(View(connection));
    }

    private static async Task<IResult> HistoryAsync(
        HttpContext context, string id, IConnectionStore connections, IVerificationStore verifications, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(id, cancellationToken);
        if (connection is null)
        {
            return NotFound(context, id);
        }

        var history = await verifications.HistoryAsync(id, 100, cancellationToken);
        return Results.Json(new
        {
            connection = View(connection),
            history = history.Select(h => new
            {
                sequence = h.Sequence,
                node = h.Node,
                started_at = h.StartedAt,
                finished_at = h.FinishedAt,
                from = h.From.ToString(),
                to = h.To.ToString(),
                ok = h.Ok,
                code = h.Code,
                message = h.Message,
                detail = h.Detail,
            }),
        });
    }

    private static object View(Connection c) => new
    {
        id = c.Id,
        tenant_id = c.TenantId,
        face = c.Face.StartsWith(Faces.TencentEbPrefix, StringComparison.Ordinal) ? "eb" : c.Face.StartsWith("dli", StringComparison.Ordinal) ? "dli" : c.Face,
        scope = c.Face,
        name = c.Name,
        kind = c.Kind,
        state = c.State.ToString(),
        error = c.Error is null ? null : new { code = c.Error.Code, message = c.Error.Message, detail = c.Error.Detail },
        created_at = c.CreatedAt,
        updated_at = c.UpdatedAt,
    };

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

    /// <summary>The native envelope: <c>{"error": {"code", "message"}, "request_id"}</c>.</summary>
    internal static IResult Error(HttpContext context, int status, string code, string message) =>
        Results.Json(new { error = new { code, message }, request_id = RequestIds.Get(context) }, statusCode: status);
}
