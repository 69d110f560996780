using System.ComponentModel.DataAnnotations;

namespace Junction.Core.EventBuses;

/// <summary>Quotas and limits of the EventBridge data plane (spec/dataplane.md §3.1). Configuration section <c>Junction:Eb</c>.</summary>
public sealed class EbDataPlaneOptions
{
    public const string SectionName = "Junction:Eb";

    /// <summary>Rules per custom event bus (Tencent: 10). The default value is 10.</summary>
    [Range(1, 100_000)]
    public int MaxRulesPerBus { get; set; } = 10;

    /// <summary>Rules on the default (Cloud) bus (Tencent: 200 per cloud-service bus). The default value is 200.</summary>
    [Range(1, 100_000)]
    public int MaxRulesPerCloudBus { get; set; } = 200;

    /// <summary>Targets per rule (Tencent: 10). The default value is 10.</summary>
    [Range(1, 1000)]
    public int MaxTargetsPerRule { get; set; } = 10;

    /// <summary>Events per PutEvents request (Tencent documents none). The default value is 100.</summary>
    [Range(1, 10_000)]
    public int MaxEventsPerRequest { get; set; } = 100;

    /// <summary>Bytes per event as delivered, envelope included (Tencent: 64 KB). The default value is 65536.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Refuse PutEvents to a bus without rules with <c>ResourceNotFound.EventBusNotFound</c> ("the bus does not exist or
    /// has no rules", Tencent's message). Off: such events are accepted and, matching nothing, kept only for traces. The
    /// default value is false.
    /// </summary>
    public bool RejectEventsWithoutRules { get; set; }

    /// <summary>How often each node looks for ckafka connectors to start or stop consuming. The default value is 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ConnectorRefresh { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Records a ckafka connector publishes (one transaction) and commits at a time. The default value is 500.</summary>
    [Range(1, 100_000)]
    public int ConnectorBatch { get; set; } = 500;
}
