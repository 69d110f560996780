using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;

namespace Junction.Server.Tests.Api.TencentEb;

/// <summary>CheckRule and CheckTransformation through the signed, enveloped Tencent face.</summary>
public sealed class EbChecksApiTests : IDisposable
{
    private const string CosEvent = """{"specversion":"1.0","id":"1","type":"cos:created:object","source":"cos.cloud.tencent","data":{"name":"testname","scope":100}}""";

    private readonly JunctionFactory _factory;
    private readonly TencentClient _client;

    public EbChecksApiTests()
    {
        _factory = new JunctionFactory().With("Junction:Tencent:RequestsPerSecond", "0");
        _client = _factory.CreateTencentClient();
    }

    public void Dispose() => _factory.Dispose();

    private async Task<JsonObject> CallAsync(string action, object parameters) =>
        await TencentClient.ResponseAsync(await _client.SendAsync(action, JsonSerializer.Serialize(parameters)));

    [Theory]
    [InlineData("""{"data":{"name":["testname"]}}""", null)]
    [InlineData("""{"data":{"name":["testname","test"]}}""", null)]
    [InlineData("""{"data":{"name":["other"]}}""", "FailedOperation.ErrorFilter")]
    [InlineData("""{"data":{"scope":[{"numeric":[">",10]}]}}""", null)]
    [InlineData("""{"data":{"name":[{"regex":"x"}]}}""", "InvalidParameterValue.InvalidPattern")]
    [InlineData("""{"data":""", "InvalidParameterValue.InvalidFilterRule")]
    public async Task CheckRule_AnswersMatchNoMatchOrWhyThePatternIsBad(string pattern, string? code)
    {
        var response = await CallAsync("CheckRule", new { Event = CosEvent, EventPattern = pattern });

        Assert.Equal(code, TencentClient.ErrorCode(response));
        Assert.NotNull(response["RequestId"]);
        if (code == "InvalidParameterValue.InvalidPattern")
        {
            Assert.Contains("EventPattern.data.name[0].regex", response["Error"]!["Message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{"Event":"not json","EventPattern":"{}"}""", "InvalidParameter")]
    [InlineData("""{"Event":"[1]","EventPattern":"{}"}""", "InvalidParameter")]
    [InlineData("""{"EventPattern":"{}"}""", "MissingParameter")]
    [InlineData("""{"Event":{},"EventPattern":"{}"}""", "InvalidParameter")]
    [InlineData("""{"Event":"{}","EventPattern":"{}","Extra":1}""", "UnknownParameter")]
    [InlineData("""{"Input":"{}"}""", "MissingParameter")]
    public async Task Checks_BadParameters_GetTencentCodes(string body, string code)
    {
        var action = body.Contains("Input", StringComparison.Ordinal) ? "CheckTransformation" : "CheckRule";
        Assert.Equal(code, TencentClient.ErrorCode(await TencentClient.ResponseAsync(await _client.SendAsync(action, body))));
    }

    [Fact]
    public async Task CheckTransformation_DocumentedExample_ReturnsOutput()
    {
        var response = await CallAsync("CheckTransformation", new
        {
            Input = """{"data":{"msgBody":"{\"city\":\"shenzhen\",\"temp\":32,\"weather\":\"sunny\"}"}}""",
            Transformations = new object[]
            {
                new
                {
                    Extraction = new { ExtractionInputPath = "$.data.msgBody", Format = "JSON" },
                    EtlFilter = new { Filter = """{"city":[{"contain":"shen"}]}""" },
                    Transform = new
                    {
                        OutputStructs = new object[]
                        {
                            new { Key = "city", Value = "$.city", ValueType = "JSONPATH" },
                            new { Key = "const", Value = "11", ValueType = "NUMBER" },
                            new { Key = "sdate", Value = "date", ValueType = "SYS_VARIABLE" },
                        },
                    },
                },
            },
        });

        Assert.Null(TencentClient.ErrorCode(response));
        var output = JsonNode.Parse(response["Output"]!.GetValue<string>())!.AsObject();
        Assert.Equal("shenzhen", output["city"]!.GetValue<string>());
        Assert.Equal(11, output["const"]!.GetValue<int>());
        Assert.Equal(_factory.Time.GetUtcNow().ToUnixTimeSeconds(), DateTimeOffset.Parse(output["sdate"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData("""{"Input":"{\"a\":1}","Transformations":[]}""", "InvalidParameterValue.Transformations", "exactly one")]
    [InlineData("""{"Input":"{\"a\":1}","Transformations":[{},{}]}""", "InvalidParameterValue.Transformations", "exactly one")]
    [InlineData("""{"Input":"{\"a\":1}","Transformations":[{"Extraction":{"Format":"CSV"}}]}""", "InvalidParameterValue.Transformations", "Transformations.0.Extraction.Format")]
    [InlineData("""{"Input":"{\"a\":1}","Transformations":[{"EtlFilter":{"Filter":"{\"a\":[2]}"}}]}""", "FailedOperation.ErrorFilter", "EtlFilter")]
    [InlineData("""{"Input":"nope","Transformations":[{}]}""", "InvalidParameter", "Input")]
    [InlineData("""{"Input":"{\"a\":1}","Transformations":["x"]}""", "InvalidParameter", "Transformations.0")]
    public async Task CheckTransformation_Errors(string body, string code, string message)
    {
        var response = await TencentClient.ResponseAsync(await _client.SendAsync("CheckTransformation", body));

        Assert.Equal(code, TencentClient.ErrorCode(response));
        Assert.Contains(message, response["Error"]!["Message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckTransformation_NoStepsGiven_ReturnsTheInput() =>
        Assert.Equal("""{"a":1}""", (await CallAsync("CheckTransformation", new { Input = """{"a":1}""", Transformations = new[] { new { } } }))["Output"]!.GetValue<string>());
}
