using System.Text.Json.Nodes;
using Junction.Core.Delivery;
using Junction.Server.Api.Admin;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.OperatorConsole.Pages.Deliveries;

/// <summary>Delivery jobs, newest first, filtered by state, tenant, route and target; redrive the selected ones or all of a target.</summary>
public sealed class IndexModel(IDeliveryStore deliveries) : ConsolePage
{
    public override string Section => "deliveries";

    public string? State { get; private set; }

    public string? Tenant { get; private set; }

    public string? Route { get; private set; }

    public string? Target { get; private set; }

    public long Total { get; private set; }

    public IReadOnlyList<DeliveryInfo> Items { get; private set; } = [];

    public Pager Pager => new(Total, PageNumber, Settings.PageSize, With);

    public static bool Redrivable(DeliveryInfo d) => d?.State is DeliveryState.Failed or DeliveryState.DeadLettered;

    public async Task OnGetAsync(string? state, string? tenant, string? route, string? target, CancellationToken ct)
    {
        DeliveryState? wanted = Enum.TryParse<DeliveryState>(state, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(state, out _) ? parsed : null;
        State = wanted?.ToString();
        Tenant = (await LoadTenantsAsync(tenant, ct))?.Id;
        Route = route is { Length: > 0 and <= 128 } ? route : null;
        Target = target is { Length: > 0 and <= 128 } ? target : null;
        (Total, Items) = await deliveries.ListAsync(new DeliveryFilter(Tenant, wanted, Route, Target), Offset, Settings.PageSize, ct);
    }

    /// <summary>Redrives the deliveries ticked in the list (the admin API's redrive by ids).</summary>
    public async Task<IActionResult> OnPostRedriveAsync([FromForm] long[]? ids, CancellationToken ct)
    {
        if (ids is not { Length: > 0 })
        {
            Problem = "Tick the deliveries to redrive first.";
            return Redirect(Back());
        }

        var outcome = await RunAsync(ConsoleActions.Body(("ids", new JsonArray([.. ids.Select(i => (JsonNode)JsonValue.Create(i))]))), Redrive(ct));
        return Done(outcome, Redriven(outcome));
    }

    /// <summary>Redrives every failed and dead-lettered delivery of one target.</summary>
    public async Task<IActionResult> OnPostRedriveTargetAsync([FromForm] string? target, CancellationToken ct)
    {
        var outcome = await RunAsync(ConsoleActions.Body(("target_id", target)), Redrive(ct));
        return Done(outcome, Redriven(outcome));
    }

    private Func<Task<IResult>> Redrive(CancellationToken ct) =>
        () => AdminDeliveriesApi.RedriveAsync(HttpContext, deliveries, Service<IDeliverySignal>(), Service<TimeProvider>(), ct);

    internal static string Redriven(AdminOutcome outcome) =>
        outcome.As<RedriveResult>() is { } result ? $"{result.Redriven} deliver{(result.Redriven == 1 ? "y" : "ies")} redriven: due now." : "";
}
