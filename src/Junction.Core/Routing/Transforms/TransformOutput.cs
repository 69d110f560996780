using System.Text;
using System.Text.Json;

namespace Junction.Core.Routing.Transforms;

/// <summary>What a target receives after its transform: the content type and the bytes a sink sends.</summary>
public sealed record TransformOutput(string ContentType, ReadOnlyMemory<byte> Body)
{
    public const string Json = "application/json; charset=utf-8";
    public const string Text = "text/plain; charset=utf-8";
    public const string CloudEvent = "application/cloudevents+json; charset=utf-8";

    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>Text that parses as JSON goes as JSON, anything else as plain text.</summary>
    public static TransformOutput OfText(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return new TransformOutput(IsJson(bytes) ? Json : Text, bytes);
    }

    public static bool IsJson(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        try
        {
            while (reader.Read())
            {
            }

            return reader.BytesConsumed > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
