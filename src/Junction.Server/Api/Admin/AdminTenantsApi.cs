using Junction.Core.Security;
using Junction.Core.Tenancy;
using Junction.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.Admin;

/// <summary>
/// Tenants, their access keys and their users in the admin API. A secret is shown once, in the answer that creates
/// it; rotating a key replaces it with a new one in one transaction (for an overlap, create a second key, move the
/// clients, then revoke the first).
/// </summary>
internal static class AdminTenantsApi
{
    public static RouteGroupBuilder MapTenants(this RouteGroupBuilder group)
    {
        group.MapGet("/tenants", ListAsync).WithSummary("Every tenant.").Produces<ItemList<TenantView>>();
        group.MapPost("/tenants", CreateAsync).WithSummary("A new tenant with its first access key and user; their secrets are shown once.")
            .AdminBody<CreateTenantRequest>().Produces<CreatedTenant>(201).Produces<AdminError>(400).Produces<AdminError>(409);
        group.MapGet("/tenants/{id}", ShowAsync).WithSummary("One tenant.").Produces<TenantView>().Produces<AdminError>(404);

        group.MapGet("/tenants/{id}/access-keys", ListKeysAsync).WithSummary("A tenant's access keys, without secrets.")
            .Produces<ItemList<AccessKeyView>>().Produces<AdminError>(404);
        group.MapPost("/tenants/{id}/access-keys", CreateKeyAsync).WithSummary("A new access key; the secret is shown once.")
            .Produces<AccessKeySecret>(201).Produces<AdminError>(404);
        group.MapPost("/tenants/{id}/access-keys/{key}/rotate", RotateKeyAsync)
            .WithSummary("Replaces an access key with a new one in one step; the old key stops working at once.")
            .Produces<RotatedAccessKey>(201).Produces<AdminError>(404);
        group.MapDelete("/tenants/{id}/access-keys/{key}", RevokeKeyAsync).WithSummary("Revokes an access key.").Produces(204).Produces<AdminError>(404);

        group.MapGet("/tenants/{id}/users", ListUsersAsync).WithSummary("A tenant's users (for the IAM token endpoint), without passwords.")
            .Produces<ItemList<UserView>>().Produces<AdminError>(404);
        group.MapPost("/tenants/{id}/users", CreateUserAsync).WithSummary("A new user; without a password, Junction chooses one and shows it once.")
            .AdminBody<CreateUserRequest>().Produces<UserPassword>(201).Produces<AdminError>(400).Produces<AdminError>(404).Produces<AdminError>(409);
        group.MapPut("/tenants/{id}/users/{name}/password", SetPasswordAsync)
            .WithSummary("Sets a user's password; without one, Junction chooses one and shows it once. Tokens already issued stay valid until they expire.")
            .AdminBody<SetPasswordRequest>().Produces<UserPassword>().Produces<AdminError>(400).Produces<AdminError>(404);
        group.MapDelete("/tenants/{id}/users/{name}", DeleteUserAsync).WithSummary("Deletes a user; its tokens stop working at once on this node and within 30 s on others.").Produces(204).Produces<AdminError>(404);
        return group;
    }

    internal static async Task<IResult> ListAsync(ITenantStore tenants, CancellationToken ct) =>
        AdminApi.Json(new ItemList<TenantView>([.. (await tenants.ListTenantsAsync(ct)).Select(View)]));

    internal static async Task<IResult> ShowAsync(HttpContext context, string id, ITenantStore tenants, CancellationToken ct) =>
        await tenants.FindTenantAsync(id, ct) is { } tenant ? AdminApi.Json(View(tenant)) : TenantNotFound(context, id);

