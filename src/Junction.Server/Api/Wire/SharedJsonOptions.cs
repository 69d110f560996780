using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Junction.Server.Api.Wire;

/// <summary>
/// Serializer options that concurrent requests share. <c>Results.Json</c> gives options without a type-info resolver
/// one, as a write, while they are still writable — and another request may already be serializing with them, which
/// makes them read-only: that write then throws (a created EG connection answered 500 this way in the three-node
/// PostgreSQL test). Options frozen here already have the reflection resolver and are read-only, so nothing writes them.
/// </summary>
internal static class SharedJsonOptions
{
    public static JsonSerializerOptions Freeze(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        options.MakeReadOnly();
        return options;
    }
}
