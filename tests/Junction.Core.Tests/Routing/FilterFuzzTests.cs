using System.Text;
using System.Text.Json;
using Junction.Core.Routing.Filters;
using Junction.Core.Routing.Transforms;

namespace Junction.Core.Tests.Routing;

/// <summary>Malformed filters, patterns and transforms: always a <see cref="FilterError"/>, never an exception.</summary>
public sealed class FilterFuzzTests
{
    private static readonly string[] s_egSeeds =
    [
        """{"source":[{"op":"StringIn","values":["HC.OBS"]}],"type":[{"op":"StringNotIn","values":["object:get"]}],"data":{"a":{"b":[{"op":"NumberInRange","values":[[1,5]]}]},"c":{"and":[{"op":"IsNotNull"},{"op":"StringStartsWith","values":["x"]}]}}}""",
    ];

    private static readonly string[] s_ebSeeds =
    [
        """{"source":["cos.cloud.tencent"],"data":{"name":[{"prefix":"te"},{"anything-but":{"prefix":"x"}}],"n":[{"numeric":[">",0,"<=",5]}],"ip":[{"cidr":"10.0.0.0/24"}],"$or":[{"e":[{"exists":false}]},{"f":[null,true,1.5,""]}]}}""",
    ];

    private static readonly string[] s_tokens = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "null", "true", "1e999", "-", "\"op\"", "\"values\"", "\"and\"", "\"$or\"", "\"numeric\"", "\"data\"", " ", "\u0000", "\u00e9"];

    private static IEnumerable<byte[]> Mutations(string seed, int count, int rngSeed)
    {
        var random = new Random(rngSeed);
        var original = Encoding.UTF8.GetBytes(seed);
        for (var i = 0; i < count; i++)
        {
            var bytes = original.ToList();
            var edits = random.Next(1, 5);
            for (var k = 0; k < edits && bytes.Count > 0; k++)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(5))
                {
                    case 0: bytes.RemoveAt(at); break;
                    case 1: bytes[at] = (byte)random.Next(256); break;
                    case 2: bytes.InsertRange(at, Encoding.UTF8.GetBytes(s_tokens[random.Next(s_tokens.Length)])); break;
                    case 3: bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 20))); break;
                    default: var from = random.Next(bytes.Count); bytes.InsertRange(at, bytes.GetRange(from, Math.Min(10, bytes.Count - from))); break;
                }
            }

            yield return [.. bytes];
        }
    }

    private static void Evaluate(EventFilter filter)
    {
        using var document = JsonDocument.Parse("""{"source":"HC.OBS","type":"t","data":{"a":{"b":3},"c":"xyz","name":"test","n":2,"ip":"10.0.0.1","f":[1.5]}}""");
        filter.Matches(document.RootElement);
    }

    /// <summary>Parses every mutation; what is accepted is evaluated, what is refused must say why.</summary>
    private static void AssertAnswered(IEnumerable<byte[]> inputs, Func<byte[], (EventFilter? Filter, FilterError? Error)> parse, string pathStart)
    {
        var refused = 0;
        var total = 0;
        foreach (var bytes in inputs)
        {
            total++;
            var (filter, error) = parse(bytes);
            if (filter is not null)
            {
                Evaluate(filter);
                continue;
            }

            Assert.False(string.IsNullOrWhiteSpace(error!.Message));
            Assert.StartsWith(pathStart, error.Path, StringComparison.Ordinal);
            refused++;
        }

        Assert.True(refused > total / 3, $"only {refused} of {total} mutations were refused: the mutator is not reaching validation");
    }

    [Fact]
    public void EgFilters_Mutated_AreAnsweredNeverThrown() =>
        AssertAnswered(s_egSeeds.SelectMany(s => Mutations(s, 3000, 1)), bytes =>
        {
            var parsed = EgFilterRule.Parse(bytes);
            return (parsed.Value?.Filter, parsed.Error);
        }, "filter");

    [Fact]
    public void EbPatterns_Mutated_AreAnsweredNeverThrown() =>
        AssertAnswered(s_ebSeeds.SelectMany(s => Mutations(s, 3000, 2)), bytes =>
        {
            var parsed = EbEventPattern.Parse(bytes);
            return (parsed.Value?.Filter, parsed.Error);
        }, "EventPattern");

    [Fact]
    public void EbTransformations_Mutated_AreAnsweredNeverThrown()
    {
        const string seed = """{"Extraction":{"ExtractionInputPath":"$.data.msgBody","Format":"JSON"},"EtlFilter":{"Filter":"{\"city\":[{\"contain\":\"shen\"}]}"},"Transform":{"OutputStructs":[{"Key":"city","Value":"$.city","ValueType":"JSONPATH"},{"Key":"const","Value":"11","ValueType":"NUMBER"}]}}""";
        using var input = JsonDocument.Parse("""{"data":{"msgBody":"{\"city\":\"shenzhen\"}"}}""");
        foreach (var bytes in Mutations(seed, 2000, 3))
        {
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                continue; // the face refuses a body that is not UTF-8 before a transformation is read
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes);
            }
            catch (JsonException)
            {
                continue; // the face refuses a body that is not JSON before a transformation is read
            }

            using (document)
            {
                var parsed = EbTransformation.Parse(document.RootElement);
                if (parsed.Ok)
                {
                    parsed.Value!.Apply(input.RootElement, TimeProvider.System);
                }
                else
                {
                    Assert.False(string.IsNullOrWhiteSpace(parsed.Error!.Message));
                }
            }
        }
    }

    [Fact]
    public void EgTransforms_RandomText_AreAnsweredNeverThrown()
    {
        var random = new Random(4);
        using var cloudEvent = JsonDocument.Parse("""{"source":"s","data":{"name":"n"}}""");
        foreach (var bytes in Mutations("""{"name":"$.data.name","k":"$['a'][0]"}""", 2000, 5))
        {
            var text = Encoding.UTF8.GetString(bytes);
            var parsed = EgTargetTransform.Parse("VARIABLE", text, random.Next(2) == 0 ? "${name}" : "x ${k} ${", "transform");
            if (parsed.Ok)
            {
                parsed.Value!.Apply(cloudEvent.RootElement);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(parsed.Error!.Message));
            }
        }
    }
}
