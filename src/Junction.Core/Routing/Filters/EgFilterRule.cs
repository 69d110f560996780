using System.Text;
using System.Text.Json.Nodes;

namespace Junction.Core.Routing.Filters;

/// <summary>
/// A Huawei EventGrid subscription filter rule (spec/dataplane.md §2.6): named operators over <c>source</c>,
/// <c>type</c>, <c>subject</c> and nested <c>data</c> fields, each field an OR-ed array of conditions or an
/// <c>{"and":[…]}</c> / <c>{"or":[…]}</c> object; fields AND-ed. Parsed once (on subscription create or update) into an
/// <see cref="EventFilter"/>; refused with a <see cref="FilterError"/> naming the path and the rule broken.
/// </summary>
public sealed class EgFilterRule
{
    public const int MaxSerializedBytes = 2048;
    public const int MaxDataFields = 5;
    public const int MaxDataDepth = 5;
    public const int MaxConditions = 5;

    private static readonly string[] s_topLevel = ["source", "type", "subject", "data"];

    private EgFilterRule(EventFilter filter, string canonical)
    {
        Filter = filter;
        Canonical = canonical;
    }

    /// <summary>The compiled predicate, evaluated over the CloudEvent.</summary>
    public EventFilter Filter { get; }

    /// <summary>The rule as compact JSON with duplicate keys resolved (the last wins): what is stored and answered.</summary>
    public string Canonical { get; }

    public static Parsed<EgFilterRule> Parse(string json, string path = "filter") => Parse(Encoding.UTF8.GetBytes(json), path);

    public static Parsed<EgFilterRule> Parse(ReadOnlySpan<byte> utf8, string path = "filter")
    {
        try
        {
            // Refuse what cannot fit before reading it: whitespace aside, a rule is at most 2,048 bytes.
            if (utf8.Length > 16 * MaxSerializedBytes)
            {
                return new FilterError(path, $"is {utf8.Length} bytes; a filter rule is at most {MaxSerializedBytes} bytes serialized");
            }

            return Compile(FilterJson.Parse(utf8, path), path);
        }
        catch (FilterException exception)
        {
            return exception.Error;
        }
    }

    /// <summary>Compiles a rule already read into a node (a subscription body carries it as an object).</summary>
    public static Parsed<EgFilterRule> Parse(JsonNode? node, string path = "filter")
    {
        try
        {
            // Re-read through the last-wins reader so a node built elsewhere gets the same canonical form.
            return Compile(FilterJson.Parse(FilterJson.Compact(node), path), path);
        }
        catch (FilterException exception)
        {
            return exception.Error;
        }
    }

    private static EgFilterRule Compile(JsonNode? root, string path)
    {
        if (root is not JsonObject rule)
        {
            throw new FilterException(path, $"must be a JSON object, not {FilterJson.Describe(root)}");
        }

        var canonical = FilterJson.Compact(rule);
        var size = Encoding.UTF8.GetByteCount(canonical);
        if (size > MaxSerializedBytes)
        {
            throw new FilterException(path, $"is {size} bytes serialized; a filter rule is at most {MaxSerializedBytes} bytes");
        }

        foreach (var (key, _) in rule)
        {
            if (!s_topLevel.Contains(key, StringComparer.Ordinal))
            {
                throw new FilterException($"{path}.{key}", "is not allowed: the top level of a filter rule may hold only source, type, subject and data");
            }
        }

        if (!rule.ContainsKey("source"))
        {
            throw new FilterException($"{path}.source", "is required: every filter rule names the event sources it takes (StringIn)");
        }

        var parts = new List<EventFilter>();
        foreach (var (key, value) in rule)
        {
            if (key == "data")
            {
                if (value is not JsonObject data)
                {
                    throw new FilterException($"{path}.data", $"must be an object of data fields, not {FilterJson.Describe(value)}");
                }

                var fields = 0;
                Data(data, ["data"], $"{path}.data", 1, ref fields, parts);
            }
            else
            {
                parts.Add(Leaf(value, [key], $"{path}.{key}", sourceOnly: key == "source"));
            }
        }

        return new EgFilterRule(EventFilter.All(parts), canonical);
    }

