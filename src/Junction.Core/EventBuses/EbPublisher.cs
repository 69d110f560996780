using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Core.Delivery;
using Junction.Core.Routing;
using Junction.Core.Routing.Filters;

namespace Junction.Core.EventBuses;

/// <summary>
/// An event as PutEvents takes it (spec/dataplane.md §3.2), validated by the face: <see cref="Data"/> is the string
/// the publisher sent; <see cref="Time"/> epoch milliseconds.
/// </summary>
public sealed record EbIncomingEvent(
    string Source, string Data, string Type, string Subject, long? Time = null, string? Region = null, string? Status = null, string? Id = null,
    IReadOnlyList<KeyValuePair<string, string>>? Tags = null);

/// <summary>An envelope as it is kept and delivered: its JSON, serialized once, and the attributes the event log indexes.</summary>
public sealed record EbEnvelopeBody(string Id, string Source, string Type, string Subject, byte[] Body);

/// <summary>The envelope an EB event travels in (spec/dataplane.md §3.3), built once when it is accepted.</summary>
public static class EbEnvelope
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string ContentType = "application/json;charset=utf-8";

    /// <summary>
    /// <c>specversion</c> 1.0, the publisher's <c>id</c> or a new UUID, <c>time</c> as a string of epoch milliseconds
    /// (now when absent), <c>region</c> (the bus's when absent), <c>resource</c> naming the bus (each rule adds itself
    /// when delivering), <c>data</c> parsed when it is JSON, else the string as sent.
    /// </summary>
    public static EbEnvelopeBody Build(EbIncomingEvent incoming, EventBus bus, string accountId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(bus);
        JsonNode? data;
        try
        {
            data = JsonNode.Parse(incoming.Data);
        }
        catch (JsonException)
        {
            data = JsonValue.Create(incoming.Data);
        }

        var id = string.IsNullOrEmpty(incoming.Id) ? Guid.NewGuid().ToString() : incoming.Id;
        var envelope = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["type"] = incoming.Type,
            ["source"] = incoming.Source,
            ["subject"] = incoming.Subject,
            ["time"] = (incoming.Time ?? now.ToUnixTimeMilliseconds()).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["region"] = string.IsNullOrEmpty(incoming.Region) ? bus.Region : incoming.Region,
            ["datacontenttype"] = ContentType,
            ["resource"] = new JsonArray($"qcs::eb:{bus.Region}:uid{accountId}:{bus.Id}"),
        };
        if (!string.IsNullOrEmpty(incoming.Status))
        {
            envelope["status"] = incoming.Status;
        }

        if (incoming.Tags is { Count: > 0 } tags)
        {
            envelope["tags"] = new JsonObject(tags.Select(t => new KeyValuePair<string, JsonNode?>(t.Key, t.Value)));
        }

        envelope["data"] = data;
        return new EbEnvelopeBody(id, incoming.Source, incoming.Type, incoming.Subject, JsonSerializer.SerializeToUtf8Bytes(envelope, Options));
    }
}

/// <summary>
/// The one publisher of EventBridge events (design.md §7): matches each envelope against the bus's enabled rules
/// (patterns indexed by source and type, compiled once per process) and writes the events with one delivery job per
/// target of every matching rule in one transaction before answering. A bus's routes are kept per process under the
/// tenant's EB generation (<see cref="IEbRuleStore.GenerationAsync"/>), read on every publish: a rule or target
/// answered as created moved it in its own transaction, so it routes the next event on any node, while a publish to an
/// unchanged bus reads one row instead of its rules and targets.
/// </summary>
public sealed class EbPublisher(IEbRuleStore rules, DeliveryOutbox outbox, Telemetry.JunctionMetrics metrics)
{
    private readonly ConcurrentDictionary<string, EventFilter> _patterns = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(string Tenant, string Bus), BusRoutes> _routes = new();

    private const int MaxCachedPatterns = 10_000;

    private const int MaxCachedBuses = 10_000;

    /// <summary>Persists the envelopes (already built and size-checked) with their deliveries; answers how many deliveries they owe.</summary>
    public async Task<int> PublishAsync(EventBus bus, IReadOnlyList<EbEnvelopeBody> envelopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(envelopes);
        var routes = await RoutesAsync(bus.TenantId, bus.Id, cancellationToken);
        var accepted = new List<AcceptedEvent>(envelopes.Count);
        var owed = 0;
        var matches = new List<EbRoute>();
        foreach (var envelope in envelopes)
        {
            var deliveriesOwed = new List<NewDelivery>();
            if (routes.Count > 0)
            {
                using var document = JsonDocument.Parse(envelope.Body);
                matches.Clear();
                routes.Index.Match(document.RootElement, matches);
                foreach (var route in matches)
                {
                    deliveriesOwed.AddRange(route.Targets.Select(t => new NewDelivery(route.Rule.Id, t.Id, routes.Keys[t.Id])));
                }
            }

            owed += deliveriesOwed.Count;
            accepted.Add(new AcceptedEvent(bus.TenantId, bus.Id, envelope.Source, envelope.Id, envelope.Type, envelope.Subject, envelope.Body,
                deliveriesOwed, DeliveryFaces.Eb));
        }

        await outbox.AppendAsync(accepted, cancellationToken);
        metrics.Published("eb", accepted.Count);
        return owed;
    }

    /// <summary>The bus's routes as a publish sees them now: from this process's cache while the tenant's generation stands.</summary>
    private async Task<BusRoutes> RoutesAsync(string tenantId, string busId, CancellationToken cancellationToken)
    {
        // The generation first: what is read after it is at least as new, so routes are never kept under a newer number than their contents.
        var generation = await rules.GenerationAsync(tenantId, cancellationToken);
        if (_routes.TryGetValue((tenantId, busId), out var cached) && cached.Generation == generation)
        {
            return cached;
        }

        var routes = await rules.RoutesAsync(tenantId, busId, cancellationToken);
        var fresh = new BusRoutes(
            generation,
            routes.Count,
            new RouteIndex<EbRoute>(routes.Select(r => (r, Compile(r.Rule.Pattern)))),
            // A target's connection key, worked out once per generation rather than once per event.
            routes.SelectMany(r => r.Targets).ToDictionary(t => t.Id, ConnectionKey, StringComparer.Ordinal));
        if (_routes.Count >= MaxCachedBuses)
        {
            _routes.Clear();
        }

        _routes[(tenantId, busId)] = fresh;
        return fresh;
    }

    /// <summary>A bus's routes under one generation; immutable, shared by concurrent publishes.</summary>
    private sealed record BusRoutes(long Generation, int Count, RouteIndex<EbRoute> Index, IReadOnlyDictionary<string, string> Keys);

    /// <summary>
    /// What a target's deliveries share a per-node concurrency limit and a client with: its destination (the CKafka
    /// instance or function its resource names), so targets of many rules to one destination share them.
    /// </summary>
    public static string ConnectionKey(EbTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var resource = JsonNode.Parse(target.Description)?["ResourceDescription"]?.GetValue<string>();
        return $"eb:{target.TenantId}:{resource ?? target.Id}";
    }

    private EventFilter Compile(string pattern)
    {
        if (_patterns.TryGetValue(pattern, out var filter))
        {
            return filter;
        }

        // Patterns were validated when written; one that no longer parses (a stricter rule since) matches nothing.
        var parsed = EbEventPattern.Parse(pattern);
        filter = parsed.Ok ? parsed.Value!.Filter : new AnyOfFilter([]);
        if (_patterns.Count >= MaxCachedPatterns)
        {
            _patterns.Clear();
        }

        _patterns[pattern] = filter;
        return filter;
    }
}
