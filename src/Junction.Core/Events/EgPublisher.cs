using System.Collections.Concurrent;
using System.Text.Json;
using Junction.Core.Delivery;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Events;

/// <summary>A CloudEvent that passed the face's validation: its identifying attributes and its JSON as it will be delivered.</summary>
public sealed record IncomingEvent(string Id, string Source, string Type, string? Subject, byte[] Body);

/// <summary>
/// What a publish to one channel needs: the channel (null when it does not exist), the names of its running custom
/// sources, and its routing subscriptions with their targets by the source they subscribe to — as of
/// <see cref="Generation"/> of the tenant's resources.
/// </summary>
public sealed record EgChannelView(string TenantId, string ChannelId, long Generation, EgChannel? Channel, IReadOnlySet<string> RunningSources)
{
    internal IReadOnlyDictionary<string, IReadOnlyList<EgRoute>> Routes { get; init; } = new Dictionary<string, IReadOnlyList<EgRoute>>();
}

/// <summary>
/// One routing subscription's filter for one of its sources, and its targets. A view is shared by concurrent publishes:
/// read only the targets' ids and connections here — their <c>JsonObject</c> members fill themselves in on first read
/// and are not safe to read from several threads at once (delivery reads each job's target afresh).
/// </summary>
internal sealed record EgRoute(string SubscriptionId, EventFilter Filter, IReadOnlyList<EgTarget> Targets);

/// <summary>
/// The one publisher of EventGrid events (design.md §7): routes each event of a batch to the targets of the channel's
/// routing subscriptions whose source and filter match, and writes the events with one delivery job per matching
/// target in one transaction before answering. A channel's view (<see cref="EgChannelView"/>) is kept per process
/// under the tenant's resource generation (<see cref="IEgStore.GenerationAsync"/>), read on every publish: a
/// subscription answered as created moved it in its own transaction, so it routes the next event on any node, while a
/// publish to an unchanged channel reads one row instead of the channel, its sources, subscriptions and targets.
/// </summary>
public sealed class EgPublisher(IEgStore store, DeliveryOutbox outbox, Telemetry.JunctionMetrics metrics)
{
    /// <summary>Compiled filters by their stored JSON; a filter is compiled once per process, not once per event.</summary>
    private readonly ConcurrentDictionary<string, EventFilter> _filters = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(string Tenant, string Channel), EgChannelView> _views = new();

    private const int MaxCachedFilters = 10_000;

    private const int MaxCachedViews = 10_000;

    /// <summary>The channel as a publish sees it now: from this process's cache while the tenant's generation stands.</summary>
    public async Task<EgChannelView> ViewAsync(string tenantId, string channelId, CancellationToken cancellationToken)
    {
        // The generation first: what is read after it is at least as new, so a view is never kept under a newer number than its contents.
        var generation = await store.GenerationAsync(tenantId, cancellationToken);
        if (_views.TryGetValue((tenantId, channelId), out var cached) && cached.Generation == generation)
        {
            return cached;
        }

        var document = await store.GetAsync(tenantId, EgKinds.Channel, channelId, cancellationToken);
        var channel = document is null ? null : EgJson.Read<EgChannel>(document.Body);
        var view = channel is null
            ? new EgChannelView(tenantId, channelId, generation, null, new HashSet<string>())
            : new EgChannelView(tenantId, channelId, generation, channel, await RunningSourcesAsync(tenantId, channelId, cancellationToken))
            {
                Routes = await RoutesAsync(tenantId, channelId, cancellationToken),
            };
        if (_views.Count >= MaxCachedViews)
        {
            _views.Clear();
        }

        _views[(tenantId, channelId)] = view;
        return view;
    }

    /// <summary>Routes and writes <paramref name="events"/> by <paramref name="view"/> (read by this request: see <see cref="ViewAsync"/>).</summary>
    public async Task<IReadOnlyList<long>> PublishAsync(EgChannelView view, IReadOnlyList<IncomingEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(events);
        var tenantId = view.TenantId;
        var accepted = new List<AcceptedEvent>(events.Count);
        foreach (var incoming in events)
        {
            var matched = new List<NewDelivery>();
            if (view.Routes.TryGetValue(incoming.Source, out var candidates))
            {
                using var document = JsonDocument.Parse(incoming.Body);
                foreach (var route in candidates)
                {
                    if (route.Filter.Matches(document.RootElement))
                    {
                        matched.AddRange(route.Targets.Select(t => new NewDelivery(route.SubscriptionId, t.Id, t.ConnectionKey(tenantId))));
                    }
                }
            }

            accepted.Add(new AcceptedEvent(tenantId, view.ChannelId, incoming.Source, incoming.Id, incoming.Type, incoming.Subject, incoming.Body, matched));
        }

        var sequence = await outbox.AppendAsync(accepted, cancellationToken);
        metrics.Published("eg", accepted.Count);
        return sequence;
    }

    private async Task<HashSet<string>> RunningSourcesAsync(string tenantId, string channelId, CancellationToken cancellationToken) =>
        (await store.ChildrenAsync(tenantId, EgKinds.Source, [channelId], cancellationToken))
            .Select(d => EgJson.Read<EgSource>(d.Body)).Where(s => s.Status == "RUNNING").Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The channel's routing subscriptions with their targets, by the source name they subscribe to.</summary>
    private async Task<Dictionary<string, IReadOnlyList<EgRoute>>> RoutesAsync(string tenantId, string channelId, CancellationToken cancellationToken)
    {
        var subscriptions = (await store.ChildrenAsync(tenantId, EgKinds.Subscription, [channelId], cancellationToken))
            .Select(d => EgJson.Read<EgSubscription>(d.Body))
            .Where(s => s.Routes && s.Sources.Count > 0)
            .ToList();
        var routes = new Dictionary<string, List<EgRoute>>(StringComparer.Ordinal);
        if (subscriptions.Count > 0)
        {
            var targets = (await store.ChildrenAsync(tenantId, EgKinds.Target, [.. subscriptions.Select(s => s.Id)], cancellationToken))
                .Select(d => EgJson.Read<EgTarget>(d.Body))
                .ToLookup(t => t.SubscriptionId);
            foreach (var subscription in subscriptions)
            {
                var mine = targets[subscription.Id].ToList();
                if (mine.Count == 0)
                {
                    continue;
                }

                foreach (var source in subscription.Sources)
                {
                    if (!routes.TryGetValue(source.Name, out var list))
                    {
                        routes[source.Name] = list = [];
                    }

                    list.Add(new EgRoute(subscription.Id, Compile(source.Filter.ToJsonString()), mine));
                }
            }
        }

        return routes.ToDictionary(r => r.Key, r => (IReadOnlyList<EgRoute>)r.Value, StringComparer.Ordinal);
    }

    private EventFilter Compile(string json)
    {
        if (_filters.TryGetValue(json, out var filter))
        {
            return filter;
        }

        // Filters were validated when written; one that no longer parses (a stricter rule since) matches nothing.
        var parsed = EgFilterRule.Parse(json);
        filter = parsed.Ok ? parsed.Value!.Filter : new AnyOfFilter([]);
        if (_filters.Count >= MaxCachedFilters)
        {
            _filters.Clear();
        }

        _filters[json] = filter;
        return filter;
    }
}
