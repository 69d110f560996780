using System.Text.Json.Nodes;
using Junction.Core.Delivery;
using Junction.Server.Api.Admin;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.OperatorConsole.Pages.Deliveries;

/// <summary>One delivery with every attempt (time, outcome, duration, response code), and redrive when it failed.</summary>
public sealed class ShowModel(IDeliveryStore deliveries) : ConsolePage
{
    public override string Section => "deliveries";

    public DeliveryInfo Delivery { get; private set; } = null!;

    public IReadOnlyList<AttemptRecord> Attempts { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var (_, items) = await deliveries.ListAsync(new DeliveryFilter(Ids: [id]), 0, 1, ct);
        if (items.Count == 0)
        {
            return NotFound();
        }

        Delivery = items[0];
        Attempts = await deliveries.AttemptsAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRedriveAsync(long id, CancellationToken ct)
    {
        var outcome = await RunAsync(ConsoleActions.Body(("ids", new JsonArray(JsonValue.Create(id)))),
            () => AdminDeliveriesApi.RedriveAsync(HttpContext, deliveries, Service<IDeliverySignal>(), Service<TimeProvider>(), ct));
        return Done(outcome, outcome.As<RedriveResult>()?.Redriven == 0 ? "Nothing to redrive: the delivery is not failed or dead-lettered." : IndexModel.Redriven(outcome));
    }
}
