using System.ComponentModel.DataAnnotations;

namespace Junction.Core.Connections;

/// <summary>How many connections one tenant may keep per face. Configuration section <c>Junction:Quotas</c>.</summary>
public sealed class ConnectionQuotas
{
    public const string SectionName = "Junction:Quotas";

    /// <summary>Huawei EG connections per project. The default value is 100.</summary>
    [Range(1, 1_000_000)]
    public int EgConnections { get; set; } = 100;

    public int For(string face) => face switch
    {
        Faces.HuaweiEg => EgConnections,
        _ => throw new ArgumentOutOfRangeException(nameof(face), face, "unknown face"),
    };
}
