using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Core.Connections;
using Junction.Core.EventBuses;

namespace Junction.Server.Api.TencentEb;

/// <summary>The event-bus actions (spec/tencent-eb.md §7.5–§7.9, §8).</summary>
internal static partial class EbApi
{
    private static async Task<JsonObject> CreateEventBusAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusName", "Description", "SaveDays", "EnableStore");
        var name = BusName(p.String("EventBusName", required: true)!);
        var description = Description(p.String("Description"));
        var saveDays = SaveDays(p.Integer("SaveDays"));
        var enableStore = p.Bool("EnableStore");
        var (outcome, bus) = await c.Services.Buses.CreateAsync(c.Tenant.Id, c.Region, name, description, enableStore, saveDays, c.CancellationToken);
        return outcome switch
        {
            BusWrite.Done => new JsonObject { ["EventBusId"] = bus!.Id },
            BusWrite.NameReserved => throw new EbError("ResourceInUse.DefaultEventBus", "The default Tencent Cloud service event bus cannot be created repeatedly in the same region."),
            BusWrite.NameTaken => throw EbError.Value("EventBusName", $"An event bus named '{name}' already exists in {c.Region}."),
            _ => throw new EbError("LimitExceeded.EventBus", $"The number of EventBus reaches the upper limit ({c.Services.Buses.BusQuota} custom buses in {c.Region})."),
        };
    }

    private static async Task<JsonObject> DeleteEventBusAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId");
        var id = BusId(p.String("EventBusId", required: true)!);
        return await c.Services.Buses.DeleteAsync(c.Tenant.Id, c.Region, id, c.CancellationToken) switch
        {
            BusWrite.Done => [],
            BusWrite.Immutable => throw new EbError("OperationDenied.ResourceImmutable", "The default Tencent Cloud service event bus cannot be deleted."),
            BusWrite.InUse => throw new EbError("ResourceInUse.EventBus", "Failed to delete the event bus. Please first delete all rules, connectors and archives of it."),
            _ => throw BusNotFound(id),
        };
    }

    private static async Task<JsonObject> GetEventBusAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId");
        var bus = await FindBusAsync(c, BusId(p.String("EventBusId", required: true)!));
        return new JsonObject
        {
            ["ModTime"] = Time(bus.UpdatedAt),
            ["Description"] = bus.Description,
            ["ClsTopicId"] = "",
            ["AddTime"] = Time(bus.CreatedAt),
            ["ClsLogsetId"] = "",
            ["EventBusName"] = bus.Name,
            ["EventBusId"] = bus.Id,
            ["Type"] = bus.Type,
            ["PayMode"] = "Postpaid",
            ["SaveDays"] = bus.SaveDays,
            ["LogTopicId"] = bus.LogTopicId,
            ["EnableStore"] = bus.EnableStore,
            ["LinkMode"] = null,
        };
    }

    private static async Task<JsonObject> ListEventBusesAsync(EbContext c)
    {
        var p = c.Params.Allow("OrderBy", "Limit", "Order", "Filters", "Offset");
        var (offset, limit, sort, descending) = Paging(p);
        List<string>? names = null, ids = null, types = null;
        var filters = p.Objects("Filters") ?? [];
        if (filters.Count > 10)
        {
            throw EbError.Value("Filters", "At most 10 Filters are allowed.");
        }

        foreach (var filter in filters)
        {
            filter.Allow("Name", "Values");
            var name = filter.String("Name", required: true)!;
            var values = filter.Strings("Values", required: true)!;
            if (values.Count is 0 or > 5)
            {
                throw EbError.Value("Filters", $"Filter '{name}' must have 1 to 5 Values.");
            }

            // Several filters are ANDed: the same name twice keeps the values both allow.
            List<string> And(List<string>? existing) => existing is null ? [.. values] : [.. existing.Intersect(values)];
            switch (name)
            {
                case "EventBusName":
                    names = And(names);
                    break;
                case "EventBusId":
                    ids = And(ids);
                    break;
                case "Type":
                    types = And(types);
                    break;
                default:
                    throw EbError.Value("Filters", $"Filter Name must be EventBusName, EventBusId or Type, not '{name}'.");
            }
        }

        var (total, buses) = await c.Services.Buses.ListAsync(
            new EventBusQuery(c.Tenant.Id, c.Region, offset, limit, sort, descending, names, ids, types), c.CancellationToken);
        var targets = (await c.Services.Rules.TargetsOfBusesAsync(c.Tenant.Id, [.. buses.Select(b => b.Id)], c.CancellationToken)).ToLookup(t => t.BusId);
        var items = new JsonArray();
        foreach (var bus in buses)
        {
            var briefs = await c.Services.Connections.ListAsync(
                new ConnectionQuery(c.Tenant.Id, Scopes.TencentEbBus(bus.Id), 0, 100), c.CancellationToken);
            items.Add(new JsonObject
            {
                ["ModTime"] = Time(bus.UpdatedAt),
                ["Description"] = bus.Description,
                ["AddTime"] = Time(bus.CreatedAt),
                ["EventBusName"] = bus.Name,
                ["EventBusId"] = bus.Id,
                ["Type"] = bus.Type,
                ["PayMode"] = "Postpaid",
                ["ConnectionBriefs"] = new JsonArray([.. briefs.Items.Select(b => (JsonNode)new JsonObject { ["Type"] = b.Kind, ["Status"] = StatusOf(b.State) })]),
                ["TargetBriefs"] = new JsonArray([.. targets[bus.Id].Select(t => (JsonNode)new JsonObject { ["TargetId"] = t.Id, ["Type"] = t.Type })]),
            });
        }

        return new JsonObject { ["EventBuses"] = items, ["TotalCount"] = total };
    }

    private static async Task<JsonObject> UpdateEventBusAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "Description", "EventBusName", "SaveDays", "LogTopicId", "EnableStore");
        var id = BusId(p.String("EventBusId", required: true)!);
        var name = p.String("EventBusName") is { } n ? BusName(n) : null;
        var changes = new EventBusChanges(name, Description(p.String("Description")), p.Bool("EnableStore"), SaveDays(p.Integer("SaveDays")), p.String("LogTopicId"));
        return await c.Services.Buses.UpdateAsync(c.Tenant.Id, c.Region, id, changes, c.CancellationToken) switch
        {
            BusWrite.Done => [],
            BusWrite.Immutable => throw new EbError("OperationDenied.ResourceImmutable", "The default Tencent Cloud service event bus cannot be modified."),
            BusWrite.NameReserved => throw EbError.Value("EventBusName", "The name 'default' is reserved for the Tencent Cloud service event bus."),
            BusWrite.NameTaken => throw EbError.Value("EventBusName", $"An event bus named '{name}' already exists in {c.Region}."),
            _ => throw BusNotFound(id),
        };
    }

    /// <summary>The Cloud bus of an account and region exists from its first use (spec §8).</summary>
    private static Task<EventBus> EnsureDefaultBusAsync(EbContext c) =>
        c.Services.Buses.EnsureDefaultAsync(c.Tenant.Id, c.Region, c.CancellationToken);

    private static async Task<EventBus> FindBusAsync(EbContext c, string id) =>
        await c.Services.Buses.GetAsync(c.Tenant.Id, c.Region, id, c.CancellationToken) ?? throw BusNotFound(id);

    private static EbError BusNotFound(string id) =>
        new("ResourceNotFound.EventBus", $"The specified event bus {id} was not found. Please create it and try again.");

    private static DateTimeOffset Now(EbContext c) =>
        DateTimeOffset.FromUnixTimeSeconds(c.Services.Time.GetUtcNow().ToUnixTimeSeconds());

    private static string BusId(string id) =>
        BusIdPattern().IsMatch(id) ? id : throw EbError.Value("EventBusId", $"EventBusId '{id}' is not an event bus id (eb-xxxxxxxx).");

    private static string BusName(string name) =>
        BusNamePattern().IsMatch(name)
            ? name
            : throw EbError.Value("EventBusName",
                $"EventBusName '{name}' must be 2-60 characters of letters, digits, '_' and '-', start with a letter and end with a letter or digit.");

    private static string? Description(string? description) =>
        description is { Length: > 200 } ? throw EbError.Value("Description", $"Description must be at most 200 characters (got {description.Length}).") : description;

    private static long? SaveDays(long? days) =>
        days is < 1 or > 3650 ? throw new EbError("InvalidParameterValue", $"SaveDays must be from 1 to 3650, not {days}.") : days;

    [GeneratedRegex(@"^eb-[a-z0-9]{1,32}\z")]
    private static partial Regex BusIdPattern();

    [GeneratedRegex(@"^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9_\u4e00-\u9fa5-]{0,58}[A-Za-z0-9\u4e00-\u9fa5]\z")]
    private static partial Regex BusNamePattern();
}
