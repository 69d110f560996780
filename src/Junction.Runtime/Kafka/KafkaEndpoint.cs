using System.Globalization;

namespace Junction.Runtime.Kafka;

/// <summary>A Kafka cluster as a client reaches it: bootstrap list and the connection's security settings.</summary>
public sealed record KafkaEndpoint(
    string BootstrapServers,
    string SecurityProtocol,
    string? SaslMechanism = null,
    string? UserName = null,
    string? Password = null)
{
    /// <summary>A description for messages: the bootstrap list and protocol, never the credentials.</summary>
    public override string ToString() => $"bootstrap {BootstrapServers} ({SecurityProtocol})";

    /// <summary>The bootstrap list as host and port pairs (port 9092 when none is written).</summary>
    public IEnumerable<(string Host, int Port)> Bootstraps()
    {
        foreach (var entry in BootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            var port = colon > 0 && int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 9092;
            yield return (colon > 0 ? entry[..colon] : entry, port);
        }
    }
}
