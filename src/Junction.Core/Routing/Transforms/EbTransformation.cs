using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Routing.Transforms;

/// <summary>
/// A Tencent EventBridge rule's transformation (spec/dataplane.md §3.8), applied in three steps: <c>Extraction</c>
/// picks a value by JsonPath (<c>JSON</c>: a string holding JSON is parsed; <c>TEXT</c>: the text, split by a separator
/// or a regex into <c>$1</c>, <c>$2</c>, …), <c>EtlFilter</c> drops the event unless the value matches a pattern, and
/// <c>Transform.OutputStructs</c> builds a new JSON object from constants, paths and the date.
/// </summary>
public sealed class EbTransformation
{
    public const int MaxOutputs = 100;
    public const int MaxRegexLength = 128;
    private static readonly string[] s_separators = [",", "|", "\t", " ", "\n", "%", "#"];
    private static readonly TimeSpan s_regexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly JsonPathLite _input;
    private readonly bool _text;
    private readonly string? _separator;
    private readonly Regex? _regex;
    private readonly EbEventPattern? _filter;
    private readonly Output[]? _outputs;

    private EbTransformation(JsonPathLite input, bool text, string? separator, Regex? regex, EbEventPattern? filter, Output[]? outputs)
    {
        (_input, _text, _separator, _regex, _filter, _outputs) = (input, text, separator, regex, filter, outputs);
    }

    /// <summary>Reads one element of <c>Transformations</c>; <paramref name="path"/> names it in errors.</summary>
    public static Parsed<EbTransformation> Parse(JsonElement transformation, string path = "Transformations[0]")
    {
        try
        {
            var root = Object(transformation, path, "Extraction", "EtlFilter", "Transform");
            var (input, text, separator, regex) = Extraction(Member(root, "Extraction"), $"{path}.Extraction");
            EbEventPattern? filter = null;
            if (Member(root, "EtlFilter") is { } etl)
            {
                var at = $"{path}.EtlFilter";
                Object(etl, at, "Filter");
                var pattern = EbEventPattern.Parse(RequiredString(etl, "Filter", at), $"{at}.Filter");
                filter = pattern.Ok ? pattern.Value : throw new FilterException(pattern.Error!.Path, pattern.Error.Message);
            }

            Output[]? outputs = null;
            if (Member(root, "Transform") is { } transform)
            {
                outputs = Outputs(transform, $"{path}.Transform");
            }

            return new EbTransformation(input, text, separator, regex, filter, outputs);
        }
        catch (FilterException exception)
        {
            return exception.Error;
        }
        catch (InvalidOperationException)
        {
            return new FilterError(path, "holds a string that is not valid Unicode (a lone surrogate escape)", IsSyntax: true);
        }
    }

    /// <summary>
    /// The output for one event (the envelope), or null when the EtlFilter drops it. A string in the input that is no
    /// UTF-16 text (a lone surrogate escape) throws <see cref="InvalidOperationException"/>: ingest refuses such events.
    /// </summary>
    public TransformOutput? Apply(JsonElement input, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        using var extracted = Extract(input);
        var value = extracted?.RootElement;
        if (_filter is not null && (value is not { } v || !_filter.Filter.Matches(v)))
        {
            return null;
        }

        if (_outputs is null)
        {
            return value switch
            {
                null => new TransformOutput(TransformOutput.Json, "null"u8.ToArray()),
                { ValueKind: JsonValueKind.String } s => new TransformOutput(TransformOutput.Text, Encoding.UTF8.GetBytes(s.GetString()!)),
                { } other => new TransformOutput(TransformOutput.Json, Encoding.UTF8.GetBytes(other.GetRawText())),
            };
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var output in _outputs)
            {
                writer.WritePropertyName(output.Key);
                output.Write(writer, value, time);
            }

            writer.WriteEndObject();
        }

