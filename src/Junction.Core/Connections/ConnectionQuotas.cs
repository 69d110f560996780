using System.ComponentModel.DataAnnotations;

namespace Junction.Core.Connections;

/// <summary>How many connections one tenant may keep per face. Configuration section <c>Junction:Quotas</c>.</summary>
public sealed class ConnectionQuotas
{
    public const string SectionName = "Junction:Quotas";

    /// <summary>Huawei EG connections per project. The default value is 100.</summary>
    [Range(1, 1_000_000)]
    public int EgConnections { get; set; } = 100;

    /// <summary>Tencent EB connectors per event bus. The default value is 10, as Tencent Cloud.</summary>
    [Range(1, 1_000_000)]
    public int EbConnectorsPerBus { get; set; } = 10;

    /// <summary>Tencent EB custom event buses per account and region. The default value is 10, as Tencent Cloud.</summary>
    [Range(1, 1_000_000)]
    public int EbBusesPerRegion { get; set; } = 10;

    /// <summary>Huawei DLI enhanced connections per project (deleted ones do not count). The default value is 100.</summary>
    [Range(1, 1_000_000)]
    public int DliConnections { get; set; } = 100;

    /// <summary>Huawei DLI queues per project. The default value is 100.</summary>
    [Range(1, 1_000_000)]
    public int DliQueues { get; set; } = 100;

    /// <summary>The connection quota of a scope (<see cref="Scopes"/>).</summary>
    public int For(string scope) => scope switch
    {
        Scopes.HuaweiEg => EgConnections,
        Scopes.HuaweiDli => DliConnections,
        _ when Scopes.IsTencentEb(scope) => EbConnectorsPerBus,
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "unknown scope"),
    };
}
