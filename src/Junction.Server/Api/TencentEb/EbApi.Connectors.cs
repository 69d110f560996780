using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Core.Connections;
using Junction.Core.EventBuses;
using Junction.Core.Security;

namespace Junction.Server.Api.TencentEb;

/// <summary>The connector actions (spec/tencent-eb.md §7.1–§7.4).</summary>
internal static partial class EbApi
{
    private static async Task<JsonObject> CreateConnectionAsync(EbContext c)
    {
        var p = c.Params.Allow("ConnectionDescription", "EventBusId", "ConnectionName", "Description", "Enable", "Type");
        var description = p.Object("ConnectionDescription", required: true)!;
        var busId = BusId(p.String("EventBusId", required: true)!);
        var name = ConnectionName(p.String("ConnectionName", required: true)!);
        var text = Description(p.String("Description")) ?? "";
        var enable = p.Bool("Enable") ?? true;
        var spec = EbConnectorSpecs.Parse(description, p.String("Type"), c.Tenant.AccountId);
        if (spec.Type == "apigw" && p.Has("Enable") && !enable)
        {
            throw new EbError("InvalidParameter.EnableAPIGateway", "APIGateway cannot be enabled or disabled. Please check and try again.");
        }

        if (spec.Type == "ckafka")
        {
            // Only an instance registered for this account or shared: another account's answers as an unknown one.
            EbTargetSpecs.UsableInstance(c, description.String("ResourceDescription")!, "ConnectionDescription");
        }

        var bus = await FindBusAsync(c, busId);
        if (bus.Type == EventBusTypes.Cloud)
        {
            throw new EbError("OperationDenied.ResourceImmutable", "Connectors deliver to custom event buses; the Tencent Cloud service event bus takes none.");
        }

        var id = "connection-" + RandomIds.Suffix(8);
        // An apigw connector's secret is its ingress token (Junction stands in for the API gateway): kept encrypted, shown once.
        var token = spec.Type == "apigw" ? EbIngressApi.NewToken() : null;
        var result = await c.Services.Connections.CreateAsync(
            new NewConnection(c.Tenant.Id, Scopes.TencentEbBus(bus.Id), name, text, spec.Type, null, null, spec.Kafka, token ?? spec.Password,
                enable, spec.Detail.ToJsonString(), id),
            c.CancellationToken);
        return result switch
        {
            CreateResult.Created when token is not null =>
                new JsonObject { ["ConnectionId"] = id, ["IngressPath"] = EbIngressApi.PathOf(id), ["IngressToken"] = token },
            CreateResult.Created => new JsonObject { ["ConnectionId"] = id },
            CreateResult.NameTaken => throw EbError.Value("ConnectionName", $"A connector named '{name}' already exists on event bus {bus.Id}."),
            CreateResult.QuotaExceeded q => throw new EbError("LimitExceeded.Connection", $"The number of Connection reaches the upper limit ({q.Quota} per event bus)."),
            CreateResult.ScopeGone => throw BusNotFound(bus.Id),
            _ => throw new InvalidOperationException("unexpected create result"),
        };
    }

    private static async Task<JsonObject> DeleteConnectionAsync(EbContext c)
    {
        var p = c.Params.Allow("ConnectionId", "EventBusId");
        var id = ConnectionId(p.String("ConnectionId", required: true)!);
        var bus = await FindBusAsync(c, BusId(p.String("EventBusId", required: true)!));
        return await c.Services.Connections.DeleteAsync(c.Tenant.Id, Scopes.TencentEbBus(bus.Id), id, c.CancellationToken)
            ? []
            : throw ConnectionNotFound(id, bus.Id);
    }

