namespace Junction.Delivery.Sinks;

/// <summary>What one attempt sends: a body with its content type, a Kafka key if any, and headers (HTTP or Kafka).</summary>
public sealed record SinkMessage(
    string ContentType,
    ReadOnlyMemory<byte> Body,
    byte[]? Key,
    IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>Header names whose values are secret (<c>is_value_secret</c>): sent, never logged or recorded.</summary>
    public IReadOnlySet<string> SecretHeaders { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
}
