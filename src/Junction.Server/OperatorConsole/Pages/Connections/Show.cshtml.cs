using Junction.Core.Connections;
using Junction.Core.Dli;
using Junction.Core.EventBuses;
using Junction.Core.Events;
using Junction.Core.Tenancy;
using Junction.Core.Verification;
using Junction.Server.Api.Admin;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.OperatorConsole.Pages.Connections;

/// <summary>
/// One connection: what it points to, its status and reason, its last and next check, the verification history as a
/// timeline, the resources that use it (EG targets, the EB bus and rules it feeds, DLI queue bindings), and recheck now.
/// </summary>
public sealed class ShowModel(IConnectionStore connections, IVerificationStore verifications, ITenantStore tenants) : ConsolePage
{
    public override string Section => "connections";

    public Connection Connection { get; private set; } = null!;

    public Tenant? Tenant { get; private set; }

    public IReadOnlyList<VerificationRecord> History { get; private set; } = [];

    /// <summary>EG targets that deliver through this connection.</summary>
    public IReadOnlyList<EgDocument> EgTargets { get; private set; } = [];

    /// <summary>For an EB connector: the bus it feeds and the rules on that bus.</summary>
    public EventBus? Bus { get; private set; }

    public IReadOnlyList<EbRule> BusRules { get; private set; } = [];

    /// <summary>For a DLI connection: the queues bound to it, with the binding's state.</summary>
    public IReadOnlyList<(DliBinding Binding, string State)> Bindings { get; private set; } = [];

    public string FaceOf => ConsoleFormat.Face(Connection.Scope);

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (await connections.FindAsync(id, ct) is not { } connection)
        {
            return NotFound();
        }

        Connection = connection;
        Tenant = await tenants.FindTenantAsync(connection.TenantId, ct);
        History = await verifications.HistoryAsync(id, 100, ct);
        await ReadUsesAsync(connection, ct);
        return Page();
    }

    private async Task ReadUsesAsync(Connection connection, CancellationToken ct)
    {
        switch (FaceOf)
        {
            case "eg":
                EgTargets = await Service<IEgStore>().ReferencingAsync(connection.TenantId, EgKinds.Target, connection.Id, 100, ct);
                break;
            case "eb":
                var busId = connection.Scope[Scopes.TencentEbPrefix.Length..];
                Bus = await Service<IEventBusStore>().FindAsync(connection.TenantId, busId, ct);
                BusRules = Bus is null ? [] : await Service<IEbRuleStore>().RulesOfBusesAsync(connection.TenantId, [busId], ct);
                break;
            default:
                Bindings = [.. (await Service<IDliStore>().BindingsAsync([connection.Id], ct)).Select(b => (b, DliBindingStates.Of(connection, b)))];
                break;
        }
    }

    /// <summary>Recheck now: the admin API's own recheck (due at once, any node may take it).</summary>
    public async Task<IActionResult> OnPostRecheckAsync(string id, CancellationToken ct)
    {
        var outcome = await RunAsync(null, () => AdminApi.RecheckAsync(
            HttpContext, id, connections, verifications, Service<IVerificationSignal>(), Service<TimeProvider>(), ct));
        return Done(outcome, "A check is due now; the state below changes when it finishes.");
    }
}
