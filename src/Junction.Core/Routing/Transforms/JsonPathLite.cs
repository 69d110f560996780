using System.Globalization;
using System.Text.Json;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Routing.Transforms;

/// <summary>
/// The small JsonPath subset both clouds' transforms use (docs/events.md): <c>$</c> (or <c>$.</c>) is the whole
/// document, <c>.name</c> a member, <c>['name']</c> or <c>["name"]</c> a member whose name has dots or brackets, and
/// <c>[n]</c> an array element (from 0). No wildcards, slices, filters or recursion: each path names one value or none.
/// </summary>
public sealed class JsonPathLite
{
    public const int MaxLength = 1024;

    private readonly Step[] _steps;

    private JsonPathLite(string text, Step[] steps)
    {
        Text = text;
        _steps = steps;
    }

    public string Text { get; }

    public static Parsed<JsonPathLite> Parse(string text, string path)
    {
        if (text.Length > MaxLength)
        {
            return new FilterError(path, $"is {text.Length} characters; a JsonPath is at most {MaxLength}");
        }

        if (text.Length == 0 || text[0] != '$')
        {
            return new FilterError(path, $"'{text}' is not a JsonPath: it must start with $ (e.g. $.data.name)");
        }

        var steps = new List<Step>();
        var i = 1;
        if (text == "$.")
        {
            return new JsonPathLite(text, []);
        }

        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var end = i + 1;
                while (end < text.Length && text[end] is not ('.' or '['))
                {
                    end++;
                }

                if (end == i + 1)
                {
                    return new FilterError(path, $"'{text}' has an empty member name at character {i + 1}");
                }

                steps.Add(new Step(text[(i + 1)..end], -1));
                i = end;
            }
            else if (text[i] == '[')
            {
                var close = text.IndexOf(']', i);
                if (close < 0)
                {
                    return new FilterError(path, $"'{text}' has a [ at character {i + 1} that is never closed");
                }

                var inside = text[(i + 1)..close];
                if (inside.Length >= 2 && inside[0] is '\'' or '"' && inside[^1] == inside[0])
                {
                    steps.Add(new Step(inside[1..^1], -1));
                }
                else if (int.TryParse(inside, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(new Step(null, index));
                }
                else
                {
                    return new FilterError(path, $"'{text}' has [{inside}], which is neither an index (0, 1, …) nor a quoted name; wildcards and filters are not supported");
                }

                i = close + 1;
            }
            else
            {
                return new FilterError(path, $"'{text}' has '{text[i]}' at character {i + 1} where . or [ was expected");
            }
        }

        return new JsonPathLite(text, [.. steps]);
    }

    /// <summary>The value the path names, or false when some step is missing (a missing member, an index past the end).</summary>
    public bool TryEvaluate(JsonElement root, out JsonElement value)
    {
        value = root;
        foreach (var step in _steps)
        {
            if (step.Name is { } name)
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value))
                {
                    return false;
                }
            }
            else if (value.ValueKind != JsonValueKind.Array || step.Index >= value.GetArrayLength())
            {
                return false;
            }
            else
            {
                value = value[step.Index];
            }
        }

        return true;
    }

    public override string ToString() => Text;

    private readonly record struct Step(string? Name, int Index);
}
