using Junction.Core.Security;
using Junction.Core.Tenancy;
using Junction.Server.Api.Admin;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.OperatorConsole.Pages.Tenants;

/// <summary>One tenant: its access keys (create, revoke) and its users (create, delete); a new secret is shown once.</summary>
public sealed class ShowModel(ITenantStore tenants) : ConsolePage
{
    public override string Section => "tenants";

    public TenantView Tenant { get; private set; } = null!;

    public IReadOnlyList<AccessKeyView> Keys { get; private set; } = [];

    public IReadOnlyList<UserView> Users { get; private set; } = [];

    /// <summary>A new access key with its secret, in the answer that made it only.</summary>
    public AccessKeySecret? NewKey { get; private set; }

    /// <summary>A new user, with the password Junction chose (null when the operator gave one).</summary>
    public UserPassword? NewUser { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        var found = await RunAsync(null, () => AdminTenantsApi.ShowAsync(HttpContext, id, tenants, ct));
        if (found.As<TenantView>() is not { } tenant)
        {
            return NotFound();
        }

        Tenant = tenant;
        Keys = (await RunAsync(null, () => AdminTenantsApi.ListKeysAsync(HttpContext, id, tenants, ct))).As<ItemList<AccessKeyView>>()?.Items ?? [];
        Users = (await RunAsync(null, () => AdminTenantsApi.ListUsersAsync(HttpContext, id, tenants, ct))).As<ItemList<UserView>>()?.Items ?? [];
        return Page();
    }

    public async Task<IActionResult> OnPostCreateKeyAsync(string id, CancellationToken ct)
    {
        var outcome = await RunAsync(null, () => AdminTenantsApi.CreateKeyAsync(HttpContext, id, tenants, Service<ISecretProtector>(), Service<TimeProvider>(), ct));
        if (!outcome.Ok)
        {
            return Done(outcome, "");
        }

        NewKey = outcome.As<AccessKeySecret>();
        return await OnGetAsync(id, ct);
    }

    public async Task<IActionResult> OnPostRevokeKeyAsync(string id, [FromForm] string key, CancellationToken ct)
    {
        var outcome = await RunAsync(null, () => AdminTenantsApi.RevokeKeyAsync(HttpContext, id, key, tenants, Service<CredentialService>(), ct));
        return Done(outcome, $"Access key {key} revoked: it stops working at once.");
    }

    public async Task<IActionResult> OnPostCreateUserAsync(string id, [FromForm] string? name, [FromForm] string? password, CancellationToken ct)
    {
        var outcome = await RunAsync(ConsoleActions.Body(("name", name), ("password", password)),
            () => AdminTenantsApi.CreateUserAsync(HttpContext, id, tenants, Service<TimeProvider>(), ct));
        if (!outcome.Ok)
        {
            return Done(outcome, "");
        }

        NewUser = outcome.As<UserPassword>();
        return await OnGetAsync(id, ct);
    }

    public async Task<IActionResult> OnPostDeleteUserAsync(string id, [FromForm] string name, CancellationToken ct)
    {
        var outcome = await RunAsync(null, () => AdminTenantsApi.DeleteUserAsync(HttpContext, id, name, tenants, Service<CredentialService>(), ct));
        return Done(outcome, $"User {name} deleted.");
    }
}