        return new TransformOutput(TransformOutput.Json, buffer.WrittenMemory.ToArray());
    }

    private JsonDocument? Extract(JsonElement input)
    {
        if (!_input.TryEvaluate(input, out var value))
        {
            return null;
        }

        if (!_text)
        {
            // JSON: a string that holds JSON is parsed (the $.data.msgBody example); any other value is used as it is.
            if (value.ValueKind == JsonValueKind.String)
            {
                var bytes = Encoding.UTF8.GetBytes(value.GetString()!);
                if (TransformOutput.IsJson(bytes))
                {
                    return JsonDocument.Parse(bytes);
                }
            }

            return JsonDocument.Parse(value.GetRawText());
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        if (_separator is null && _regex is null)
        {
            return JsonDocument.Parse(JsonSerializer.Serialize(text));
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_separator is not null)
        {
            var parts = text.Split(_separator);
            for (var i = 0; i < parts.Length; i++)
            {
                fields[$"${i + 1}"] = parts[i];
            }
        }
        else
        {
            try
            {
                var match = _regex!.Match(text);
                for (var i = 1; match.Success && i < match.Groups.Count; i++)
                {
                    var group = match.Groups[i];
                    fields[char.IsDigit(group.Name[0]) ? $"${group.Name}" : group.Name] = group.Value;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // Bounded: a text that takes the regex too long extracts no fields.
            }
        }

        return JsonDocument.Parse(JsonSerializer.Serialize(fields));
    }

    private static (JsonPathLite Input, bool Text, string? Separator, Regex? Regex) Extraction(JsonElement? node, string path)
    {
        if (node is not { } extraction)
        {
            return (JsonPathLite.Parse("$.", path).Value!, false, null, null);
        }

        Object(extraction, path, "ExtractionInputPath", "Format", "TextParams");
        var inputText = OptionalString(extraction, "ExtractionInputPath", path) ?? "$.";
        var input = JsonPathLite.Parse(inputText, $"{path}.ExtractionInputPath");
        if (!input.Ok)
        {
            throw new FilterException(input.Error!.Path, input.Error.Message);
        }

        var format = OptionalString(extraction, "Format", path) ?? "JSON";
        if (format is not ("JSON" or "TEXT"))
        {
            throw new FilterException($"{path}.Format", $"'{format}' is not a format; use JSON or TEXT");
        }

        string? separator = null;
        Regex? regex = null;
        if (Member(extraction, "TextParams") is { } textParams)
        {
            var at = $"{path}.TextParams";
            if (format != "TEXT")
            {
                throw new FilterException(at, "is only taken with Format TEXT");
            }

            Object(textParams, at, "Separator", "Regex");
            separator = OptionalString(textParams, "Separator", at);
            var pattern = OptionalString(textParams, "Regex", at);
            if (separator is not null && !s_separators.Contains(separator, StringComparer.Ordinal))
            {
                throw new FilterException($"{at}.Separator", "must be one character of: comma, |, tab, space, newline, % or #");
            }

            if (separator is not null && pattern is not null)
            {
                throw new FilterException(at, "takes a Separator or a Regex, not both");
            }

            if (pattern is not null)
            {
                if (pattern.Length > MaxRegexLength)
                {
                    throw new FilterException($"{at}.Regex", $"is {pattern.Length} characters; at most {MaxRegexLength}");
                }

                try
                {
                    // Non-backtracking, so no pattern can make matching exponential.
                    regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, s_regexTimeout);
                }
                catch (Exception exception) when (exception is ArgumentException or NotSupportedException)
                {
                    throw new FilterException($"{at}.Regex", $"is not a regular expression Junction can run ({exception.Message})");
                }
            }
        }

        return (input.Value!, format == "TEXT", separator, regex);
    }

    private static Output[] Outputs(JsonElement transform, string path)
    {
        Object(transform, path, "OutputStructs");
        var at = $"{path}.OutputStructs";
        if (Member(transform, "OutputStructs") is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() == 0)
        {
            throw new FilterException(at, "is required: a non-empty array of {Key, Value, ValueType}");
        }

        if (list.GetArrayLength() > MaxOutputs)
        {
            throw new FilterException(at, $"has {list.GetArrayLength()} entries; at most {MaxOutputs}");
        }

        var outputs = new List<Output>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var itemPath = $"{at}[{index++}]";
            Object(item, itemPath, "Key", "Value", "ValueType");
            var key = RequiredString(item, "Key", itemPath);
            if (key.Length == 0 || !keys.Add(key))
            {
                throw new FilterException($"{itemPath}.Key", key.Length == 0 ? "must not be empty" : $"'{key}' is given twice");
            }

            var type = RequiredString(item, "ValueType", itemPath);
            var value = OptionalString(item, "Value", itemPath);
            outputs.Add(Output.Create(key, type, value, itemPath));
        }

        return [.. outputs];
    }

    private static JsonElement Object(JsonElement node, string path, params string[] allowed)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            throw new FilterException(path, $"must be an object, not {node.ValueKind.ToString().ToLowerInvariant()}");
        }

        foreach (var property in node.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new FilterException($"{path}.{property.Name}", $"is not recognized; this object takes {string.Join(", ", allowed)}");
            }
        }

        return node;
    }

    private static JsonElement? Member(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? OptionalString(JsonElement node, string name, string path) => Member(node, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { } other => throw new FilterException($"{path}.{name}", $"must be a string, not {other.ValueKind.ToString().ToLowerInvariant()}"),
    };

    private static string RequiredString(JsonElement node, string name, string path) =>
        OptionalString(node, name, path) ?? throw new FilterException($"{path}.{name}", "is required");

    /// <summary>One key of the output object and how its value is made.</summary>
    private abstract record Output(string Key)
    {
        public abstract void Write(Utf8JsonWriter writer, JsonElement? input, TimeProvider time);

        public static Output Create(string key, string type, string? value, string path)
        {
            var at = $"{path}.Value";
            switch (type)
            {
                case "STRING" when value is not null && value.StartsWith("$.", StringComparison.Ordinal):
                    // The CreateTransformation example writes {"Value":"$.data","ValueType":"STRING"}: a path, stringified.
                    return new PathOutput(key, PathOf(value, at), Stringify: true);
                case "STRING":
                    return new ConstantOutput(key, JsonSerializer.Serialize(value ?? ""));
                case "NUMBER":
                    return value is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) && TransformOutput.IsJson(Encoding.UTF8.GetBytes(value.Trim()))
                        ? new ConstantOutput(key, value.Trim())
                        : throw new FilterException(at, $"'{value}' is not a number (ValueType NUMBER)");
                case "BOOLEAN":
                    return value is "true" or "false" ? new ConstantOutput(key, value) : throw new FilterException(at, $"'{value}' is not true or false (ValueType BOOLEAN)");
                case "NULL":
                    return new ConstantOutput(key, "null");
                case "SYS_VARIABLE":
                    return value == "date" ? new DateOutput(key) : throw new FilterException(at, $"'{value}' is not a system variable; the one there is: date");
                case "JSONPATH":
                    return new PathOutput(key, PathOf(value ?? "", at), Stringify: false);
                default:
                    throw new FilterException($"{path}.ValueType", $"'{type}' is not a value type; use STRING, NUMBER, BOOLEAN, NULL, SYS_VARIABLE or JSONPATH");
            }
        }

        private static JsonPathLite PathOf(string value, string path)
        {
            var parsed = JsonPathLite.Parse(value, path);
            return parsed.Ok ? parsed.Value! : throw new FilterException(parsed.Error!.Path, parsed.Error.Message);
        }
    }

    private sealed record ConstantOutput(string Key, string Json) : Output(Key)
    {
        public override void Write(Utf8JsonWriter writer, JsonElement? input, TimeProvider time) => writer.WriteRawValue(Json, skipInputValidation: true);
    }

    /// <summary>A JSONPATH output: the value as it is, or null when the path names nothing. STRING paths write its text.</summary>
    private sealed record PathOutput(string Key, JsonPathLite Path, bool Stringify) : Output(Key)
    {
        public override void Write(Utf8JsonWriter writer, JsonElement? input, TimeProvider time)
        {
            if (input is not { } root || !Path.TryEvaluate(root, out var value))
            {
                if (Stringify)
                {
                    writer.WriteStringValue("");
                }
                else
                {
                    writer.WriteNullValue();
                }
            }
            else if (Stringify)
            {
                writer.WriteStringValue(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
            }
            else
            {
                value.WriteTo(writer);
            }
        }
    }

    /// <summary>SYS_VARIABLE date: now, RFC 3339 with the offset of the clock's local time zone.</summary>
    private sealed record DateOutput(string Key) : Output(Key)
    {
        public override void Write(Utf8JsonWriter writer, JsonElement? input, TimeProvider time) =>
            writer.WriteStringValue(time.GetLocalNow().ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
    }
}
