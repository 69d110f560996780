using System.Text.Json;
using System.Text.Json.Serialization;

namespace Junction.Core.Dli;

/// <summary>A host mapping of an enhanced connection: <c>{name, ip}</c>.</summary>
public sealed record DliHost([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("ip")] string Ip);

/// <summary>A route of an enhanced connection: <c>{name, cidr, create_time}</c>.</summary>
public sealed record DliRoute(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("cidr")] string Cidr,
    [property: JsonPropertyName("create_time")] long CreateTime);

/// <summary>The DLI-specific part of an enhanced connection, stored as the connection's detail and read by verification.</summary>
public sealed record DliConnectionDetail(
    [property: JsonPropertyName("hosts")] IReadOnlyList<DliHost> Hosts,
    [property: JsonPropertyName("routes")] IReadOnlyList<DliRoute> Routes,
    [property: JsonPropertyName("routetable_id")] string? RouteTableId)
{
    public static DliConnectionDetail Parse(string? json) =>
        json is null ? new DliConnectionDetail([], [], null) : JsonSerializer.Deserialize<DliConnectionDetail>(json) ?? new DliConnectionDetail([], [], null);

    public string ToJson() => JsonSerializer.Serialize(this);
}
