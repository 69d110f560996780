using System.Text.Json;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Tests.Routing;

public sealed class EgFilterRuleTests
{
    /// <summary>The base event of the documented examples (spec/dataplane.md §2.6).</summary>
    private const string DocEvent = """
        {"id":"1","specversion":"1.0","source":"HC.OBS","type":"object:put","subject":"xxx.jpg",
         "data":{"name":"test01","state":"enable","age":10}}
        """;

    internal static bool Matches(string filter, string @event)
    {
        var parsed = EgFilterRule.Parse(filter);
        Assert.True(parsed.Ok, parsed.Error?.ToString());
        using var document = JsonDocument.Parse(@event);
        return parsed.Value!.Filter.Matches(document.RootElement);
    }

    private static FilterError Refused(string filter)
    {
        var parsed = EgFilterRule.Parse(filter);
        Assert.False(parsed.Ok, $"accepted: {filter}");
        return parsed.Error!;
    }

    [Theory]
    [InlineData("""{"source":[{"op":"StringIn","values":["HC.OBS"]}]}""")]
    [InlineData("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"age":[{"op":"NumberIn","values":[10]}]}}""")]
    [InlineData("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"type":[{"op":"StringNotIn","values":["object:get"]}]}""")]
    public void DocumentedExamples_Match(string filter) => Assert.True(Matches(filter, DocEvent));

