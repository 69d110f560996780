using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Core.Routing.Transforms;

namespace Junction.Core.Tests.Routing;

public sealed class TransformTests
{
    private const string CloudEvent = """{"id":"e1","source":"HC.OBS","specversion":"1.0","type":"object:put","data":{"name":"test01","size":10,"tags":["a","b"]}}""";

    private static TransformOutput Eg(string type, string? value, string? template, string @event = CloudEvent)
    {
        var parsed = EgTargetTransform.Parse(type, value, template);
        Assert.True(parsed.Ok, parsed.Error?.ToString());
        using var document = JsonDocument.Parse(@event);
        return parsed.Value!.Apply(document.RootElement);
    }

    [Fact]
    public void EgVariable_DocumentedExample()
    {
        var output = Eg("VARIABLE", """{"name":"$.data.name"}""", "My name is ${name}");
        Assert.Equal("My name is test01", output.BodyText);
        Assert.Equal(TransformOutput.Text, output.ContentType);
    }

    [Fact]
    public void EgVariable_JsonTemplate_IsJson_AndValuesKeepTheirJson()
    {
        var output = Eg("VARIABLE", """{"name":"$.data.name","size":"$.data.size","tags":"$.data.tags","first":"$.data.tags[0]","src":"$.source","k":"fixed","none":"$.data.missing"}""",
            """{"name":"${name}","size":${size},"tags":${tags},"first":"${first}","src":"${src}","k":"${k}","none":"${none}"}""");
        Assert.Equal(TransformOutput.Json, output.ContentType);
        Assert.Equal("""{"name":"test01","size":10,"tags":["a","b"],"first":"a","src":"HC.OBS","k":"fixed","none":""}""", output.BodyText);
    }

    [Fact]
    public void EgConstant_And_Original()
    {
        Assert.Equal("""{"hello":"world"}""", Eg("CONSTANT", """{"hello":"world"}""", null).BodyText);
        Assert.Equal(TransformOutput.Json, Eg("CONSTANT", """{"hello":"world"}""", null).ContentType);
        Assert.Equal(TransformOutput.Text, Eg("CONSTANT", "ping", null).ContentType);
        var original = Eg("ORIGINAL", null, null);
        Assert.Equal(CloudEvent, original.BodyText);
        Assert.Equal(TransformOutput.CloudEvent, original.ContentType);
    }

    [Theory]
    [InlineData(null, null, null, "transform.type", "is required")]
    [InlineData("TEMPLATE", null, null, "transform.type", "not a transform type")]
    [InlineData("CONSTANT", null, null, "transform.value", "is required")]
    [InlineData("VARIABLE", """{"name":"$.data.name"}""", null, "transform.template", "is required")]
    [InlineData("VARIABLE", """["$.a"]""", "x", "transform.value", "must be a JSON object")]
    [InlineData("VARIABLE", """{"HC.name":"$.a"}""", "x", "transform.value.HC.name", "not a variable name")]
    [InlineData("VARIABLE", """{"-x":"$.a"}""", "x", "transform.value.-x", "not a variable name")]
    [InlineData("VARIABLE", """{"n":{"a":"$.a"}}""", "x", "transform.value.n", "variables do not nest")]
    [InlineData("VARIABLE", """{"n":"$.a[x]"}""", "${n}", "transform.value.n", "neither an index")]
    [InlineData("VARIABLE", """{"n":"$.a"}""", "${m}", "transform.template", "uses ${m}, which value does not define")]
    public void EgInvalid(string? type, string? value, string? template, string path, string message)
    {
        var parsed = EgTargetTransform.Parse(type, value, template);
        Assert.False(parsed.Ok);
        Assert.Equal(path, parsed.Error!.Path);
        Assert.Contains(message, parsed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EgLimits()
    {
        Assert.Contains("at most 1024", EgTargetTransform.Parse("CONSTANT", new string('x', 1025), null).Error!.Message, StringComparison.Ordinal);
        Assert.True(EgTargetTransform.Parse("CONSTANT", new string('x', 1024), null).Ok);
        Assert.Contains("at most 2048", EgTargetTransform.Parse("VARIABLE", """{"n":"$.a"}""", new string('x', 2049)).Error!.Message, StringComparison.Ordinal);
        var hundredOne = "{" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"v{i}\":\"c\"")) + "}";
        Assert.Contains("at most 100", EgTargetTransform.Parse("VARIABLE", hundredOne, "x").Error!.Message, StringComparison.Ordinal);
        Assert.Contains("not a variable name", EgTargetTransform.Parse("VARIABLE", $$"""{"{{new string('n', 65)}}":"c"}""", "x").Error!.Message, StringComparison.Ordinal);
    }

