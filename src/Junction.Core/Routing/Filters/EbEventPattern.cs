using System.Net;
using System.Text.Json;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Core.Networks;

namespace Junction.Core.Routing.Filters;

/// <summary>
/// A Tencent EventBridge event pattern (spec/dataplane.md §3.5), the AWS-style language: keys AND-ed, the values of a
/// leaf array OR-ed, a scalar taken as a one-value array, and the operators <c>prefix</c>, <c>suffix</c>,
/// <c>contains</c> (also <c>contain</c>), <c>anything-but</c>, <c>numeric</c>, <c>cidr</c>, <c>exists</c> and
/// <c>$or</c>. Top-level keys name fields of the delivered envelope (<c>source</c>, <c>type</c>, <c>data</c>, …).
/// Also the syntax of a transformation's <c>EtlFilter</c>.
/// </summary>
public sealed class EbEventPattern
{
    private EbEventPattern(EventFilter filter, string canonical)
    {
        Filter = filter;
        Canonical = canonical;
    }

    public EventFilter Filter { get; }

    /// <summary>The pattern as compact JSON with duplicate keys resolved (the last wins).</summary>
    public string Canonical { get; }

    public static Parsed<EbEventPattern> Parse(string json, string path = "EventPattern") => Parse(Encoding.UTF8.GetBytes(json), path);

    public static Parsed<EbEventPattern> Parse(ReadOnlySpan<byte> utf8, string path = "EventPattern")
    {
        try
        {
            var root = FilterJson.Parse(utf8, path);
            if (root is not JsonObject pattern)
            {
                return new FilterError(path, $"must be a JSON object, not {FilterJson.Describe(root)}");
            }

            return new EbEventPattern(Object(pattern, [], path), FilterJson.Compact(pattern));
        }
        catch (FilterException exception)
        {
            return exception.Error;
        }
    }

    private static EventFilter Object(JsonObject node, string[] at, string path)
    {
        var parts = new List<EventFilter>(node.Count);
        foreach (var (key, value) in node)
        {
            var childPath = $"{path}.{key}";
            if (key == "$or")
            {
                if (value is not JsonArray { Count: > 0 } alternatives)
                {
                    throw new FilterException(childPath, $"must be a non-empty array of patterns, not {FilterJson.Describe(value)}");
                }

                var options = new List<EventFilter>(alternatives.Count);
                for (var i = 0; i < alternatives.Count; i++)
                {
                    options.Add(alternatives[i] is JsonObject alternative
                        ? Object(alternative, at, $"{childPath}[{i}]")
                        : throw new FilterException($"{childPath}[{i}]", $"must be a pattern object, not {FilterJson.Describe(alternatives[i])}"));
                }

                parts.Add(EventFilter.Any(options));
                continue;
            }

            string[] field = [.. at, key];
            parts.Add(value switch
            {
                JsonObject nested => Object(nested, field, childPath),
                JsonArray values => Leaf(values, field, childPath),
                _ => Leaf(new JsonArray(value?.DeepClone()), field, childPath), // the scalar shorthand: "source": "x" is ["x"]
            });
        }

        return EventFilter.All(parts);
    }

    private static EventFilter Leaf(JsonArray values, string[] field, string path)
    {
        if (values.Count == 0)
        {
            throw new FilterException(path, "is an empty array, which matches nothing; give at least one value or operator");
        }

        var strings = new List<string>();
        var positive = new List<ValueTest>();
        var others = new List<EventFilter>();
        for (var i = 0; i < values.Count; i++)
        {
            var at = $"{path}[{i}]";
            var value = values[i];
            if (FilterJson.IsString(value, out var text))
            {
                strings.Add(text);
            }
            else if (FilterJson.IsNumber(value, out var number))
            {
                positive.Add(new NumberTest([new(NumberOperator.Equal, number)]));
            }
            else if (FilterJson.IsBoolean(value, out var flag))
            {
                positive.Add(new BooleanTest(flag));
            }
            else if (value is null)
            {
                positive.Add(new NullTest(true));
            }
            else if (value is JsonObject { Count: 1 } op)
            {
                Operator(op, field, at, positive, others);
            }
            else if (value is JsonObject)
            {
                throw new FilterException(at, "must hold exactly one operator, such as {\"prefix\":\"abc\"}");
            }
            else
            {
                throw new FilterException(at, $"must be a value or an operator object, not {FilterJson.Describe(value)}");
            }
        }

        if (strings.Count > 0)
        {
            positive.Insert(0, new StringEqualsTest([.. strings]));
        }

        if (positive.Count > 0)
        {
            others.Insert(0, new FieldFilter(field, FieldQuantifier.Some, AnyOfTest.Of(positive)));
        }

        return EventFilter.Any(others);
    }

