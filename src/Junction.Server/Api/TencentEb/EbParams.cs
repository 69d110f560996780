using System.Text.Json;
using System.Text.Unicode;

namespace Junction.Server.Api.TencentEb;

/// <summary>
/// Reads one JSON object of a Tencent request with Tencent's rules: a property the action does not define is
/// <c>UnknownParameter</c>, a missing required one <c>MissingParameter</c>, a wrong JSON type <c>InvalidParameter</c>;
/// <c>null</c> counts as absent (other SDKs send explicit nulls; the Node SDK strips them).
/// </summary>
internal sealed class EbParams
{
    private readonly JsonElement _element;
    private readonly string _prefix;

    private EbParams(JsonElement element, string prefix)
    {
        _element = element;
        _prefix = prefix;
    }

    public static EbParams Parse(byte[] body)
    {
        if (body.Length == 0)
        {
            return new EbParams(JsonDocument.Parse("{}").RootElement.Clone(), "");
        }

        // JsonDocument checks UTF-8 only when a string is read; a body with invalid bytes inside a string would fail then.
        if (!Utf8.IsValid(body))
        {
            throw new EbError("InvalidParameter", "The request body is not valid UTF-8.");
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new EbError("InvalidParameter", "The request body must be a JSON object.");
            }

            if (Wire.JsonText.Problem(document.RootElement) is { } problem)
            {
                throw new EbError("InvalidParameter", $"The request body cannot be read: {problem}.");
            }

            return new EbParams(document.RootElement.Clone(), "");
        }
        catch (JsonException exception)
        {
            throw new EbError("InvalidParameter", $"The request body is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}).");
        }
    }

    /// <summary>Refuses every property the action does not define.</summary>
    public EbParams Allow(params string[] names)
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (!names.Contains(property.Name, StringComparer.Ordinal))
            {
                throw EbError.Unknown(_prefix + property.Name);
            }
        }

        return this;
    }

    public bool Has(string name) => _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? String(string name, bool required = false) =>
        Get(name, required, JsonValueKind.String, "a string")?.GetString();

    public bool? Bool(string name, bool required = false)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw EbError.Type(_prefix + name, "a boolean");
    }

    public long? Integer(string name, bool required = false)
    {
        var value = Get(name, required, JsonValueKind.Number, "an integer");
        if (value is null)
        {
            return null;
        }

        return value.Value.TryGetInt64(out var number) ? number : throw EbError.Type(_prefix + name, "an integer");
    }

    public EbParams? Object(string name, bool required = false)
    {
        var value = Get(name, required, JsonValueKind.Object, "an object");
        return value is null ? null : new EbParams(value.Value, $"{_prefix}{name}.");
    }

    public IReadOnlyList<EbParams>? Objects(string name)
    {
        var value = Get(name, false, JsonValueKind.Array, "an array");
        if (value is null)
        {
            return null;
        }

        var items = new List<EbParams>();
        var index = 0;
        foreach (var item in value.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw EbError.Type($"{_prefix}{name}.{index}", "an object");
            }

            items.Add(new EbParams(item, $"{_prefix}{name}.{index}."));
            index++;
        }

        return items;
    }

    /// <summary>The elements of an array of objects as JSON, for Core parsers that read the objects themselves.</summary>
    public IReadOnlyList<JsonElement>? ObjectElements(string name, bool required = false)
    {
        var value = Get(name, required, JsonValueKind.Array, "an array of objects");
        if (value is null)
        {
            return null;
        }

        return value.Value.EnumerateArray()
            .Select((item, i) => item.ValueKind == JsonValueKind.Object ? item : throw EbError.Type($"{_prefix}{name}.{i}", "an object"))
            .ToList();
    }

    public IReadOnlyList<string>? Strings(string name, bool required = false)
    {
        var value = Get(name, required, JsonValueKind.Array, "an array of strings");
        if (value is null)
        {
            return null;
        }

        return value.Value.EnumerateArray()
            .Select((item, i) => item.ValueKind == JsonValueKind.String ? item.GetString()! : throw EbError.Type($"{_prefix}{name}.{i}", "a string"))
            .ToList();
    }

    private JsonElement? Get(string name, bool required, JsonValueKind kind, string expected)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        return value.ValueKind == kind ? value : throw EbError.Type(_prefix + name, expected);
    }

    private bool TryGet(string name, bool required, out JsonElement value)
    {
        if (_element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        return required ? throw EbError.Missing(_prefix + name) : false;
    }
}
