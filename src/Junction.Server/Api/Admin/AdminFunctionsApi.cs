using System.Text.RegularExpressions;
using Junction.Core.Inventory;

namespace Junction.Server.Api.Admin;

/// <summary>
/// The HTTP function registry (spec/dataplane.md §3.6): EB has no webhook target, and Junction has no SCF, so the
/// operator says which HTTP endpoint stands for each function an <c>scf</c> target names
/// (<c>namespace/{namespace}/function/{name}</c>). Kept in the database; read when a target is created and at each
/// delivery, so a change takes effect on every node at once. Deliveries to it pass the egress policy.
/// </summary>
internal static partial class AdminFunctionsApi
{
    public static RouteGroupBuilder MapFunctions(this RouteGroupBuilder group)
    {
        group.MapGet("/functions", ListAsync).WithSummary("Every HTTP function EB scf targets deliver to.").Produces<ItemList<FunctionView>>();
        group.MapGet("/functions/{ns}/{name}", ShowAsync).WithSummary("One HTTP function.").Produces<FunctionView>().Produces<AdminError>(404);
        group.MapPost("/functions", AddAsync).WithSummary("Registers the HTTP endpoint of a function (namespace, name, url; a tenant or shared).")
            .AdminBody<FunctionRequest>().Produces<FunctionView>(201).Produces<AdminError>(400).Produces<AdminError>(409);
        group.MapPut("/functions/{ns}/{name}", UpdateAsync).WithSummary("Replaces a function's endpoint and owner.")
            .AdminBody<FunctionRequest>().Produces<FunctionView>().Produces<AdminError>(400).Produces<AdminError>(404);
        group.MapDelete("/functions/{ns}/{name}", DeleteAsync).WithSummary("Removes a function; its targets' deliveries then fail with JUNCTION.FUNCTION_UNKNOWN.")
            .Produces(204).Produces<AdminError>(404);
        return group;
    }

    internal static async Task<IResult> ListAsync(IInventoryStore store, CancellationToken ct) =>
        AdminApi.Json(new ItemList<FunctionView>([.. (await store.ListFunctionsAsync(ct)).Select(View)]));

    internal static async Task<IResult> ShowAsync(HttpContext context, string ns, string name, IInventoryStore store, CancellationToken ct) =>
        await store.GetFunctionAsync($"{ns}/{name}", ct) is { } function ? AdminApi.Json(View(function)) : NotFound(context, ns, name);

    internal static async Task<IResult> AddAsync(HttpContext context, IInventoryStore store, Core.Tenancy.ITenantStore tenants, TimeProvider time, CancellationToken ct)
    {
        var (request, failure) = await ReadAsync(context, null, null, tenants, ct);
        if (request is null)
        {
            return failure!;
        }

        var now = time.GetUtcNow();
        var function = new StoredFunction($"{request.Namespace}/{request.Name}", request.Url, now, now, request.Tenant, request.Shared ?? false);
        return await store.PutFunctionAsync(function, replace: false, ct) == InventoryWrite.Done
            ? AdminApi.Json(View(function), 201)
            : AdminApi.Error(context, 409, "Junction.Conflict", $"function '{function.Id}' is already registered");
    }

    internal static async Task<IResult> UpdateAsync(
        HttpContext context, string ns, string name, IInventoryStore store, Core.Tenancy.ITenantStore tenants, TimeProvider time, CancellationToken ct)
    {
        var current = await store.GetFunctionAsync($"{ns}/{name}", ct);
        if (current is null)
        {
            return NotFound(context, ns, name);
        }

        var (request, failure) = await ReadAsync(context, ns, name, tenants, ct);
        if (request is null)
        {
            return failure!;
        }

        var function = current with { Url = request.Url, Tenant = request.Tenant, Shared = request.Shared ?? false, UpdatedAt = time.GetUtcNow() };
        return await store.PutFunctionAsync(function, replace: true, ct) == InventoryWrite.Done ? AdminApi.Json(View(function)) : NotFound(context, ns, name);
    }

    internal static async Task<IResult> DeleteAsync(HttpContext context, string ns, string name, IInventoryStore store, CancellationToken ct) =>
        await store.DeleteFunctionAsync($"{ns}/{name}", ct) == InventoryWrite.Done ? Results.NoContent() : NotFound(context, ns, name);

    /// <summary>Reads and checks a function body; on update the namespace and name come from the path (body values must match).</summary>
    private static async Task<(FunctionRequest? Request, IResult? Failure)> ReadAsync(
        HttpContext context, string? pathNamespace, string? pathName, Core.Tenancy.ITenantStore tenants, CancellationToken ct)
    {
        var (fields, failure) = await AdminApi.ReadAsync(context, ct);
        if (fields is null)
        {
            return (null, failure);
        }

        var ns = fields.String("namespace", required: pathNamespace is null) ?? pathNamespace;
        var name = fields.String("name", required: pathName is null) ?? pathName;
        if ((pathNamespace is not null && ns != pathNamespace) || (pathName is not null && name != pathName))
        {
            fields.Problem($"namespace/name '{ns}/{name}' in the body differs from '{pathNamespace}/{pathName}' in the path");
        }

        foreach (var (field, value) in new[] { ("namespace", ns), ("name", name) })
        {
            if (value is not null && !NamePattern().IsMatch(value))
            {
                fields.Problem($"{field} must be 1-64 letters, digits, '_' or '-' (got '{value}')");
            }
        }

        var url = fields.String("url", required: true, maxLength: 2048);
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0))
        {
            fields.Problem($"url must be an absolute http or https URL without user information (got '{url}')");
        }

        var (tenant, shared) = AdminInventoryApi.Owner(fields, "function");
        if (AdminApi.Problems(context, fields) is { } problems)
        {
            return (null, problems);
        }

        if (await AdminInventoryApi.UnknownOwnerAsync(context, tenant, tenants, ct) is { } unknown)
        {
            return (null, unknown);
        }

        return (new FunctionRequest(ns!, name!, url!, tenant, shared), null);
    }

    private static FunctionView View(StoredFunction f)
    {
        var slash = f.Id.IndexOf('/', StringComparison.Ordinal);
        return new FunctionView(f.Id[..slash], f.Id[(slash + 1)..], f.Url, f.Tenant, f.Shared, f.CreatedAt, f.UpdatedAt);
    }

    private static IResult NotFound(HttpContext context, string ns, string name) =>
        AdminApi.Error(context, 404, "Junction.NotFound", $"function '{ns}/{name}' is not registered");

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex NamePattern();
}