    private static void Data(JsonObject node, string[] at, string path, int depth, ref int fields, List<EventFilter> parts)
    {
        foreach (var (key, value) in node)
        {
            var childPath = $"{path}.{key}";
            if (depth > MaxDataDepth)
            {
                throw new FilterException(childPath, $"is nested {depth} levels inside data; at most {MaxDataDepth} levels");
            }

            string[] child = [.. at, key];
            if (IsLeaf(value))
            {
                if (++fields > MaxDataFields)
                {
                    throw new FilterException(childPath, $"is data field number {fields}; a filter rule matches at most {MaxDataFields} data fields");
                }

                parts.Add(Leaf(value, child, childPath, sourceOnly: false));
            }
            else if (value is JsonObject nested)
            {
                Data(nested, child, childPath, depth + 1, ref fields, parts);
            }
            else
            {
                throw new FilterException(childPath, $"must be an array of conditions, an {{\"and\":[…]}} or {{\"or\":[…]}} object, or a nested object, not {FilterJson.Describe(value)}");
            }
        }
    }

    /// <summary>An array of conditions, or an object whose only key is <c>and</c> or <c>or</c> holding an array.</summary>
    private static bool IsLeaf(JsonNode? node) =>
        node is JsonArray || (node is JsonObject { Count: 1 } o && (o["and"] ?? o["or"]) is JsonArray);

    private static EventFilter Leaf(JsonNode? node, string[] field, string path, bool sourceOnly)
    {
        JsonArray conditions;
        bool all;
        if (node is JsonArray array)
        {
            (conditions, all) = (array, false);
        }
        else if (node is JsonObject { Count: 1 } combined && (combined["and"] ?? combined["or"]) is JsonArray inner)
        {
            (conditions, all) = (inner, combined.ContainsKey("and"));
            path += all ? ".and" : ".or";
        }
        else
        {
            throw new FilterException(path, $"must be an array of conditions or an {{\"and\":[…]}} or {{\"or\":[…]}} object, not {FilterJson.Describe(node)}");
        }

        if (conditions.Count == 0)
        {
            throw new FilterException(path, "holds no condition; give 1 to 5");
        }

        if (conditions.Count > MaxConditions)
        {
            throw new FilterException(path, $"holds {conditions.Count} conditions; a field has at most {MaxConditions}");
        }

        var parts = new List<EventFilter>(conditions.Count);
        for (var i = 0; i < conditions.Count; i++)
        {
            parts.Add(Condition(conditions[i], field, $"{path}[{i}]", sourceOnly));
        }

        return all ? EventFilter.All(parts) : EventFilter.Any(parts);
    }

    private static EventFilter Condition(JsonNode? node, string[] field, string path, bool sourceOnly)
    {
        if (node is not JsonObject condition)
        {
            throw new FilterException(path, $"must be a condition object {{\"op\":…, \"values\":[…]}}, not {FilterJson.Describe(node)}");
        }

        foreach (var (key, _) in condition)
        {
            if (key is not ("op" or "values" or "value"))
            {
                throw new FilterException($"{path}.{key}", "is not a condition key; a condition has op and, as its operator needs, values or value");
            }
        }

        if (!FilterJson.IsString(condition["op"], out var op))
        {
            throw new FilterException($"{path}.op", condition.ContainsKey("op") ? $"must be a string, not {FilterJson.Describe(condition["op"])}" : "is required");
        }

        if (sourceOnly && op != "StringIn")
        {
            throw new FilterException($"{path}.op", $"is {op}; source supports only StringIn");
        }

        FieldFilter Some(ValueTest test) => new(field, FieldQuantifier.Some, test);
        FieldFilter None(ValueTest test) => new(field, FieldQuantifier.None, test);
        return op switch
        {
            "StringIn" => Some(new StringEqualsTest(Strings(condition, path))),
            "StringNotIn" => None(new StringEqualsTest(Strings(condition, path))),
            "StringStartsWith" => Some(new StringPartTest(StringMatch.Prefix, Strings(condition, path))),
            "StringNotStartsWith" => None(new StringPartTest(StringMatch.Prefix, Strings(condition, path))),
            "StringEndsWith" => Some(new StringPartTest(StringMatch.Suffix, Strings(condition, path))),
            "StringNotEndsWith" => None(new StringPartTest(StringMatch.Suffix, Strings(condition, path))),
            "NumberIn" => Some(NumberIn(condition, path)),
            "NumberNotIn" => None(NumberIn(condition, path)),
            "NumberLessThan" => Some(Compare(NumberOperator.Less, condition, path)),
            "NumberNotLessThan" => None(Compare(NumberOperator.Less, condition, path)),
            "NumberGreaterThan" => Some(Compare(NumberOperator.Greater, condition, path)),
            "NumberNotGreaterThan" => None(Compare(NumberOperator.Greater, condition, path)),
            "NumberInRange" => Some(Ranges(condition, path)),
            "NumberNotInRange" => None(Ranges(condition, path)),
            "IsNull" => NoOperand(condition, path, new AnyOfFilter([new PresenceFilter(field, false), Some(new NullTest(true))])),
            "IsNotNull" => NoOperand(condition, path, Some(new NullTest(false))),
            "IsTrue" => NoOperand(condition, path, Some(new BooleanTest(true))),
            "IsNotTrue" => NoOperand(condition, path, Some(new BooleanTest(false))),
            _ => throw new FilterException($"{path}.op", $"'{op}' is not an operator; use StringIn, StringNotIn, StringStartsWith, StringNotStartsWith, StringEndsWith, StringNotEndsWith, NumberIn, NumberNotIn, NumberLessThan, NumberNotLessThan, NumberGreaterThan, NumberNotGreaterThan, NumberInRange, NumberNotInRange, IsNull, IsNotNull, IsTrue or IsNotTrue"),
        };
    }

