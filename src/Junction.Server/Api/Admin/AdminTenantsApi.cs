using Junction.Core.Security;
using Junction.Core.Tenancy;
using Junction.Server.Api.Wire;
using Junction.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.Admin;

/// <summary>
/// Tenants and their access keys in the admin API (part of issue 7). A secret is shown once, in the answer that
/// creates it; rotating a key is creating a new one and revoking the old.
/// </summary>
internal static class AdminTenantsApi
{
    public static RouteGroupBuilder MapTenants(this RouteGroupBuilder group)
    {
        group.MapGet("/tenants", ListAsync);
        group.MapPost("/tenants", CreateAsync);
        group.MapGet("/tenants/{id}/access-keys", ListKeysAsync);
        group.MapPost("/tenants/{id}/access-keys", CreateKeyAsync);
        group.MapDelete("/tenants/{id}/access-keys/{key}", RevokeKeyAsync);
        return group;
    }

    private static async Task<IResult> ListAsync(ITenantStore tenants, CancellationToken ct) =>
        Results.Json(new { items = (await tenants.ListTenantsAsync(ct)).Select(View) });

    private static async Task<IResult> CreateAsync(
        HttpContext context, ITenantStore tenants, Junction.Storage.Sql.IDatabase database, ISecretProtector protector, IOptions<JunctionOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(context, options.Value.MaxRequestBodyBytes, ct);
        var fields = JsonFields.Parse(body.Bytes.Length == 0 ? "{}"u8.ToArray() : body.Bytes, out var parseError);
        if (fields is null)
        {
            return AdminApi.Error(context, 400, "Junction.InvalidParameter", parseError!);
        }

        var domain = fields.String("domain_name", required: true, minLength: 1, maxLength: 64);
        var projectId = fields.String("project_id") ?? RandomIds.ProjectId();
        var accountId = fields.String("account_id") ?? RandomIds.AccountId();
        var user = fields.String("user") ?? "admin";
        if (domain is not null && !TenantBootstrapper.UserPattern().IsMatch(domain))
        {
            fields.Problem("domain_name may contain only letters, digits, '.', '_' and '-'");
        }

        if (!TenantBootstrapper.ProjectIdPattern().IsMatch(projectId))
        {
            fields.Problem("project_id must be 1-64 letters, digits, '-' or '_'");
        }

        if (!TenantBootstrapper.AccountIdPattern().IsMatch(accountId))
        {
            fields.Problem("account_id must be 5 to 20 digits");
        }

        if (!TenantBootstrapper.UserPattern().IsMatch(user))
        {
            fields.Problem("user may contain only letters, digits, '.', '_' and '-'");
        }

        if (fields.HasProblems)
        {
            return AdminApi.Error(context, 400, "Junction.InvalidParameter", string.Join("; ", fields.Problems));
        }

        var now = time.GetUtcNow();
        var tenant = new Tenant(Guid.NewGuid().ToString("N"), domain!, projectId, options.Value.Region, accountId, now);
        var (keyId, secret) = (RandomIds.AccessKeyId(), RandomIds.SecretKey());
        var password = RandomIds.Password();
        try
        {
            await tenants.CreateTenantAsync(tenant, new AccessKey(keyId, tenant.Id, protector.Protect(secret), now),
                new TenantUser(Guid.NewGuid().ToString("N"), tenant.Id, user, PasswordHasher.Hash(password), now), ct);
        }
        catch (System.Data.Common.DbException exception) when (database.IsUniqueViolation(exception))
        {
            return AdminApi.Error(context, 409, "Junction.Conflict", "a tenant with this domain_name, project_id or account_id already exists");
        }

        return Results.Json(new
        {
            tenant = View(tenant),
            access_key = new { id = keyId, secret },
            user = new { name = user, password },
        }, statusCode: 201);
    }

    private static async Task<IResult> ListKeysAsync(HttpContext context, string id, ITenantStore tenants, CancellationToken ct)
    {
        if (await tenants.FindTenantAsync(id, ct) is null)
        {
            return TenantNotFound(context, id);
        }

        return Results.Json(new { items = (await tenants.ListAccessKeysAsync(id, ct)).Select(k => new { id = k.Id, created_at = k.CreatedAt }) });
    }

    private static async Task<IResult> CreateKeyAsync(
        HttpContext context, string id, ITenantStore tenants, ISecretProtector protector, TimeProvider time, CancellationToken ct)
    {
        if (await tenants.FindTenantAsync(id, ct) is null)
        {
            return TenantNotFound(context, id);
        }

        var (keyId, secret) = (RandomIds.AccessKeyId(), RandomIds.SecretKey());
        await tenants.AddAccessKeyAsync(new AccessKey(keyId, id, protector.Protect(secret), time.GetUtcNow()), ct);
        return Results.Json(new { id = keyId, secret }, statusCode: 201);
    }

    private static async Task<IResult> RevokeKeyAsync(HttpContext context, string id, string key, ITenantStore tenants, CredentialService credentials, CancellationToken ct)
    {
        if (!await tenants.DeleteAccessKeyAsync(id, key, ct))
        {
            return AdminApi.Error(context, 404, "Junction.NotFound", $"tenant '{id}' has no access key '{key}'");
        }

        credentials.Forget(key);
        return Results.NoContent();
    }

    private static object View(Tenant t) => new
    {
        id = t.Id,
        domain_name = t.DomainName,
        project_id = t.ProjectId,
        project_name = t.ProjectName,
        account_id = t.AccountId,
        created_at = t.CreatedAt,
    };

    private static IResult TenantNotFound(HttpContext context, string id) =>
        AdminApi.Error(context, 404, "Junction.NotFound", $"tenant '{id}' does not exist");
}