    private static EbTransformation Eb(string json)
    {
        using var document = JsonDocument.Parse(json);
        var parsed = EbTransformation.Parse(document.RootElement.Clone());
        Assert.True(parsed.Ok, parsed.Error?.ToString());
        return parsed.Value!;
    }

    private static TransformOutput? Apply(EbTransformation transformation, string input, TimeProvider? time = null)
    {
        using var document = JsonDocument.Parse(input);
        return transformation.Apply(document.RootElement, time ?? TimeProvider.System);
    }

    [Fact]
    public void EbCheckTransformation_DocumentedExample()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2021, 11, 20, 6, 16, 6, TimeSpan.Zero));
        time.SetLocalTimeZone(TimeZoneInfo.CreateCustomTimeZone("UTC+8", TimeSpan.FromHours(8), "UTC+8", "UTC+8"));
        var transformation = Eb("""
            {"Extraction":{"ExtractionInputPath":"$.data.msgBody","Format":"JSON"},
             "EtlFilter":{"Filter":"{\"city\":[{\"contain\":\"shen\"}]}"},
             "Transform":{"OutputStructs":[{"Key":"city","Value":"$.city","ValueType":"JSONPATH"},
                                           {"Key":"const","Value":"11","ValueType":"NUMBER"},
                                           {"Key":"sdate","Value":"date","ValueType":"SYS_VARIABLE"}]}}
            """);
        var output = Apply(transformation, """{"data":{"msgBody":"{\"city\":\"shenzhen\",\"temp\":32,\"weather\":\"sunny\"}"}}""", time)!;
        Assert.Equal(TransformOutput.Json, output.ContentType);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"sdate":"2021-11-20T14:16:06+08:00","city":"shenzhen","const":11}"""), JsonNode.Parse(output.BodyText)), output.BodyText);

        // The EtlFilter drops what does not match.
        Assert.Null(Apply(transformation, """{"data":{"msgBody":"{\"city\":\"beijing\"}"}}""", time));
    }

    [Fact]
    public void EbEveryValueType()
    {
        var transformation = Eb("""
            {"Transform":{"OutputStructs":[
              {"Key":"s","Value":"hello","ValueType":"STRING"},
              {"Key":"data","Value":"$.data","ValueType":"STRING"},
              {"Key":"n","Value":"-1.5e2","ValueType":"NUMBER"},
              {"Key":"b","Value":"false","ValueType":"BOOLEAN"},
              {"Key":"z","ValueType":"NULL"},
              {"Key":"p","Value":"$.data.a[1]","ValueType":"JSONPATH"},
              {"Key":"gone","Value":"$.nothing","ValueType":"JSONPATH"}]}}
            """);
        Assert.Equal("""{"s":"hello","data":"{\"a\":[1,2]}","n":-1.5e2,"b":false,"z":null,"p":2,"gone":null}""", Apply(transformation, """{"data":{"a":[1,2]}}""")!.BodyText);
    }

    [Fact]
    public void EbText_SeparatorAndRegex()
    {
        var split = Eb("""{"Extraction":{"ExtractionInputPath":"$.data.line","Format":"TEXT","TextParams":{"Separator":","}},"Transform":{"OutputStructs":[{"Key":"second","Value":"$.$2","ValueType":"JSONPATH"}]}}""");
        Assert.Equal("""{"second":"b"}""", Apply(split, """{"data":{"line":"a,b,c"}}""")!.BodyText);

        var regex = Eb("""{"Extraction":{"ExtractionInputPath":"$.data.line","Format":"TEXT","TextParams":{"Regex":"(\\w+)=(?<value>\\d+)"}}}""");
        Assert.Equal("""{"$1":"speed","value":"42"}""", Apply(regex, """{"data":{"line":"speed=42"}}""")!.BodyText);

        var plain = Eb("""{"Extraction":{"ExtractionInputPath":"$.data.line","Format":"TEXT"}}""");
        var output = Apply(plain, """{"data":{"line":"just text"}}""")!;
        Assert.Equal(("just text", TransformOutput.Text), (output.BodyText, output.ContentType));
    }

    [Fact]
    public void EbNoTransform_DeliversTheExtractedValue() =>
        Assert.Equal("""{"a":1}""", Apply(Eb("""{"Extraction":{"ExtractionInputPath":"$.data","Format":"JSON"}}"""), """{"data":{"a":1}}""")!.BodyText);

    [Theory]
    [InlineData("""{"Extraction":{"Format":"XML"}}""", "Transformations[0].Extraction.Format", "not a format")]
    [InlineData("""{"Extraction":{"ExtractionInputPath":"data"}}""", "Transformations[0].Extraction.ExtractionInputPath", "must start with $")]
    [InlineData("""{"Extraction":{"Format":"JSON","TextParams":{"Separator":","}}}""", "Transformations[0].Extraction.TextParams", "only taken with Format TEXT")]
    [InlineData("""{"Extraction":{"Format":"TEXT","TextParams":{"Separator":";"}}}""", "Transformations[0].Extraction.TextParams.Separator", "must be one character")]
    [InlineData("""{"Extraction":{"Format":"TEXT","TextParams":{"Regex":"(a"}}}""", "Transformations[0].Extraction.TextParams.Regex", "not a regular expression")]
    [InlineData("""{"Extraction":{"Format":"TEXT","TextParams":{"Regex":"(a)\\1"}}}""", "Transformations[0].Extraction.TextParams.Regex", "not a regular expression")]
    [InlineData("""{"EtlFilter":{"Filter":"{\"a\":[]}"}}""", "Transformations[0].EtlFilter.Filter.a", "empty array")]
    [InlineData("""{"EtlFilter":{}}""", "Transformations[0].EtlFilter.Filter", "is required")]
    [InlineData("""{"Transform":{"OutputStructs":[]}}""", "Transformations[0].Transform.OutputStructs", "non-empty array")]
    [InlineData("""{"Transform":{"OutputStructs":[{"Key":"a","Value":"x","ValueType":"NUMBER"}]}}""", "Transformations[0].Transform.OutputStructs[0].Value", "not a number")]
    [InlineData("""{"Transform":{"OutputStructs":[{"Key":"a","Value":"yes","ValueType":"BOOLEAN"}]}}""", "Transformations[0].Transform.OutputStructs[0].Value", "not true or false")]
    [InlineData("""{"Transform":{"OutputStructs":[{"Key":"a","Value":"now","ValueType":"SYS_VARIABLE"}]}}""", "Transformations[0].Transform.OutputStructs[0].Value", "not a system variable")]
    [InlineData("""{"Transform":{"OutputStructs":[{"Key":"a","Value":"x","ValueType":"DATE"}]}}""", "Transformations[0].Transform.OutputStructs[0].ValueType", "not a value type")]
    [InlineData("""{"Transform":{"OutputStructs":[{"Key":"a","Value":"1","ValueType":"NUMBER"},{"Key":"a","Value":"2","ValueType":"NUMBER"}]}}""", "Transformations[0].Transform.OutputStructs[1].Key", "given twice")]
    [InlineData("""{"Extra":{}}""", "Transformations[0].Extra", "is not recognized")]
    public void EbInvalid(string json, string path, string message)
    {
        using var document = JsonDocument.Parse(json);
        var parsed = EbTransformation.Parse(document.RootElement);
        Assert.False(parsed.Ok);
        Assert.Equal(path, parsed.Error!.Path);
        Assert.Contains(message, parsed.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$", """{"a":1}""")]
    [InlineData("$.", """{"a":1}""")]
    [InlineData("$.a", "1")]
    [InlineData("$.b.c[1]", "\"y\"")]
    [InlineData("$['d.e']", "true")]
    [InlineData("$[\"d.e\"]", "true")]
    [InlineData("$.b.c[5]", null)]
    [InlineData("$.a.b", null)]
    [InlineData("$.zz", null)]
    public void JsonPath_Evaluates(string path, string? expected)
    {
        var parsed = JsonPathLite.Parse(path, "path");
        Assert.True(parsed.Ok, parsed.Error?.ToString());
        using var document = JsonDocument.Parse(path.StartsWith("$.a", StringComparison.Ordinal) || path is "$" or "$." ? """{"a":1}""" : """{"a":1,"b":{"c":["x","y"]},"d.e":true}""");
        var found = parsed.Value!.TryEvaluate(document.RootElement, out var value);
        Assert.Equal(expected is not null, found);
        if (expected is not null)
        {
            Assert.Equal(expected, value.GetRawText());
        }
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("$..a")]
    [InlineData("$.a.")]
    [InlineData("$.a[*]")]
    [InlineData("$.a[-1]")]
    [InlineData("$.a[0")]
    [InlineData("$a")]
    public void JsonPath_RefusesWhatItDoesNotSupport(string path) => Assert.False(JsonPathLite.Parse(path, "path").Ok);
}
