using Junction.Core.Inventory;
using Junction.Core.Networks;
using Junction.Core.Tenancy;
using Junction.Server.Api.Admin;
using Junction.Server.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.OperatorConsole.Pages;

/// <summary>Networks (VPCs and subnets) from configuration and the admin API; register and remove the latter.</summary>
public sealed class NetworksModel(IInventoryStore store, NetworkRegistry networks, ITenantStore tenants) : ConsolePage
{
    private InventorySync Sync => Service<InventorySync>();

    public override string Section => "networks";

    public NetworkList List { get; private set; } = new("", []);

    public async Task OnGetAsync(CancellationToken ct) =>
        List = (await RunAsync(null, () => AdminInventoryApi.ListNetworksAsync(networks, Sync, ct))).As<NetworkList>() ?? List;

    public async Task<IActionResult> OnPostAddVpcAsync([FromForm] string? id, [FromForm] string? name, [FromForm] string? cidr, [FromForm] string? tenant, [FromForm] bool shared, CancellationToken ct)
    {
        var outcome = await RunAsync(ConsoleActions.Body(("id", id), ("name", name), ("cidr", cidr), ("tenant", tenant), ("shared", shared)),
            () => AdminInventoryApi.AddVpcAsync(HttpContext, store, networks, Sync, Service<TimeProvider>(), tenants, ct));
        return Done(outcome, $"VPC {id} registered.");
    }

    public async Task<IActionResult> OnPostAddSubnetAsync([FromForm] string? vpc, [FromForm] string? id, [FromForm] string? name, [FromForm] string? cidr, CancellationToken ct)
    {
        var outcome = await RunAsync(ConsoleActions.Body(("id", id), ("name", name), ("cidr", cidr)),
            () => AdminInventoryApi.AddSubnetAsync(HttpContext, vpc ?? "", store, networks, Sync, Service<TimeProvider>(), tenants, ct));
        return Done(outcome, $"Subnet {id} of {vpc} registered.");
    }

    public async Task<IActionResult> OnPostDeleteAsync([FromForm] string? vpc, [FromForm] string id, CancellationToken ct)
    {
        var outcome = await RunAsync(null, () => vpc is { Length: > 0 }
            ? AdminInventoryApi.DeleteSubnetAsync(HttpContext, vpc, id, store, networks, Sync, ct)
            : AdminInventoryApi.DeleteVpcAsync(HttpContext, id, store, networks, Sync, ct));
        return Done(outcome, $"{id} removed.");
    }
}
