using Junction.Core.Security;
using Junction.Core.Tenancy;
using Junction.Server.Api.Admin;
using Junction.Server.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Junction.Server.OperatorConsole.Pages.Tenants;

/// <summary>Every tenant, and a new tenant with its first access key and user (their secrets shown once, in this answer only).</summary>
public sealed class IndexModel(ITenantStore tenants) : ConsolePage
{
    public override string Section => "tenants";

    public IReadOnlyList<TenantView> Items { get; private set; } = [];

    /// <summary>The tenant just created, with its secrets: rendered in the answer to the create and never again.</summary>
    public CreatedTenant? Created { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        Items = (await RunAsync(null, () => AdminTenantsApi.ListAsync(tenants, ct))).As<ItemList<TenantView>>()?.Items ?? [];

    public async Task<IActionResult> OnPostCreateAsync([FromForm(Name = "domain_name")] string? domainName, [FromForm] string? user, CancellationToken ct)
    {
        var outcome = await RunAsync(ConsoleActions.Body(("domain_name", domainName), ("user", user)), () => AdminTenantsApi.CreateAsync(
            HttpContext, tenants, Service<ISecretProtector>(), Service<IOptions<JunctionOptions>>(),
            Service<TimeProvider>(), Service<InventorySync>(), ct));
        if (!outcome.Ok)
        {
            return Done(outcome, "");
        }

        Created = outcome.As<CreatedTenant>();
        await OnGetAsync(ct);
        return Page();
    }
}
