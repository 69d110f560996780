using Junction.Core.Connections;
using Junction.Core.EventBuses;
using Junction.Core.Events;
using Junction.Core.Tenancy;

namespace Junction.Server.OperatorConsole.Pages;

/// <summary>
/// A tenant's event routing: EG channels with their subscriptions and targets, EB buses with their rules and targets.
/// Each level is one query for the whole page (children by parent ids), never one per row.
/// </summary>
public sealed class EventsModel(IEgStore eg, IEventBusStore buses, IEbRuleStore rules) : ConsolePage
{
    public const int Limit = 100;

    public override string Section => "events";

    public Tenant? Tenant { get; private set; }

    public long ChannelTotal { get; private set; }

    public IReadOnlyList<EgDocument> Channels { get; private set; } = [];

    public ILookup<string?, EgDocument> Subscriptions { get; private set; } = Array.Empty<EgDocument>().ToLookup(d => d.ParentId);

    public ILookup<string?, EgDocument> EgTargets { get; private set; } = Array.Empty<EgDocument>().ToLookup(d => d.ParentId);

    public long BusTotal { get; private set; }

    public IReadOnlyList<EventBus> Buses { get; private set; } = [];

    public ILookup<string, EbRule> Rules { get; private set; } = Array.Empty<EbRule>().ToLookup(r => r.BusId);

    public ILookup<string, EbTarget> EbTargets { get; private set; } = Array.Empty<EbTarget>().ToLookup(t => t.RuleId);

    public async Task OnGetAsync(string? tenant, CancellationToken ct)
    {
        // Without a tenant chosen, the first one's.
        Tenant = await LoadTenantsAsync(tenant, ct) ?? (Tenants.Count > 0 ? Tenants[0] : null);
        if (Tenant is null)
        {
            return;
        }

        var id = Tenant.Id;
        (ChannelTotal, Channels) = await eg.ListAsync(new EgQuery(id, EgKinds.Channel, 0, Limit, Sort: "created_at", Descending: false), ct);
        var subscriptions = await eg.ChildrenAsync(id, EgKinds.Subscription, [.. Channels.Select(c => c.Id)], ct);
        Subscriptions = subscriptions.ToLookup(s => s.ParentId);
        EgTargets = (await eg.ChildrenAsync(id, EgKinds.Target, [.. subscriptions.Select(s => s.Id)], ct)).ToLookup(t => t.ParentId);

        (BusTotal, Buses) = await buses.ListAsync(new EventBusQuery(id, null, 0, Limit, SortField.CreatedTime, false), ct);
        var busIds = Buses.Select(b => b.Id).ToList();
        Rules = (await rules.RulesOfBusesAsync(id, busIds, ct)).ToLookup(r => r.BusId);
        EbTargets = (await rules.TargetsOfBusesAsync(id, busIds, ct)).ToLookup(t => t.RuleId);
    }
}