    internal static async Task<IResult> CreateAsync(
        HttpContext context, ITenantStore tenants, ISecretProtector protector, IOptions<JunctionOptions> options,
        TimeProvider time, InventorySync sync, CancellationToken ct)
    {
        var (fields, failure) = await AdminApi.ReadAsync(context, ct);
        if (fields is null)
        {
            return failure!;
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

        CheckUserName(fields, user, "user");
        if (AdminApi.Problems(context, fields) is { } problems)
        {
            return problems;
        }

        var now = time.GetUtcNow();
        var tenant = new Tenant(Guid.NewGuid().ToString("N"), domain!, projectId, options.Value.Region, accountId, now);
        var (keyId, secret) = (RandomIds.AccessKeyId(), RandomIds.SecretKey());
        var password = RandomIds.Password();
        if (!await tenants.CreateTenantAsync(tenant, new AccessKey(keyId, tenant.Id, protector.Protect(secret), now),
                new TenantUser(Guid.NewGuid().ToString("N"), tenant.Id, user, PasswordHasher.Hash(password), now), ct))
        {
            return AdminApi.Error(context, 409, "Junction.Conflict", "a tenant with this domain_name, project_id or account_id already exists");
        }

        // Networks registered for this domain name become the new tenant's at once on this node.
        await sync.RefreshAsync(ct);
        return AdminApi.Json(new CreatedTenant(View(tenant), new AccessKeySecret(keyId, secret), new UserPassword(user, password)), 201);
    }

    internal static async Task<IResult> ListKeysAsync(HttpContext context, string id, ITenantStore tenants, CancellationToken ct)
    {
        if (await tenants.FindTenantAsync(id, ct) is null)
        {
            return TenantNotFound(context, id);
        }

        return AdminApi.Json(new ItemList<AccessKeyView>([.. (await tenants.ListAccessKeysAsync(id, ct)).Select(k => new AccessKeyView(k.Id, k.CreatedAt))]));
    }

    internal static async Task<IResult> CreateKeyAsync(
        HttpContext context, string id, ITenantStore tenants, ISecretProtector protector, TimeProvider time, CancellationToken ct)
    {
        if (await tenants.FindTenantAsync(id, ct) is null)
        {
            return TenantNotFound(context, id);
        }

        var (keyId, secret) = (RandomIds.AccessKeyId(), RandomIds.SecretKey());
        await tenants.AddAccessKeyAsync(new AccessKey(keyId, id, protector.Protect(secret), time.GetUtcNow()), ct);
        return AdminApi.Json(new AccessKeySecret(keyId, secret), 201);
    }

    internal static async Task<IResult> RotateKeyAsync(
        HttpContext context, string id, string key, ITenantStore tenants, ISecretProtector protector, CredentialService credentials, TimeProvider time,
        CancellationToken ct)
    {
        var (keyId, secret) = (RandomIds.AccessKeyId(), RandomIds.SecretKey());
        if (!await tenants.RotateAccessKeyAsync(id, key, new AccessKey(keyId, id, protector.Protect(secret), time.GetUtcNow()), ct))
        {
            return KeyNotFound(context, id, key);
        }

        credentials.Forget(key);
        return AdminApi.Json(new RotatedAccessKey(keyId, secret, key), 201);
    }

    internal static async Task<IResult> RevokeKeyAsync(HttpContext context, string id, string key, ITenantStore tenants, CredentialService credentials, CancellationToken ct)
    {
        if (!await tenants.DeleteAccessKeyAsync(id, key, ct))
        {
            return KeyNotFound(context, id, key);
        }

        credentials.Forget(key);
        return Results.NoContent();
    }

    internal static async Task<IResult> ListUsersAsync(HttpContext context, string id, ITenantStore tenants, CancellationToken ct)
    {
        if (await tenants.FindTenantAsync(id, ct) is null)
        {
            return TenantNotFound(context, id);
        }

        return AdminApi.Json(new ItemList<UserView>([.. (await tenants.ListUsersAsync(id, ct)).Select(u => new UserView(u.Name, u.CreatedAt))]));
    }

    internal static async Task<IResult> CreateUserAsync(HttpContext context, string id, ITenantStore tenants, TimeProvider time, CancellationToken ct)
    {
        var (fields, failure) = await AdminApi.ReadAsync(context, ct);
        if (fields is null)
        {
            return failure!;
        }

        var name = fields.String("name", required: true);
        var given = fields.String("password");
        CheckUserName(fields, name, "name");
        CheckPassword(fields, given);
        if (AdminApi.Problems(context, fields) is { } problems)
        {
            return problems;
        }

        if (await tenants.FindTenantAsync(id, ct) is null)
        {
            return TenantNotFound(context, id);
        }

        var password = given ?? RandomIds.Password();
        var user = new TenantUser(Guid.NewGuid().ToString("N"), id, name!, PasswordHasher.Hash(password), time.GetUtcNow());
        return await tenants.AddUserAsync(user, ct)
            ? AdminApi.Json(new UserPassword(name!, given is null ? password : null), 201)
            : AdminApi.Error(context, 409, "Junction.Conflict", $"tenant '{id}' already has a user '{name}'");
    }

    internal static async Task<IResult> SetPasswordAsync(HttpContext context, string id, string name, ITenantStore tenants, CancellationToken ct)
    {
        var (fields, failure) = await AdminApi.ReadAsync(context, ct);
        if (fields is null)
        {
            return failure!;
        }

        var given = fields.String("password");
        CheckPassword(fields, given);
        if (AdminApi.Problems(context, fields) is { } problems)
        {
            return problems;
        }

        var password = given ?? RandomIds.Password();
        return await tenants.SetPasswordHashAsync(id, name, PasswordHasher.Hash(password), ct)
            ? AdminApi.Json(new UserPassword(name, given is null ? password : null))
            : UserNotFound(context, id, name);
    }

    internal static async Task<IResult> DeleteUserAsync(
        HttpContext context, string id, string name, ITenantStore tenants, CredentialService credentials, CancellationToken ct)
    {
        if (!await tenants.DeleteUserAsync(id, name, ct))
        {
            return UserNotFound(context, id, name);
        }

        // The user's tokens stop now on this node, within CredentialService.CacheLifetime on others.
        credentials.ForgetUsers(id);
        return Results.NoContent();
    }

    private static void CheckUserName(Wire.JsonFields fields, string? name, string field)
    {
        if (name is not null && (name.Length > 64 || !TenantBootstrapper.UserPattern().IsMatch(name)))
        {
            fields.Problem($"{field} must be 1-64 letters, digits, '.', '_' or '-'");
        }
    }

    private static void CheckPassword(Wire.JsonFields fields, string? password)
    {
        if (password is not null && password.Length is < 8 or > 128)
        {
            fields.Problem("password must be 8 to 128 characters");
        }
    }

    private static TenantView View(Tenant t) => new(t.Id, t.DomainName, t.ProjectId, t.ProjectName, t.AccountId, t.CreatedAt);

    private static IResult TenantNotFound(HttpContext context, string id) =>
        AdminApi.Error(context, 404, "Junction.NotFound", $"tenant '{id}' does not exist");

    private static IResult KeyNotFound(HttpContext context, string id, string key) =>
        AdminApi.Error(context, 404, "Junction.NotFound", $"tenant '{id}' has no access key '{key}'");

    private static IResult UserNotFound(HttpContext context, string id, string name) =>
        AdminApi.Error(context, 404, "Junction.NotFound", $"tenant '{id}' has no user '{name}'");
}
