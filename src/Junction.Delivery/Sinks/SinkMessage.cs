namespace Junction.Delivery.Sinks;

/// <summary>What one attempt sends: a body with its content type, a Kafka key if any, and headers (HTTP or Kafka).</summary>
public sealed record SinkMessage(
    string ContentType,
    ReadOnlyMemory<byte> Body,
    byte[]? Key,
    IReadOnlyList<KeyValuePair<string, string>> Headers);
