using Junction.Core.Delivery;

namespace Junction.Server.Api.Admin;

/// <summary>
/// Deliveries for the operator (docs/delivery.md): every job with its state and last error, one job's attempts, and
/// redrive — failed and dead-lettered jobs delivered again from a first attempt (one, a filter, or all).
/// </summary>
internal static class AdminDeliveriesApi
{
    public static RouteGroupBuilder MapDeliveries(this RouteGroupBuilder group)
    {
        group.MapGet("/deliveries", ListAsync).WithSummary("Delivery jobs, newest first, filtered by state, tenant, subscription and target.")
            .Produces<DeliveryList>().Produces<AdminError>(400);
        group.MapGet("/deliveries/{id}", ShowAsync).WithSummary("One delivery job with its attempts.").Produces<DeliveryDetail>().Produces<AdminError>(404);
        group.MapPost("/deliveries/redrive", RedriveAsync).WithSummary("Delivers failed and dead-lettered jobs again: by ids, by tenant, subscription or target, or all.")
            .Accepts<RedriveRequest>("application/json").Produces<RedriveResult>().Produces<AdminError>(400);
        return group;
    }

    internal static async Task<IResult> ListAsync(
        HttpContext context, IDeliveryStore deliveries, CancellationToken cancellationToken,
        string? state = null, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "tenant_id")] string? tenantId = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "subscription_id")] string? subscriptionId = null,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "target_id")] string? targetId = null, string? offset = null, string? limit = null)
    {
        DeliveryState? wanted = null;
        if (state is { Length: > 0 })
        {
            if (!Enum.TryParse<DeliveryState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(state, out _))
            {
                return AdminApi.Error(context, 400, "Junction.InvalidParameter",
                    $"state must be one of {string.Join(", ", Enum.GetNames<DeliveryState>())} (got '{state}')");
            }

            wanted = parsed;
        }

        if (!AdminApi.TryInt(offset, 0, 0, int.MaxValue, out var from) || !AdminApi.TryInt(limit, 100, 1, 1000, out var count))
        {
            return AdminApi.Error(context, 400, "Junction.InvalidParameter", "offset must be 0 or more and limit from 1 to 1000");
        }

        var (total, items) = await deliveries.ListAsync(
            new DeliveryFilter(Empty(tenantId), wanted, Empty(subscriptionId), Empty(targetId)), from, count, cancellationToken);
        return AdminApi.Json(new DeliveryList(total, [.. items.Select(View)]));
    }

    internal static async Task<IResult> ShowAsync(HttpContext context, string id, IDeliveryStore deliveries, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return AdminApi.Error(context, 404, "Junction.NotFound", $"delivery '{id}' does not exist");
        }

        var (_, items) = await deliveries.ListAsync(new DeliveryFilter(Ids: [number]), 0, 1, cancellationToken);
        if (items.Count == 0)
        {
            return AdminApi.Error(context, 404, "Junction.NotFound", $"delivery '{id}' does not exist");
        }

        var attempts = await deliveries.AttemptsAsync(number, cancellationToken);
        return AdminApi.Json(new DeliveryDetail(View(items[0]), [.. attempts.Select(a => new AttemptView(
            a.Phase.ToString(), a.Node, a.At, a.DurationMs, a.Kind.ToString(), a.Code, a.Message, a.Status))]));
    }

    internal static async Task<IResult> RedriveAsync(
        HttpContext context, IDeliveryStore deliveries, IDeliverySignal signal, TimeProvider time, CancellationToken cancellationToken)
    {
        var (fields, failure) = await AdminApi.ReadAsync(context, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        IReadOnlyList<long>? ids = null;
        if (fields!.KindOf("ids") is not (System.Text.Json.JsonValueKind.Undefined or System.Text.Json.JsonValueKind.Null))
        {
            ids = ParseIds(fields);
        }

        var tenantId = fields.String("tenant_id", maxLength: 128);
        var subscriptionId = fields.String("subscription_id", maxLength: 128);
        var targetId = fields.String("target_id", maxLength: 128);
        var all = fields.Bool("all") ?? false;
        if (AdminApi.Problems(context, fields) is { } problems)
        {
            return problems;
        }

        if (ids is null && tenantId is null && subscriptionId is null && targetId is null && !all)
        {
            return AdminApi.Error(context, 400, "Junction.InvalidParameter",
                "say which deliveries to redrive: ids, tenant_id, subscription_id or target_id, or \"all\": true");
        }

        var count = await deliveries.RedriveAsync(new DeliveryFilter(tenantId, null, subscriptionId, targetId, ids), time.GetUtcNow(), cancellationToken);
        if (count > 0)
        {
            signal.Notify();
        }

        return AdminApi.Json(new RedriveResult(count));
    }

    private static List<long>? ParseIds(Wire.JsonFields fields)
    {
        var node = fields.Node("ids") as System.Text.Json.Nodes.JsonArray;
        var ids = new List<long>();
        foreach (var item in node ?? [])
        {
            if (item is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<long>(out var id) && id > 0)
            {
                ids.Add(id);
            }
            else
            {
                fields.Problem("ids must be an array of delivery ids (positive integers)");
                return null;
            }
        }

        if (ids.Count is 0 or > 1000)
        {
            fields.Problem("ids must hold 1 to 1000 delivery ids");
            return null;
        }

        return ids;
    }

    private static string? Empty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static DeliveryView View(DeliveryInfo d) => new(
        d.Id, d.TenantId, d.EventSeq, d.EventId, d.EventSource, d.EventType, d.ChannelId, d.SubscriptionId, d.TargetId, d.ConnectionKey,
        d.State.ToString(), d.Phase.ToString(), d.Attempts, d.CreatedAt, d.NextAt, d.FirstFailureAt, d.FinishedAt, d.LastError);
}
