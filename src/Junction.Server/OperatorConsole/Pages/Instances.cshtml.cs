using Junction.Core.Instances;
using Junction.Core.Inventory;
using Junction.Core.Security;
using Junction.Core.Tenancy;
using Junction.Server.Api.Admin;
using Junction.Server.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.OperatorConsole.Pages;

/// <summary>Kafka instances (CKafka ids and how to reach them); a password is written, kept encrypted, never shown.</summary>
public sealed class InstancesModel(IInventoryStore store, InstanceRegistry instances, ITenantStore tenants) : ConsolePage
{
    private InventorySync Sync => Service<InventorySync>();

    public override string Section => "instances";

    public IReadOnlyList<KafkaInstanceView> Items { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Items = (await RunAsync(null, () => AdminInventoryApi.ListKafkaAsync(instances, Sync, ct))).As<ItemList<KafkaInstanceView>>()?.Items ?? [];

    public async Task<IActionResult> OnPostAddAsync(
        [FromForm] string? id, [FromForm(Name = "bootstrap_servers")] string? servers, [FromForm(Name = "security_protocol")] string? protocol,
        [FromForm(Name = "sasl_mechanism")] string? mechanism, [FromForm(Name = "user_name")] string? user, [FromForm] string? password,
        [FromForm] string? tenant, [FromForm] bool shared, CancellationToken ct)
    {
        var outcome = await RunAsync(
            ConsoleActions.Body(("id", id), ("bootstrap_servers", servers), ("security_protocol", protocol), ("sasl_mechanism", mechanism),
                ("user_name", user), ("password", password), ("tenant", tenant), ("shared", shared)),
            () => AdminInventoryApi.AddKafkaAsync(HttpContext, store, instances, Service<ISecretProtector>(), Sync, Service<TimeProvider>(), tenants, ct));
        return Done(outcome, $"Kafka instance {id} registered.");
    }

    public async Task<IActionResult> OnPostDeleteAsync([FromForm] string id, CancellationToken ct)
    {
        var outcome = await RunAsync(null, () => AdminInventoryApi.DeleteKafkaAsync(HttpContext, id, store, instances, Sync, ct));
        return Done(outcome, $"Kafka instance {id} removed.");
    }
}