    [Fact]
    public void DocumentedExample4_SizeComparisons_Match()
    {
        const string e = """{"source":"HC.OBS","type":"t","data":{"size":10}}""";
        Assert.True(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"size":[{"op":"NumberLessThan","value":20}]}}""", e));
        Assert.True(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"size":[{"op":"NumberNotLessThan","value":2}]}}""", e));
        Assert.False(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"size":[{"op":"NumberLessThan","value":10}]}}""", e));
    }

    [Fact]
    public void DocumentedExample5_IsNull_MatchesNullAndAbsent()
    {
        const string e = """{"source":"HC.OBS","type":"t","data":{"size":null}}""";
        Assert.True(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"size":[{"op":"IsNull"}],"age":[{"op":"IsNull"}]}}""", e));
        Assert.False(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"size":[{"op":"IsNotNull"}]}}""", e));
    }

    [Fact]
    public void SourceNotListed_DoesNotMatch() =>
        Assert.False(Matches("""{"source":[{"op":"StringIn","values":["HC.SMN"]}]}""", DocEvent));

    [Fact]
    public void AndLeaf_TerraformExample_AllConditionsMustHold()
    {
        const string filter = """{"source":[{"op":"StringIn","values":["HC.OBS"]}],"subject":{"and":[{"op":"StringStartsWith","values":["xxx"]},{"op":"StringEndsWith","values":["jpg"]}]}}""";
        Assert.True(Matches(filter, DocEvent));
        Assert.False(Matches(filter, DocEvent.Replace("xxx.jpg", "xxx.png", StringComparison.Ordinal)));
    }

    [Fact]
    public void ArrayLeaf_ConditionsAreOred_OrLeafToo()
    {
        Assert.True(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"subject":[{"op":"StringEndsWith","values":["png"]},{"op":"StringEndsWith","values":["jpg"]}]}""", DocEvent));
        Assert.True(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"subject":{"or":[{"op":"StringEndsWith","values":["png"]},{"op":"StringEndsWith","values":["jpg"]}]}}""", DocEvent));
        Assert.False(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"subject":{"and":[{"op":"StringEndsWith","values":["png"]},{"op":"StringEndsWith","values":["jpg"]}]}}""", DocEvent));
    }

    [Fact]
    public void NestedData_FollowsThePath()
    {
        const string e = """{"source":"HC.OBS","data":{"obs":{"bucket":{"name":"b1"}}}}""";
        Assert.True(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"obs":{"bucket":{"name":[{"op":"StringIn","values":["b1"]}]}}}}""", e));
        Assert.False(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"obs":{"bucket":{"name":[{"op":"StringIn","values":["b2"]}]}}}}""", e));
        Assert.False(Matches("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"obs":{"name":[{"op":"StringIn","values":["b1"]}]}}}""", e));
    }

    [Theory]
    [InlineData("StringIn", "[\"b\"]", true)]
    [InlineData("StringNotIn", "[\"b\"]", false)] // one element is "b"
    [InlineData("StringNotIn", "[\"z\"]", true)]  // no element is "z"
    [InlineData("StringStartsWith", "[\"c\"]", true)]
    [InlineData("StringNotStartsWith", "[\"c\"]", false)]
    public void ArrayInput_PositiveIsAnyElement_NegatedIsNoElement(string op, string values, bool expected) =>
        Assert.Equal(expected, Matches(Json.F("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"tags":[{"op":"<0>","values":<1>}]}}""", op, values),
            """{"source":"s","data":{"tags":["a","b","cc"]}}"""));

    [Theory]
    [InlineData("""{"op":"StringNotIn","values":["x"]}""")]
    [InlineData("""{"op":"NumberNotIn","values":[1]}""")]
    [InlineData("""{"op":"NumberNotInRange","values":[[1,2]]}""")]
    [InlineData("""{"op":"StringNotEndsWith","values":["x"]}""")]
    public void NegatedOperators_OnMissingOrMistypedField_AreFalse(string condition)
    {
        Assert.False(Matches(Json.F("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"f":[<0>]}}""", condition), """{"source":"s","data":{}}"""));
        Assert.False(Matches(Json.F("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"f":[<0>]}}""", condition), """{"source":"s","data":{"f":true}}"""));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(5, true)]
    [InlineData(3.5, true)]
    [InlineData(0.999, false)]
    [InlineData(5.0001, false)]
    [InlineData(100, true)]
    public void NumberInRange_BoundsAreInclusive(double value, bool expected) =>
        Assert.Equal(expected, Matches("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[{"op":"NumberInRange","values":[[1,5],[100,200]]}]}}""",
            Json.F("""{"source":"s","data":{"n":<0>}}""", value.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    [Fact]
    public void Numbers_CompareExactlyAsDecimals()
    {
        // 9007199254740993 is not a double; compared as a decimal it is not 9007199254740992.
        Assert.False(Matches("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[{"op":"NumberIn","values":[9007199254740992]}]}}""", """{"source":"s","data":{"n":9007199254740993}}"""));
        Assert.True(Matches("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[{"op":"NumberIn","values":[10]}]}}""", """{"source":"s","data":{"n":10.0}}"""));
        Assert.False(Matches("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[{"op":"NumberIn","values":[10]}]}}""", """{"source":"s","data":{"n":"10"}}"""));
    }

    [Theory]
    [InlineData("true", "IsTrue", true)]
    [InlineData("false", "IsTrue", false)]
    [InlineData("false", "IsNotTrue", true)]
    [InlineData("true", "IsNotTrue", false)]
    [InlineData("\"false\"", "IsNotTrue", false)]
    [InlineData("null", "IsNotTrue", false)]
    public void Booleans(string value, string op, bool expected) =>
        Assert.Equal(expected, Matches(Json.F("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"b":[{"op":"<0>"}]}}""", op), Json.F("""{"source":"s","data":{"b":<0>}}""", value)));

    [Fact]
    public void StringsAreCaseSensitive() =>
        Assert.False(Matches("""{"source":[{"op":"StringIn","values":["hc.obs"]}]}""", DocEvent));

    [Fact]
    public void DuplicateKey_LastOneWins()
    {
        const string filter = """{"source":[{"op":"StringIn","values":["HC.SMN"]}],"source":[{"op":"StringIn","values":["HC.OBS"]}]}""";
        Assert.True(Matches(filter, DocEvent));
        Assert.Equal("""{"source":[{"op":"StringIn","values":["HC.OBS"]}]}""", EgFilterRule.Parse(filter).Value!.Canonical);
    }

    [Theory]
    [InlineData("""[]""", "filter", "must be a JSON object")]
    [InlineData("""{"type":[{"op":"StringIn","values":["t"]}]}""", "filter.source", "is required")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"id":[{"op":"StringIn","values":["1"]}]}""", "filter.id", "may hold only source, type, subject and data")]
    [InlineData("""{"source":[{"op":"StringStartsWith","values":["s"]}]}""", "filter.source[0].op", "source supports only StringIn")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"type":[{"op":"StringLike","values":["t"]}]}""", "filter.type[0].op", "'StringLike' is not an operator")]
    [InlineData("""{"source":[{"op":"StringIn","values":[]}]}""", "filter.source[0].values", "is empty")]
    [InlineData("""{"source":[{"op":"StringIn","values":[1]}]}""", "filter.source[0].values[0]", "must be a string, not a number")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[{"op":"NumberLessThan","value":"1"}]}}""", "filter.data.n[0].value", "must be a finite number")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[{"op":"NumberInRange","values":[[5,1]]}]}}""", "filter.data.n[0].values[0]", "empty range")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[{"op":"NumberInRange","values":[5]}]}}""", "filter.data.n[0].values[0]", "must be a range [low, high]")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[{"op":"IsNull","values":[1]}]}}""", "filter.data.n[0]", "takes no values")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[{"op":"IsNull","valeus":[1]}]}}""", "filter.data.n[0].valeus", "is not a condition key")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":[]}}""", "filter.data.n", "holds no condition")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"data":{"n":"x"}}""", "filter.data.n", "must be an array of conditions")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}],"data":[]}""", "filter.data", "must be an object of data fields")]
    [InlineData("""{"source":[{"op":"StringIn","values":["s"]}""", "filter", "is not valid JSON")]
    public void InvalidFilters_AreRefusedNamingPathAndRule(string filter, string path, string message)
    {
        var error = Refused(filter);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_FiveConditionsFiveFieldsFiveLevels()
    {
        string Conditions(int n) => "[" + string.Join(",", Enumerable.Repeat("""{"op":"StringIn","values":["x"]}""", n)) + "]";
        Assert.True(EgFilterRule.Parse($$"""{"source":{{Conditions(5)}}}""").Ok);
        Assert.Contains("at most 5", Refused($$"""{"source":{{Conditions(6)}}}""").Message, StringComparison.Ordinal);

        string Fields(int n) => string.Join(",", Enumerable.Range(0, n).Select(i => $$"""
            "f{{i}}":[{"op":"IsNull"}]
            """));
        Assert.True(EgFilterRule.Parse(Json.F("""{"source":<0>,"data":{<1>}}""", Conditions(1), Fields(5))).Ok);
        var tooMany = Refused(Json.F("""{"source":<0>,"data":{<1>}}""", Conditions(1), Fields(6)));
        Assert.Equal("filter.data.f5", tooMany.Path);
        Assert.Contains("at most 5 data fields", tooMany.Message, StringComparison.Ordinal);

        Assert.True(EgFilterRule.Parse(Json.F("""{"source":<0>,"data":{"a":{"b":{"c":{"d":{"e":[{"op":"IsNull"}]}}}}}}""", Conditions(1))).Ok);
        var deep = Refused(Json.F("""{"source":<0>,"data":{"a":{"b":{"c":{"d":{"e":{"f":[{"op":"IsNull"}]}}}}}}}""", Conditions(1)));
        Assert.Equal("filter.data.a.b.c.d.e.f", deep.Path);
        Assert.Contains("at most 5 levels", deep.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SerializedSize_AtMost2048Bytes_WhitespaceNotCounted()
    {
        string Filter(int length) => $$"""{"source":[{"op":"StringIn","values":["{{new string('s', length)}}"]}]}""";
        var overhead = Filter(0).Length;
        Assert.True(EgFilterRule.Parse(Filter(2048 - overhead)).Ok);
        Assert.Contains("at most 2048 bytes", Refused(Filter(2049 - overhead)).Message, StringComparison.Ordinal);
        Assert.True(EgFilterRule.Parse(Filter(2048 - overhead).Replace(",", " ,   ", StringComparison.Ordinal)).Ok);
    }

    [Fact]
    public void ParsedFromANode_AsASubscriptionBodyCarriesIt_IsTheSameRule()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse("""{"source":[{"op":"StringIn","values":["HC.OBS"]}],"data":{"age":[{"op":"NumberIn","values":[10]}]}}""");
        var fromNode = EgFilterRule.Parse(node);
        Assert.True(fromNode.Ok);
        Assert.Equal(EgFilterRule.Parse(node!.ToJsonString()).Value!.Canonical, fromNode.Value!.Canonical);
        using var document = JsonDocument.Parse(DocEvent);
        Assert.True(fromNode.Value.Filter.Matches(document.RootElement));
        Assert.Equal("filter.source", EgFilterRule.Parse(System.Text.Json.Nodes.JsonNode.Parse("""{"type":[]}""")).Error!.Path);
    }

    [Fact]
    public void LoneSurrogateEscape_IsRefusedNotThrown()
    {
        var error = Refused("""{"source":[{"op":"StringIn","values":["\ud800"]}]}""");
        Assert.True(error.IsSyntax);
    }
}
