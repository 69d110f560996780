using Junction.Core.Inventory;
using Junction.Core.Tenancy;
using Junction.Server.Api.Admin;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.OperatorConsole.Pages;

/// <summary>HTTP functions: where Tencent EB <c>scf</c> targets deliver (<c>namespace/name</c> → URL).</summary>
public sealed class FunctionsModel(IInventoryStore store, ITenantStore tenants) : ConsolePage
{
    public override string Section => "functions";

    public IReadOnlyList<FunctionView> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Items = (await RunAsync(null, () => AdminFunctionsApi.ListAsync(store, ct))).As<ItemList<FunctionView>>()?.Items ?? [];

    public async Task<IActionResult> OnPostAddAsync(
        [FromForm(Name = "namespace")] string? ns, [FromForm] string? name, [FromForm] string? url, [FromForm] string? tenant, [FromForm] bool shared, CancellationToken ct)
    {
        var outcome = await RunAsync(ConsoleActions.Body(("namespace", ns), ("name", name), ("url", url), ("tenant", tenant), ("shared", shared)),
            () => AdminFunctionsApi.AddAsync(HttpContext, store, tenants, Service<TimeProvider>(), ct));
        return Done(outcome, $"Function {ns}/{name} registered.");
    }

    public async Task<IActionResult> OnPostDeleteAsync([FromForm(Name = "namespace")] string ns, [FromForm] string name, CancellationToken ct)
    {
        var outcome = await RunAsync(null, () => AdminFunctionsApi.DeleteAsync(HttpContext, ns, name, store, ct));
        return Done(outcome, $"Function {ns}/{name} removed.");
    }
}
