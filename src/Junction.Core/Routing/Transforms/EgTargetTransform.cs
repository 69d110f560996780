using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Routing.Transforms;

/// <summary>
/// A Huawei EventGrid target's <c>transform</c> (spec/dataplane.md §2.7): <c>ORIGINAL</c> delivers the CloudEvent
/// unchanged, <c>CONSTANT</c> delivers <c>value</c>, <c>VARIABLE</c> renders <c>template</c> with the variables that
/// <c>value</c> defines (a JSON object of names to constants or JsonPaths over the whole CloudEvent).
/// </summary>
public sealed partial class EgTargetTransform
{
    public const int MaxValueLength = 1024;
    public const int MaxTemplateLength = 2048;
    public const int MaxVariables = 100;
    public const int MaxVariableName = 64;

    private readonly TransformOutput? _constant;
    private readonly Segment[] _template;

    private EgTargetTransform(string type, TransformOutput? constant, Segment[] template)
    {
        Type = type;
        _constant = constant;
        _template = template;
    }

    public string Type { get; }

    public static EgTargetTransform Original { get; } = new("ORIGINAL", null, []);

    public static Parsed<EgTargetTransform> Parse(string? type, string? value, string? template, string path = "transform")
    {
        try
        {
            return type switch
            {
                "ORIGINAL" => Original,
                "CONSTANT" => new EgTargetTransform(type, TransformOutput.OfText(Value(value, path, required: true)), []),
                "VARIABLE" => Variable(Value(value, path, required: true), template, path),
                null => new FilterError($"{path}.type", "is required: ORIGINAL, CONSTANT or VARIABLE"),
                _ => new FilterError($"{path}.type", $"'{type}' is not a transform type; use ORIGINAL, CONSTANT or VARIABLE"),
            };
        }
        catch (FilterException exception)
        {
            return exception.Error;
        }
    }

    /// <summary>
    /// What the target receives for this CloudEvent. A string the template reads that is no UTF-16 text (a lone
    /// surrogate escape) throws <see cref="InvalidOperationException"/>: ingest refuses such events.
    /// </summary>
    public TransformOutput Apply(JsonElement cloudEvent)
    {
        if (_constant is not null)
        {
            return _constant;
        }

        if (Type == "ORIGINAL")
        {
            return new TransformOutput(TransformOutput.CloudEvent, JsonMarshal.GetRawUtf8Value(cloudEvent).ToArray());
        }

        var text = new StringBuilder();
        foreach (var segment in _template)
        {
            if (segment.Path is null)
            {
                text.Append(segment.Text);
            }
            else if (segment.Path.TryEvaluate(cloudEvent, out var found))
            {
                // A string goes in as its text; anything else as its JSON. A missing path renders as nothing.
                text.Append(found.ValueKind == JsonValueKind.String ? found.GetString() : found.GetRawText());
            }
        }

        return TransformOutput.OfText(text.ToString());
    }

    private static string Value(string? value, string path, bool required)
    {
        if (string.IsNullOrEmpty(value))
        {
            return required ? throw new FilterException($"{path}.value", "is required for this transform type") : "";
        }

        return value.Length > MaxValueLength
            ? throw new FilterException($"{path}.value", $"is {value.Length} characters; at most {MaxValueLength}")
            : value;
    }

    private static EgTargetTransform Variable(string value, string? template, string path)
    {
        if (FilterJson.Parse(value, $"{path}.value") is not JsonObject definitions)
        {
            throw new FilterException($"{path}.value", "must be a JSON object of variable names to JsonPaths or constants, e.g. {\"name\":\"$.data.name\"}");
        }

        if (definitions.Count > MaxVariables)
        {
            throw new FilterException($"{path}.value", $"defines {definitions.Count} variables; at most {MaxVariables}");
        }

        // A variable is either a constant (rendered as it is) or a path; both become template segments.
        var variables = new Dictionary<string, Segment>(StringComparer.Ordinal);
        foreach (var (name, expression) in definitions)
        {
            var at = $"{path}.value.{name}";
            if (!VariableName().IsMatch(name) || name.StartsWith("HC.", StringComparison.Ordinal))
            {
                throw new FilterException(at, $"'{name}' is not a variable name: 1–{MaxVariableName} letters, digits, '.', '_' or '-', starting with a letter or digit, and not with HC.");
            }

            if (!FilterJson.IsString(expression, out var text))
            {
                throw new FilterException(at, $"must be a string (a JsonPath such as $.data.name, or a constant), not {FilterJson.Describe(expression)}; variables do not nest");
            }

            if (text.StartsWith('$'))
            {
                var parsed = JsonPathLite.Parse(text, at);
                variables[name] = parsed.Ok ? new Segment(null, parsed.Value) : throw new FilterException(parsed.Error!.Path, parsed.Error.Message);
            }
            else
            {
                variables[name] = text.Length <= JsonPathLite.MaxLength ? new Segment(text, null) : throw new FilterException(at, $"is {text.Length} characters; at most {JsonPathLite.MaxLength}");
            }
        }

        if (string.IsNullOrEmpty(template))
        {
            throw new FilterException($"{path}.template", "is required for VARIABLE: the text to render, with ${name} for each variable");
        }

        if (template.Length > MaxTemplateLength)
        {
            throw new FilterException($"{path}.template", $"is {template.Length} characters; at most {MaxTemplateLength}");
        }

        var segments = new List<Segment>();
        var last = 0;
        foreach (Match reference in Reference().Matches(template))
        {
            var name = reference.Groups[1].Value;
            if (!variables.TryGetValue(name, out var variable))
            {
                throw new FilterException($"{path}.template", $"uses ${{{name}}}, which value does not define");
            }

            segments.Add(new Segment(template[last..reference.Index], null));
            segments.Add(variable);
            last = reference.Index + reference.Length;
        }

        segments.Add(new Segment(template[last..], null));
        return new EgTargetTransform("VARIABLE", null, [.. segments.Where(s => s.Path is not null || s.Text!.Length > 0)]);
    }

    /// <summary>A piece of the template: literal text, or the value a path names.</summary>
    private sealed record Segment(string? Text, JsonPathLite? Path);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex VariableName();

    [GeneratedRegex(@"\$\{([^}]*)\}")]
    private static partial Regex Reference();
}
