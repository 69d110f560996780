using System.Collections.Concurrent;
using System.Text.Json;
using Junction.Core.Delivery;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Events;

/// <summary>A CloudEvent that passed the face's validation: its identifying attributes and its JSON as it will be delivered.</summary>
public sealed record IncomingEvent(string Id, string Source, string Type, string? Subject, byte[] Body);

/// <summary>
/// The one publisher of EventGrid events (design.md §7): routes each event of a batch to the targets of the channel's
/// routing subscriptions whose source and filter match, and writes the events with one delivery job per matching
/// target in one transaction before answering. Subscriptions are read from the database on every publish, so a
/// subscription answered as created routes the next event on any node.
/// </summary>
public sealed class EgPublisher(IEgStore store, DeliveryOutbox outbox, Telemetry.JunctionMetrics metrics)
{
    /// <summary>Compiled filters by their stored JSON; a filter is compiled once per process, not once per event.</summary>
    private readonly ConcurrentDictionary<string, EventFilter> _filters = new(StringComparer.Ordinal);

    private const int MaxCachedFilters = 10_000;

    public async Task<IReadOnlyList<long>> PublishAsync(string tenantId, string channelId, IReadOnlyList<IncomingEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var routes = await RoutesAsync(tenantId, channelId, cancellationToken);
        var accepted = new List<AcceptedEvent>(events.Count);
        foreach (var incoming in events)
        {
            var matched = new List<NewDelivery>();
            if (routes.TryGetValue(incoming.Source, out var candidates))
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

            accepted.Add(new AcceptedEvent(tenantId, channelId, incoming.Source, incoming.Id, incoming.Type, incoming.Subject, incoming.Body, matched));
        }

        var sequence = await outbox.AppendAsync(accepted, cancellationToken);
        metrics.Published("eg", accepted.Count);
        return sequence;
    }

    /// <summary>The channel's routing subscriptions with their targets, by the source name they subscribe to.</summary>
    private async Task<Dictionary<string, List<Route>>> RoutesAsync(string tenantId, string channelId, CancellationToken cancellationToken)
    {
        var subscriptions = (await store.ChildrenAsync(tenantId, EgKinds.Subscription, [channelId], cancellationToken))
            .Select(d => EgJson.Read<EgSubscription>(d.Body))
            .Where(s => s.Routes && s.Sources.Count > 0)
            .ToList();
        var routes = new Dictionary<string, List<Route>>(StringComparer.Ordinal);
        if (subscriptions.Count == 0)
        {
            return routes;
        }

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

                list.Add(new Route(subscription.Id, Compile(source.Filter.ToJsonString()), mine));
            }
        }

        return routes;
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

    private sealed record Route(string SubscriptionId, EventFilter Filter, IReadOnlyList<EgTarget> Targets);
}
