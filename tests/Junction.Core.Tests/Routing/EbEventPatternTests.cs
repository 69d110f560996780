using System.Text.Json;
using Junction.Core.Routing.Filters;

namespace Junction.Core.Tests.Routing;

public sealed class EbEventPatternTests
{
    /// <summary>The COS event of Tencent's pattern documentation (spec/dataplane.md §3.5).</summary>
    internal const string CosEvent = """
        {"specversion":"1.0","id":"13a3f42d-7258-4ada-da6d-023a333b4662","type":"cos:created:object","source":"cos.cloud.tencent",
         "subject":"qcs::cos:ap-guangzhou:uid1250000000:bucketname","time":"1615430559146","region":"ap-guangzhou",
         "datacontenttype":"application/json;charset=utf-8","resource":["qcs::eb:ap-guangzhou:uid1250000000:eventbusid/eventruleid"],
         "data":{"name":"testname","scope":100}}
        """;

    internal static bool Matches(string pattern, string @event = CosEvent)
    {
        var parsed = EbEventPattern.Parse(pattern);
        Assert.True(parsed.Ok, parsed.Error?.ToString());
        using var document = JsonDocument.Parse(@event);
        return parsed.Value!.Filter.Matches(document.RootElement);
    }

    [Theory]
    [InlineData("""{"data":{"name":["testname"]}}""", true)]
    [InlineData("""{"data":{"name":["testname","test"]}}""", true)]
    [InlineData("""{"data":{"name":["other"]}}""", false)]
    [InlineData("""{"data":{"name":[{"prefix":"te"}]}}""", true)]
    [InlineData("""{"data":{"name":[{"anything-but":"test1"}]}}""", true)]
    [InlineData("""{"data":{"name":[{"anything-but":"testname"}]}}""", false)]
    [InlineData("""{}""", true)]
    public void DocumentedVectors(string pattern, bool expected) => Assert.Equal(expected, Matches(pattern));

    [Fact]
    public void DocumentedSuffix_TdmqEvent()
    {
        const string tdmq = """{"source":"tdmq.cloud.tencent","type":"connector:tdmq","data":{"topic":"persistent://appid/namespace/topic-1","msgBody":"Hello from TDMQ!"}}""";
        Assert.True(Matches("""{"data":{"topic":[{"suffix":"/topic-1"}]}}""", tdmq));
        Assert.False(Matches("""{"data":{"topic":[{"suffix":"/topic-2"}]}}""", tdmq));
    }

    [Fact]
    public void ScalarShorthand_TerraformRule()
    {
        const string apigw = """{"source":"apigw.cloud.tencent","type":"connector:apigw","data":{}}""";
        Assert.True(Matches("""{"source":"apigw.cloud.tencent","type":["connector:apigw"]}""", apigw));
        Assert.False(Matches("""{"source":"apigw.cloud.tencent","type":["connector:ckafka"]}""", apigw));
    }

    [Theory]
    [InlineData("""{"data":{"name":[{"contains":"stna"}]}}""", true)]
    [InlineData("""{"data":{"name":[{"contain":"stna"}]}}""", true)]
    [InlineData("""{"data":{"name":[{"contains":"STNA"}]}}""", false)]
    [InlineData("""{"data":{"scope":[100]}}""", true)]
    [InlineData("""{"data":{"scope":[100.0]}}""", true)]
    [InlineData("""{"data":{"scope":["100"]}}""", false)]
    [InlineData("""{"data":{"scope":[{"numeric":[">",0,"<=",100]}]}}""", true)]
    [InlineData("""{"data":{"scope":[{"numeric":[">",0,"<",100]}]}}""", false)]
    [InlineData("""{"data":{"scope":[{"numeric":["=",100]}]}}""", true)]
    [InlineData("""{"data":{"scope":[{"numeric":["!=",100]}]}}""", false)]
    [InlineData("""{"data":{"scope":[{"anything-but":[1,2,3]}]}}""", true)]
    [InlineData("""{"data":{"scope":[{"anything-but":[100]}]}}""", false)]
    [InlineData("""{"data":{"name":[{"anything-but":{"prefix":"test"}}]}}""", false)]
    [InlineData("""{"data":{"name":[{"anything-but":{"prefix":"prod"}}]}}""", true)]
    [InlineData("""{"data":{"name":[{"exists":true}]}}""", true)]
    [InlineData("""{"data":{"missing":[{"exists":false}]}}""", true)]
    [InlineData("""{"data":{"missing":[{"exists":true}]}}""", false)]
    [InlineData("""{"data":{"missing":[{"anything-but":"x"}]}}""", false)]
    [InlineData("""{"data":{"missing":["x"]}}""", false)]
    [InlineData("""{"resource":[{"prefix":"qcs::eb:"}]}""", true)]
    [InlineData("""{"source":["cos.cloud.tencent"],"data":{"name":["nope"]}}""", false)]
    [InlineData("""{"$or":[{"source":["other"]},{"data":{"scope":[100]}}]}""", true)]
    [InlineData("""{"$or":[{"source":["other"]},{"data":{"scope":[101]}}]}""", false)]
    [InlineData("""{"data":{"$or":[{"name":["x"]},{"name":["testname"]}]}}""", true)]
    public void Operators(string pattern, bool expected) => Assert.Equal(expected, Matches(pattern));

