using System.Text.Json;
using System.Text.Unicode;

namespace Junction.Server.Api.Wire;

/// <summary>
/// Reads fields of one JSON object with exact control over what counts as wrong, and collects every problem (with
/// the field's full path) instead of stopping at the first. Faces turn the problems into their own error format.
/// Absent and <c>null</c> are the same: not given.
/// </summary>
internal sealed class JsonFields
{
    private readonly JsonElement _element;
    private readonly string _prefix;
    private readonly List<string> _problems;

    private JsonFields(JsonElement element, string prefix, List<string> problems)
    {
        _element = element;
        _prefix = prefix;
        _problems = problems;
    }

    public IReadOnlyList<string> Problems => _problems;

    public bool HasProblems => _problems.Count > 0;

    /// <summary>Parses a body that must be one JSON object; answers null and a reason when it is not.</summary>
    public static JsonFields? Parse(byte[] body, out string? error)
    {
        if (body.Length == 0)
        {
            error = "the request body is empty; a JSON object is required";
            return null;
        }

        // JsonDocument checks UTF-8 only when a string is read; a body with invalid bytes inside a string would fail then.
        if (!Utf8.IsValid(body))
        {
            error = "the request body is not valid UTF-8";
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "the request body must be a JSON object";
                return null;
            }

            error = JsonText.Problem(document.RootElement);
            return error is null ? new JsonFields(document.RootElement.Clone(), "", []) : null;
        }
        catch (JsonException exception)
        {
            error = $"the request body is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})";
            return null;
        }
    }

    public string Path(string name) => _prefix + name;

    public void Problem(string message) => _problems.Add(message);

    public bool Has(string name) =>
        _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? String(string name, bool required = false, int? maxLength = null, int minLength = 0)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Problem($"{Path(name)} is required");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Problem($"{Path(name)} must be a string, not {Describe(value.ValueKind)}");
            return null;
        }

        var text = value.GetString()!;
        if (text.Length < minLength)
        {
            Problem(minLength == 1 ? $"{Path(name)} must not be empty" : $"{Path(name)} must be at least {minLength} characters");
            return null;
        }

        if (maxLength is { } max && text.Length > max)
        {
            Problem($"{Path(name)} must be at most {max} characters (got {text.Length})");
            return null;
        }

        return text;
    }

    public bool? Bool(string name)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Problem($"{Path(name)} must be a boolean, not {Describe(value.ValueKind)}");
        return null;
    }

    /// <summary>A nested object; null when absent (reported when required) or of the wrong type (always reported).</summary>
    public JsonFields? Object(string name, bool required = false)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Problem($"{Path(name)} is required");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Problem($"{Path(name)} must be an object, not {Describe(value.ValueKind)}");
            return null;
        }

        return new JsonFields(value, _prefix + name + ".", _problems);
    }

    /// <summary>An integer (a JSON number without a fraction); null when absent or wrong (reported).</summary>
    public long? Integer(string name, bool required = false)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Problem($"{Path(name)} is required");
            }

            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        Problem($"{Path(name)} must be an integer, not {Describe(value.ValueKind)}");
        return null;
    }

    /// <summary>
    /// An array of strings; null when absent. With <paramref name="singleStringAsArray"/> a lone string counts as a
    /// one-element array (leniency for a documented example that sends one).
    /// </summary>
    public IReadOnlyList<string>? Strings(string name, bool singleStringAsArray = false)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (singleStringAsArray && value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Problem($"{Path(name)} must be an array of strings, not {Describe(value.ValueKind)}");
            return null;
        }

        var items = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                Problem($"{Path(name)}[{index}] must be a string, not {Describe(item.ValueKind)}");
                return null;
            }

            items.Add(item.GetString()!);
            index++;
        }

        return items;
    }

    /// <summary>An array of objects; null when absent or wrong (reported).</summary>
    public IReadOnlyList<JsonFields>? Objects(string name)
    {
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Problem($"{Path(name)} must be an array, not {Describe(value.ValueKind)}");
            return null;
        }

        var items = new List<JsonFields>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Problem($"{Path(name)}[{index}] must be an object, not {Describe(item.ValueKind)}");
                return null;
            }

            items.Add(new JsonFields(item, $"{_prefix}{name}[{index}].", _problems));
            index++;
        }

        return items;
    }

    /// <summary>A field as a mutable JSON tree (for documents stored as given: filters, details); null when absent or null.</summary>
    public System.Text.Json.Nodes.JsonNode? Node(string name) =>
        _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? System.Text.Json.Nodes.JsonNode.Parse(value.GetRawText())
            : null;

    /// <summary>This object's field names, in order.</summary>
    public IEnumerable<string> Names => _element.EnumerateObject().Select(p => p.Name);

    public JsonValueKind KindOf(string name) =>
        _element.TryGetProperty(name, out var value) ? value.ValueKind : JsonValueKind.Undefined;

    public bool IsEmptyObject(string name) =>
        _element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any();

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
