using System.ComponentModel.DataAnnotations;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>Quotas and limits of the EventGrid data plane. Configuration section <c>Junction:Eg</c>.</summary>
public sealed class EgDataPlaneOptions
{
    public const string SectionName = "Junction:Eg";

    /// <summary>Custom channels per project (the built-in <c>default</c> channel is not counted). The default value is 100.</summary>
    [Range(0, 1_000_000)]
    public int MaxChannels { get; set; } = 100;

    /// <summary>Custom event sources per project. The default value is 100.</summary>
    [Range(0, 1_000_000)]
    public int MaxSources { get; set; } = 100;

    /// <summary>Subscriptions per project. The default value is 100.</summary>
    [Range(0, 1_000_000)]
    public int MaxSubscriptions { get; set; } = 100;

    /// <summary>Targets per subscription (EG's SUBSCRIPTION_TARGET quota). The default value is 5.</summary>
    [Range(1, 1000)]
    public int MaxTargetsPerSubscription { get; set; } = 5;

    /// <summary>Events per PutEvents request (EG: 20). The default value is 20.</summary>
    [Range(1, 10_000)]
    public int MaxEventsPerRequest { get; set; } = 20;

    /// <summary>Bytes per event, serialized (EG: 64 KB). The default value is 65536.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 64 * 1024;

    /// <summary>Bytes of all events of one request (EG: 256 KB). The default value is 262144.</summary>
    [Range(256, 64 * 1024 * 1024)]
    public int MaxRequestEventBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Refuse updates of an ENABLED subscription (EG documents <c>EG.00513002</c> for it; Terraform updates without
    /// disabling first, so it is off by default). The default value is false.
    /// </summary>
    public bool RequireDisabledToEdit { get; set; }
}