    private static async Task<JsonObject> ListConnectionsAsync(EbContext c)
    {
        var p = c.Params.Allow("EventBusId", "OrderBy", "Limit", "Order", "Offset");
        var busId = BusId(p.String("EventBusId", required: true)!);
        var (offset, limit, sort, descending) = Paging(p);
        var bus = await FindBusAsync(c, busId);
        var page = await c.Services.Connections.ListAsync(
            new ConnectionQuery(c.Tenant.Id, Scopes.TencentEbBus(bus.Id), offset, limit, sort, descending), c.CancellationToken);
        var items = new JsonArray([.. page.Items.Select(connection => (JsonNode)View(connection, bus.Id))]);
        return new JsonObject { ["Connections"] = items, ["TotalCount"] = page.Total };
    }

    private static async Task<JsonObject> UpdateConnectionAsync(EbContext c)
    {
        var p = c.Params.Allow("ConnectionId", "EventBusId", "Enable", "Description", "ConnectionName");
        var id = ConnectionId(p.String("ConnectionId", required: true)!);
        var busId = BusId(p.String("EventBusId", required: true)!);
        var enable = p.Bool("Enable");
        var description = Description(p.String("Description"));
        var name = p.String("ConnectionName") is { } n ? ConnectionName(n) : null;
        var scope = Scopes.TencentEbBus(busId);
        // An unknown bus is answered as an unknown connector: that is the code this action documents.
        var existing = await c.Services.Connections.GetAsync(c.Tenant.Id, scope, id, c.CancellationToken) ?? throw ConnectionNotFound(id, busId);
        if (existing.Kind == "apigw" && enable is not null)
        {
            throw new EbError("InvalidParameter.EnableAPIGateway", "APIGateway cannot be enabled or disabled. Please check and try again.");
        }

        try
        {
            _ = await c.Services.Connections.UpdateAsync(c.Tenant.Id, scope, id, new ConnectionChanges(description, name, enable), c.CancellationToken)
                ?? throw ConnectionNotFound(id, busId);
        }
        catch (NameTakenException)
        {
            throw EbError.Value("ConnectionName", $"A connector named '{name}' already exists on event bus {busId}.");
        }

        return [];
    }

    /// <summary>The <c>Connection</c> object of ListConnections (spec §5.6): every field present.</summary>
    private static JsonObject View(Connection connection, string busId)
    {
        var description = connection.Detail is null ? new JsonObject() : JsonNode.Parse(connection.Detail)!.AsObject();
        return new JsonObject
        {
            ["Status"] = StatusOf(connection.State),
            ["ModTime"] = Time(connection.UpdatedAt),
            ["Enable"] = connection.Enabled,
            ["Description"] = connection.Description,
            ["AddTime"] = Time(connection.CreatedAt),
            ["ConnectionId"] = connection.Id,
            ["EventBusId"] = busId,
            ["ConnectionDescription"] = description,
            ["ConnectionName"] = connection.Name,
            ["Type"] = connection.Kind,
        };
    }

    /// <summary>Core's lifecycle in EB's words (the spec leaves them open; docs/api/tencent-eb.md lists them).</summary>
    internal static string StatusOf(ConnectionState state) => state switch
    {
        ConnectionState.Pending => "Pending",
        ConnectionState.Ready => "Active",
        ConnectionState.Failed => "Failed",
        ConnectionState.Unverified => "Unverified",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static EbError ConnectionNotFound(string id, string busId) =>
        new("ResourceNotFound.Connection", $"The specified Connection {id} was not found on event bus {busId}. Please create it and try again.");

    private static string ConnectionId(string id) =>
        ConnectionIdPattern().IsMatch(id) ? id : throw EbError.Value("ConnectionId", $"ConnectionId '{id}' is not a connector id (connection-xxxxxxxx).");

    private static string ConnectionName(string name) =>
        ConnectionNamePattern().IsMatch(name)
            ? name
            : throw EbError.Value("ConnectionName",
                $"ConnectionName '{name}' must be 2-60 characters of letters, digits, '_' and '-', start with a letter and end with a letter or digit.");

    [GeneratedRegex(@"^connection-[a-z0-9]{1,32}\z")]
    private static partial Regex ConnectionIdPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]\z")]
    private static partial Regex ConnectionNamePattern();
}