    private static JsonArray Values(JsonObject condition, string path)
    {
        if (condition["values"] is not JsonArray values)
        {
            throw new FilterException($"{path}.values", condition["values"] is null ? "is required: an array of values" : $"must be an array, not {FilterJson.Describe(condition["values"])}");
        }

        if (values.Count == 0)
        {
            throw new FilterException($"{path}.values", "is empty; give at least one value");
        }

        if (condition["value"] is not null)
        {
            throw new FilterException($"{path}.value", "is not taken by this operator; it takes values");
        }

        return values;
    }

    private static string[] Strings(JsonObject condition, string path) =>
        [.. Values(condition, path).Select((v, i) => FilterJson.IsString(v, out var s) ? s : throw new FilterException($"{path}.values[{i}]", $"must be a string, not {FilterJson.Describe(v)}"))];

    private static FilterNumber Number(JsonNode? node, string path) =>
        FilterJson.IsNumber(node, out var number) ? number : throw new FilterException(path, $"must be a finite number, not {FilterJson.Describe(node)}");

    private static ValueTest NumberIn(JsonObject condition, string path)
    {
        var values = Values(condition, path);
        return AnyOfTest.Of([.. values.Select((v, i) => (ValueTest)new NumberTest([new(NumberOperator.Equal, Number(v, $"{path}.values[{i}]"))]))]);
    }

    /// <summary>The single-bound comparisons take <c>value</c>; <c>values</c> with exactly one number is taken too.</summary>
    private static NumberTest Compare(NumberOperator op, JsonObject condition, string path)
    {
        if (condition["value"] is { } value)
        {
            if (condition["values"] is not null)
            {
                throw new FilterException($"{path}.values", "is not taken with value; give one of them");
            }

            return new NumberTest([new(op, Number(value, $"{path}.value"))]);
        }

        if (condition["values"] is JsonArray { Count: 1 } one)
        {
            return new NumberTest([new(op, Number(one[0], $"{path}.values[0]"))]);
        }

        throw new FilterException($"{path}.value", "is required: the number to compare with");
    }

    private static ValueTest Ranges(JsonObject condition, string path)
    {
        var values = Values(condition, path);
        var ranges = new List<ValueTest>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            var at = $"{path}.values[{i}]";
            if (values[i] is not JsonArray { Count: 2 } pair)
            {
                throw new FilterException(at, $"must be a range [low, high], not {FilterJson.Describe(values[i])}");
            }

            var low = Number(pair[0], $"{at}[0]");
            var high = Number(pair[1], $"{at}[1]");
            if (low.Double > high.Double)
            {
                throw new FilterException(at, $"is an empty range: {low} is above {high}");
            }

            // Both bounds inclusive (docs/events.md).
            ranges.Add(new NumberTest([new(NumberOperator.GreaterOrEqual, low), new(NumberOperator.LessOrEqual, high)]));
        }

        return AnyOfTest.Of(ranges);
    }

    private static EventFilter NoOperand(JsonObject condition, string path, EventFilter filter)
    {
        if (condition["values"] is not null || condition["value"] is not null)
        {
            throw new FilterException(path, $"{condition["op"]} takes no values");
        }

        return filter;
    }
}
