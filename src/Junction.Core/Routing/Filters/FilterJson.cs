using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Junction.Core.Routing.Filters;

/// <summary>
/// Reads filter, pattern and transform JSON where the same key may appear twice: the last one wins (EG's documented
/// rule; EB patterns follow it too). <c>JsonNode.Parse</c> throws on duplicates, so this builds the tree itself from a
/// <see cref="Utf8JsonReader"/>. The tree it returns has no duplicates, so its compact form is the canonical text.
/// </summary>
internal static class FilterJson
{
    public const int MaxDepth = 32;

    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, string path)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            throw new FilterException(path, "is not valid UTF-8", syntax: true);
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read())
            {
                throw new FilterException(path, "is empty; expected a JSON value", syntax: true);
            }

            var node = ReadValue(ref reader);
            if (reader.Read())
            {
                throw new FilterException(path, $"has text after the JSON value (byte {reader.TokenStartIndex + 1})", syntax: true);
            }

            return node;
        }
        catch (JsonException exception)
        {
            throw new FilterException(path, $"is not valid JSON (byte {exception.BytePositionInLine + 1} of line {exception.LineNumber + 1})", syntax: true);
        }
        catch (InvalidOperationException)
        {
            // GetString on an escape that is no UTF-16 text (a lone surrogate such as \ud800).
            throw new FilterException(path, "holds a string that is not valid Unicode (a lone surrogate escape)", syntax: true);
        }
    }

    public static JsonNode? Parse(string text, string path) => Parse(Encoding.UTF8.GetBytes(text), path);

    public static string Compact(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static JsonNode? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    var value = ReadValue(ref reader);
                    obj.Remove(name);
                    obj[name] = value; // the last duplicate wins
                }

                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Add(ReadValue(ref reader));
                }

                return array;
            case JsonTokenType.String:
                return JsonValue.Create(reader.GetString()!);
            case JsonTokenType.Number:
                return JsonNode.Parse(reader.ValueSpan);
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            default:
                return null;
        }
    }

    /// <summary>The JSON kind of a node as a person would name it, for messages.</summary>
    public static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => "a boolean",
        },
    };

    public static bool IsString(JsonNode? node, out string value)
    {
        value = "";
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            value = v.GetValue<string>();
            return true;
        }

        return false;
    }

    public static bool IsNumber(JsonNode? node, out FilterNumber number)
    {
        number = default;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && FilterNumber.TryRead(v.GetValue<JsonElement>(), out number);
    }

    public static bool IsBoolean(JsonNode? node, out bool value)
    {
        value = false;
        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            value = v.GetValue<bool>();
            return true;
        }

        return false;
    }
}
