using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck.Xunit;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Tests.Routing;

/// <summary>
/// Properties over generated events (FsCheck draws the seeds; each seed builds one event and one pattern):
/// a pattern built from an event matches it; negations are negations on present fields; the canonical form of a
/// filter evaluates as the filter does.
/// </summary>
public sealed class FilterPropertyTests
{
    private static readonly string[] s_words = ["alpha", "beta", "gamma", "delta", "Alpha", "", "a.b", "x-y", "10.0.0.7", "ünï"];

    private static JsonObject RandomEvent(Random random)
    {
        var data = new JsonObject();
        var fields = random.Next(1, 7);
        for (var i = 0; i < fields; i++)
        {
            data[$"f{i}"] = RandomValue(random, depth: 0);
        }

        return new JsonObject
        {
            ["source"] = s_words[random.Next(s_words.Length)],
            ["type"] = s_words[random.Next(s_words.Length)],
            ["subject"] = s_words[random.Next(s_words.Length)],
            ["data"] = data,
        };
    }

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth < 2 ? 7 : 5) switch
    {
        0 => JsonValue.Create(s_words[random.Next(s_words.Length)] + random.Next(3)),
        1 => JsonValue.Create(random.Next(-50, 50)),
        2 => JsonValue.Create(Math.Round(random.NextDouble() * 100, 2)),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 => null,
        5 => new JsonArray([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => JsonValue.Create(s_words[random.Next(s_words.Length)]))]),
        _ => new JsonObject { ["inner"] = RandomValue(random, depth + 1) },
    };

    /// <summary>An EB pattern leaf the value surely satisfies, in one of the operator forms that fit it.</summary>
    private static JsonNode MatchingLeaf(JsonNode? value, Random random)
    {
        switch (value)
        {
            case null:
                return random.Next(2) == 0 ? new JsonArray((JsonNode?)null) : new JsonArray(new JsonObject { ["exists"] = true });
            case JsonArray array:
                return new JsonArray(array[random.Next(array.Count)]!.DeepClone(), "never-there");
            case JsonObject obj:
                return new JsonObject { ["inner"] = MatchingLeaf(obj["inner"], random) };
        }

        var kind = value.GetValueKind();
        if (kind == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            var cut = random.Next(text.Length + 1);
            return random.Next(5) switch
            {
                0 => new JsonArray(new JsonObject { ["prefix"] = text[..cut] }),
                1 => new JsonArray(new JsonObject { ["suffix"] = text[cut..] }),
                2 => new JsonArray(new JsonObject { ["contains"] = text[(cut / 2)..cut] }),
                3 => new JsonArray(new JsonObject { ["anything-but"] = text + "!" }),
                _ => JsonValue.Create(text)!, // the scalar shorthand
            };
        }

        if (kind == JsonValueKind.Number)
        {
            var number = double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
            return random.Next(3) switch
            {
                0 => new JsonArray(value.DeepClone()),
                1 => new JsonArray(new JsonObject { ["numeric"] = new JsonArray(">=", number, "<", number + 1) }),
                _ => new JsonArray(new JsonObject { ["anything-but"] = new JsonArray(number + 0.5, "x") }),
            };
        }

        return new JsonArray(value.DeepClone());
    }

    [Property(MaxTest = 500)]
    public bool EbPattern_BuiltToMatchAnEvent_MatchesIt(int seed)
    {
        var random = new Random(seed);
        var e = RandomEvent(random);
        var pattern = new JsonObject { ["source"] = new JsonArray(e["source"]!.DeepClone()) };
        var data = new JsonObject();
        foreach (var (key, value) in e["data"]!.AsObject())
        {
            if (random.Next(3) > 0)
            {
                data[key] = MatchingLeaf(value, random);
            }
        }

        pattern["data"] = data;
        var parsed = EbEventPattern.Parse(pattern.ToJsonString());
        using var document = JsonDocument.Parse(e.ToJsonString());
        Assert.True(parsed.Ok && parsed.Value!.Filter.Matches(document.RootElement), $"{pattern.ToJsonString()} does not match {e.ToJsonString()}: {parsed.Error}");
        return true;
    }

    [Property(MaxTest = 500)]
    public bool EbAnythingBut_IsTheNegationOfExact_OnPresentFields(int seed)
    {
        var random = new Random(seed);
        var e = RandomEvent(random);
        var probe = random.Next(2) == 0 ? (JsonNode)JsonValue.Create(s_words[random.Next(s_words.Length)] + random.Next(3)) : JsonValue.Create(random.Next(-50, 50));
        using var document = JsonDocument.Parse(e.ToJsonString());
        foreach (var (key, value) in e["data"]!.AsObject())
        {
            if (value is null or JsonObject || value is JsonArray)
            {
                continue; // present scalars: anything-but is about values
            }

            var exact = EbEventPattern.Parse(Json.F("""{"data":{"<0>":[<1>]}}""", key, probe.ToJsonString())).Value!.Filter.Matches(document.RootElement);
            var not = EbEventPattern.Parse(Json.F("""{"data":{"<0>":[{"anything-but":<1>}]}}""", key, probe.ToJsonString())).Value!.Filter.Matches(document.RootElement);
            Assert.True(exact != not, $"exact and anything-but {probe.ToJsonString()} agree ({exact}) on data.{key} of {e.ToJsonString()}");
        }

        return true;
    }

    [Property(MaxTest = 300)]
    public bool EgNotOperators_AreNegations_OnPresentFieldsOfTheirType(int seed)
    {
        var random = new Random(seed);
        var e = RandomEvent(random);
        using var document = JsonDocument.Parse(e.ToJsonString());
        var word = s_words[random.Next(s_words.Length)];
        var number = random.Next(-50, 50);
        var n = number.ToString(CultureInfo.InvariantCulture);
        var n1 = (number + 1).ToString(CultureInfo.InvariantCulture);
        (string Positive, string Negative, string Operand, JsonValueKind Kind)[] pairs =
        [
            ("StringIn", "StringNotIn", $"\"values\":[\"{word}0\",\"{word}1\"]", JsonValueKind.String),
            ("StringStartsWith", "StringNotStartsWith", $"\"values\":[\"{word[..Math.Min(2, word.Length)]}\"]", JsonValueKind.String),
            ("StringEndsWith", "StringNotEndsWith", "\"values\":[\"1\"]", JsonValueKind.String),
            ("NumberIn", "NumberNotIn", $"\"values\":[{n}]", JsonValueKind.Number),
            ("NumberLessThan", "NumberNotLessThan", $"\"value\":{n}", JsonValueKind.Number),
            ("NumberGreaterThan", "NumberNotGreaterThan", $"\"value\":{n}", JsonValueKind.Number),
            ("NumberInRange", "NumberNotInRange", $"\"values\":[[{n},{n1}]]", JsonValueKind.Number),
        ];
        foreach (var (key, value) in e["data"]!.AsObject())
        {
            var kind = value is JsonValue v ? v.GetValueKind() : JsonValueKind.Undefined;
            foreach (var (positive, negative, operand, wanted) in pairs)
            {
                if (kind != wanted)
                {
                    continue;
                }

                bool Eval(string op) => EgFilterRule.Parse(Json.F("""{"source":[{"op":"StringIn","values":[<0>]}],"data":{"<1>":[{"op":"<2>",<3>}]}}""", e["source"]!.ToJsonString(), key, op, operand))
                    .Value!.Filter.Matches(document.RootElement);
                Assert.True(Eval(positive) != Eval(negative), $"{positive} and {negative} ({operand}) agree on data.{key} of {e.ToJsonString()}");
            }
        }

        return true;
    }

    [Property(MaxTest = 300)]
    public bool CanonicalForm_EvaluatesAsTheOriginal_AndIsAFixedPoint(int seed)
    {
        var random = new Random(seed);
        var e = RandomEvent(random);
        // A pattern with a duplicated key: the canonical form resolves it, and must still evaluate as the original.
        var key = $"f{random.Next(6)}";
        var text = $$"""{"data":{"{{key}}":[{"exists":true}],"{{key}}":{{MatchingLeaf(e["data"]![key], random).ToJsonString()}}},"source":[{"prefix":""}]}""";
        var original = EbEventPattern.Parse(text);
        var again = EbEventPattern.Parse(original.Value!.Canonical);
        var other = RandomEvent(new Random(seed + 1));
        using var first = JsonDocument.Parse(e.ToJsonString());
        using var second = JsonDocument.Parse(other.ToJsonString());
        Assert.True(original.Ok, $"{text}: {original.Error}");
        return again.Value!.Canonical == original.Value!.Canonical
            && again.Value.Filter.Matches(first.RootElement) == original.Value.Filter.Matches(first.RootElement)
            && again.Value.Filter.Matches(second.RootElement) == original.Value.Filter.Matches(second.RootElement);
    }
}