    [Theory]
    [InlineData("10.0.0.7", true)]
    [InlineData("10.0.1.7", false)]
    [InlineData("not an ip", false)]
    public void Cidr(string ip, bool expected) =>
        Assert.Equal(expected, Matches("""{"data":{"ip":[{"cidr":"10.0.0.0/24"}]}}""", Json.F("""{"data":{"ip":"<0>"}}""", ip)));

    [Fact]
    public void NullAndEmptyString_AreValues()
    {
        Assert.True(Matches("""{"data":{"v":[null]}}""", """{"data":{"v":null}}"""));
        Assert.False(Matches("""{"data":{"v":[null]}}""", """{"data":{}}"""));
        Assert.True(Matches("""{"data":{"v":[""]}}""", """{"data":{"v":""}}"""));
        Assert.True(Matches("""{"data":{"v":[true]}}""", """{"data":{"v":true}}"""));
        Assert.False(Matches("""{"data":{"v":[true]}}""", """{"data":{"v":"true"}}"""));
    }

    [Fact]
    public void ArraysOfObjects_AreSearchedElementByElement() =>
        Assert.True(Matches("""{"data":{"items":{"id":[2]}}}""", """{"data":{"items":[{"id":1},{"id":2}]}}"""));

    [Theory]
    [InlineData("""[]""", "EventPattern", "must be a JSON object")]
    [InlineData("""{"data":{"name":[]}}""", "EventPattern.data.name", "empty array")]
    [InlineData("""{"data":{"name":[{"prefix":1}]}}""", "EventPattern.data.name[0].prefix", "must be a string")]
    [InlineData("""{"data":{"name":[{"wildcard":"a*"}]}}""", "EventPattern.data.name[0].wildcard", "'wildcard' is not an operator")]
    [InlineData("""{"data":{"name":[{"prefix":"a","suffix":"b"}]}}""", "EventPattern.data.name[0]", "exactly one operator")]
    [InlineData("""{"data":{"n":[{"numeric":[">"]}]}}""", "EventPattern.data.n[0].numeric", "[operator, number]")]
    [InlineData("""{"data":{"n":[{"numeric":["~",1]}]}}""", "EventPattern.data.n[0].numeric[0]", "must be one of")]
    [InlineData("""{"data":{"n":[{"numeric":[">","1"]}]}}""", "EventPattern.data.n[0].numeric[1]", "finite number")]
    [InlineData("""{"data":{"ip":[{"cidr":"10.0.0.0/33"}]}}""", "EventPattern.data.ip[0].cidr", "not a CIDR block")]
    [InlineData("""{"data":{"ip":[{"cidr":"10.0.0.1"}]}}""", "EventPattern.data.ip[0].cidr", "not a CIDR block")]
    [InlineData("""{"data":{"v":[{"exists":"yes"}]}}""", "EventPattern.data.v[0].exists", "true or false")]
    [InlineData("""{"data":{"v":[{"anything-but":[]}]}}""", "EventPattern.data.v[0].anything-but", "empty list")]
    [InlineData("""{"data":{"v":[{"anything-but":[true]}]}}""", "EventPattern.data.v[0].anything-but[0]", "a string or a number")]
    [InlineData("""{"data":{"v":[[1]]}}""", "EventPattern.data.v[0]", "must be a value or an operator object")]
    [InlineData("""{"$or":[]}""", "EventPattern.$or", "non-empty array of patterns")]
    [InlineData("""{"$or":["x"]}""", "EventPattern.$or[0]", "must be a pattern object")]
    public void InvalidPatterns_AreRefusedNamingPathAndProblem(string pattern, string path, string message)
    {
        var parsed = EbEventPattern.Parse(pattern);
        Assert.False(parsed.Ok);
        Assert.Equal(path, parsed.Error!.Path);
        Assert.Contains(message, parsed.Error.Message, StringComparison.Ordinal);
        Assert.False(parsed.Error.IsSyntax);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{} {}")]
    [InlineData("not json")]
    public void NotJson_IsASyntaxError(string pattern)
    {
        var parsed = EbEventPattern.Parse(pattern);
        Assert.False(parsed.Ok);
        Assert.True(parsed.Error!.IsSyntax);
    }

    [Fact]
    public void DuplicateKey_LastOneWins() =>
        Assert.True(Matches("""{"source":["other"],"source":["cos.cloud.tencent"]}"""));
}