    private static void Operator(JsonObject op, string[] field, string path, List<ValueTest> positive, List<EventFilter> others)
    {
        var (name, operand) = op.First();
        var at = $"{path}.{name}";
        switch (name)
        {
            case "prefix":
                positive.Add(new StringPartTest(StringMatch.Prefix, [Text(operand, at)]));
                break;
            case "suffix":
                positive.Add(new StringPartTest(StringMatch.Suffix, [Text(operand, at)]));
                break;
            case "contains" or "contain":
                positive.Add(new StringPartTest(StringMatch.Contains, [Text(operand, at)]));
                break;
            case "numeric":
                positive.Add(Numeric(operand, at));
                break;
            case "cidr":
                positive.Add(new CidrTest([Network(operand, at)]));
                break;
            case "exists":
                others.Add(FilterJson.IsBoolean(operand, out var exists)
                    ? new PresenceFilter(field, exists)
                    : throw new FilterException(at, $"must be true or false, not {FilterJson.Describe(operand)}"));
                break;
            case "anything-but":
                others.Add(new FieldFilter(field, FieldQuantifier.None, AnythingBut(operand, at)));
                break;
            default:
                throw new FilterException(at, $"'{name}' is not an operator; use prefix, suffix, contains, anything-but, numeric, cidr or exists");
        }
    }

    private static string Text(JsonNode? operand, string path) =>
        FilterJson.IsString(operand, out var text) ? text : throw new FilterException(path, $"must be a string, not {FilterJson.Describe(operand)}");

    /// <summary><c>anything-but</c>: a value, a list of values, or <c>{"prefix": s}</c> / <c>{"suffix": s}</c>.</summary>
    private static ValueTest AnythingBut(JsonNode? operand, string path)
    {
        if (operand is JsonObject { Count: 1 } inner && inner.First() is var (name, value) && name is "prefix" or "suffix")
        {
            return new StringPartTest(name == "prefix" ? StringMatch.Prefix : StringMatch.Suffix, [Text(value, $"{path}.{name}")]);
        }

        if (operand is JsonObject)
        {
            throw new FilterException(path, "takes a value, a list of values, or {\"prefix\": …} / {\"suffix\": …}");
        }

        JsonNode?[] items = operand is JsonArray list ? [.. list] : [operand];
        if (items.Length == 0)
        {
            throw new FilterException(path, "is an empty list; give the values to exclude");
        }

        var strings = new List<string>();
        var tests = new List<ValueTest>();
        for (var i = 0; i < items.Length; i++)
        {
            if (FilterJson.IsString(items[i], out var text))
            {
                strings.Add(text);
            }
            else if (FilterJson.IsNumber(items[i], out var number))
            {
                tests.Add(new NumberTest([new(NumberOperator.Equal, number)]));
            }
            else
            {
                throw new FilterException(operand is JsonArray ? $"{path}[{i}]" : path, $"must be a string or a number, not {FilterJson.Describe(items[i])}");
            }
        }

        if (strings.Count > 0)
        {
            tests.Insert(0, new StringEqualsTest([.. strings]));
        }

        // anything-but is about every value: a present field of any kind that equals none of the listed ones.
        return new ExcludingTest(AnyOfTest.Of(tests));
    }

    /// <summary><c>numeric</c>: one or two <c>operator, number</c> pairs, all of which must hold.</summary>
    private static NumberTest Numeric(JsonNode? operand, string path)
    {
        if (operand is not JsonArray { Count: 2 or 4 } items)
        {
            throw new FilterException(path, "must be [operator, number] or [operator, number, operator, number], e.g. [\">\", 0, \"<=\", 5]");
        }

        var comparisons = new NumberComparison[items.Count / 2];
        for (var i = 0; i < items.Count; i += 2)
        {
            var op = FilterJson.IsString(items[i], out var text) ? text : null;
            NumberOperator kind = op switch
            {
                "=" => NumberOperator.Equal,
                "!=" => NumberOperator.NotEqual,
                "<" => NumberOperator.Less,
                "<=" => NumberOperator.LessOrEqual,
                ">" => NumberOperator.Greater,
                ">=" => NumberOperator.GreaterOrEqual,
                _ => throw new FilterException($"{path}[{i}]", $"must be one of = != < <= > >=, not {(op is null ? FilterJson.Describe(items[i]) : $"'{op}'")}"),
            };
            comparisons[i / 2] = new NumberComparison(kind, FilterJson.IsNumber(items[i + 1], out var number)
                ? number
                : throw new FilterException($"{path}[{i + 1}]", $"must be a finite number, not {FilterJson.Describe(items[i + 1])}"));
        }

        return new NumberTest(comparisons);
    }

    private static IPNetwork Network(JsonNode? operand, string path)
    {
        var text = Text(operand, path);
        if (!text.Contains('/', StringComparison.Ordinal) || !Cidr.TryParse(text, out var cidr))
        {
            throw new FilterException(path, $"'{text}' is not a CIDR block such as 10.0.0.0/24");
        }

        return cidr.Value;
    }
}

/// <summary>The value of <c>anything-but</c> with values: applies to every kind, so a number is "anything but" a string.</summary>
public sealed class ExcludingTest(ValueTest excluded) : ValueTest
{
    public ValueTest Excluded => excluded;

    public override bool Applies(JsonValueKind kind) => true;

    public override bool Matches(JsonElement value) => excluded.Applies(value.ValueKind) && excluded.Matches(value);
}
