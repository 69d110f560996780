using Junction.Server.Tests.Infrastructure;
using Junction.Testing;
using Junction.Verification.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.TencentEb;

public sealed class EbApiTests : IDisposable
{
    private const string Uin = JunctionFactory.AccountId;
    private readonly JunctionFactory _factory;
    private readonly TencentClient _client;

    public EbApiTests()
    {
        // ckafka connectors name registered instances only (verification is off here, so the address is never dialled).
        _factory = new JunctionFactory().With("Junction:Tencent:RequestsPerSecond", "0")
            .With("Junction:Instances:Kafka:0:Id", "ckafka-one").With("Junction:Instances:Kafka:0:BootstrapServers", "127.0.0.1:9")
            .With("Junction:Instances:Kafka:0:Shared", "true");
        _client = _factory.CreateTencentClient();
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task SeedExample_CreatesTdmqConnector()
    {
        var bus = await CreateBusAsync("seed-bus");

        var response = await _client.SendAsync("CreateConnection", $$"""
            {"EventBusId":"{{bus}}","Type":"tdmq","ConnectionDescription":{"ResourceDescription":"qcs::tdmq:ap-guangzhou:uin/{{Uin}}:subscriptionName/pulsar-5r5drqo7j8/user/test/sub1","APIGWParams":null},"ConnectionName":"conn"}
            """);

        var body = await TencentClient.ResponseAsync(response);
        Assert.Null(TencentClient.ErrorCode(body));
        Assert.Matches("^connection-[a-z0-9]{8}$", body["ConnectionId"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", body["RequestId"]!.GetValue<string>());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("DescribeInstances", "2021-04-16", "{}", "InvalidAction")]
    [InlineData("ListEventBuses", "2018-01-01", "{}", "NoSuchVersion")]
    [InlineData("ListEventBuses", "2021-04-16", "{not json", "InvalidParameter")]
    [InlineData("ListEventBuses", "2021-04-16", "[1]", "InvalidParameter")]
    [InlineData("ListEventBuses", "2021-04-16", """{"Limit":"20"}""", "InvalidParameter")]
    [InlineData("ListEventBuses", "2021-04-16", """{"Limit":0}""", "InvalidParameterValue.Limit")]
    [InlineData("ListEventBuses", "2021-04-16", """{"Offset":-1}""", "InvalidParameterValue.Offset")]
    [InlineData("ListEventBuses", "2021-04-16", """{"Filters":[{"Name":"Colour","Values":["red"]}]}""", "InvalidParameterValue.Filters")]
    [InlineData("ListEventBuses", "2021-04-16", """{"Filters":[{"Name":"Type","Values":["a","b","c","d","e","f"]}]}""", "InvalidParameterValue.Filters")]
    [InlineData("ListEventBuses", "2021-04-16", """{"Shape":"round"}""", "UnknownParameter")]
    [InlineData("GetEventBus", "2021-04-16", "{}", "MissingParameter")]
    [InlineData("GetEventBus", "2021-04-16", """{"EventBusId":"bus-1"}""", "InvalidParameterValue.EventBusId")]
    [InlineData("GetEventBus", "2021-04-16", """{"EventBusId":"eb-00000000"}""", "ResourceNotFound.EventBus")]
    [InlineData("CreateEventBus", "2021-04-16", """{"EventBusName":"a"}""", "InvalidParameterValue.EventBusName")]
    [InlineData("CreateEventBus", "2021-04-16", """{"EventBusName":"ok-name","SaveDays":0}""", "InvalidParameterValue")]
    [InlineData("CreateConnection", "2021-04-16", """{"EventBusId":"eb-00000000","ConnectionName":"conn","ConnectionDescription":{"ResourceDescription":"qcs::apigw:ap-guangzhou:uin/100000000001:serviceid/s","APIGWParams":{"Protocol":"HTTPS","Method":"POST"}}}""", "ResourceNotFound.EventBus")]
    [InlineData("CreateConnection", "2021-04-16", """{"EventBusId":"eb-00000000","ConnectionName":"conn","ConnectionDescription":{"ResourceDescription":"qcs::apigw:ap-guangzhou:uin/999:serviceid/s","APIGWParams":{"Protocol":"HTTPS","Method":"POST"}}}""", "InvalidParameterValue.ConnectionDescription")]
    [InlineData("CreateConnection", "2021-04-16", """{"EventBusId":"eb-00000000","ConnectionName":"conn","ConnectionDescription":{"ResourceDescription":"qcs::apigw:ap-guangzhou:uin/100000000001:serviceid/s"}}""", "MissingParameter")]
    [InlineData("CreateConnection", "2021-04-16", """{"EventBusId":"eb-00000000","ConnectionName":"conn","ConnectionDescription":{"ResourceDescription":"qcs::dts:ap-guangzhou:uin/100000000001:subscribe/s","DTSParams":{"ConsumerGroupName":"","Account":"a","Password":"p"}}}""", "InvalidParameterValue.DTSParams")]
    [InlineData("CreateConnection", "2021-04-16", """{"EventBusId":"eb-00000000","ConnectionName":"conn","ConnectionDescription":{"ResourceDescription":"qcs::ckafka:ap-guangzhou:uin/100000000001:ckafkaId/uin/100000000001/ckafka-1","CkafkaParams":{"Offset":"latest","TopicName":"t"},"APIGWParams":{"Protocol":"HTTP","Method":"GET"}}}""", "InvalidParameterValue.ConnectionDescription")]
    [InlineData("CreateConnection", "2021-04-16", """{"EventBusId":"eb-00000000","ConnectionName":"conn","ConnectionDescription":{"ResourceDescription":"qcs::ckafka:ap-guangzhou:uin/100000000001:ckafkaId/uin/100000000001/ckafka-1","CkafkaParams":{"Offset":"latest","TopicName":"t","Extra":1}}}""", "UnknownParameter")]
    public async Task Errors_AreHttp200WithTheTencentEnvelope(string action, string version, string body, string code)
    {
        var response = await _client.SendAsync(action, body, version: version);

        var envelope = await TencentClient.ResponseAsync(response);
        Assert.Equal(code, TencentClient.ErrorCode(envelope));
        Assert.False(string.IsNullOrEmpty(envelope["Error"]!["Message"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(envelope["RequestId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Errors_OtherMethodsAndOversizedBodies_AreTencentErrors()
    {
        using var http = _factory.CreateClient();
        // A plain GET / is the index page (SdkWireTests); Tencent's requests in any other method are refused in its envelope.
        using var get = new HttpRequestMessage(HttpMethod.Get, "/?Action=ListEventBuses");
        Assert.Equal("UnsupportedProtocol", TencentClient.ErrorCode(await TencentClient.ResponseAsync(await http.SendAsync(get))));
        var put = await TencentClient.ResponseAsync(await http.PutAsync("/", new StringContent("{}")));
        Assert.Equal("UnsupportedProtocol", TencentClient.ErrorCode(put));

        using var small = new JunctionFactory().With("Junction:MaxRequestBodyBytes", "2048");
        var client = small.CreateTencentClient();
        var big = await TencentClient.ResponseAsync(await client.SendAsync("CreateEventBus", $$"""{"EventBusName":"big","Description":"{{new string('x', 4000)}}"}"""));
        Assert.Equal("RequestSizeLimitExceeded", TencentClient.ErrorCode(big));
    }

    [Fact]
    public async Task Auth_Failures()
    {
        using var noAuth = await _client.SendAsync("ListEventBuses", "{}", r => r.Headers.Remove("Authorization"));
        Assert.Equal("AuthFailure.InvalidAuthorization", TencentClient.ErrorCode(await TencentClient.ResponseAsync(noAuth)));

        using var tampered = await _client.SendAsync("CreateEventBus", """{"EventBusName":"signed"}""",
            r => r.Content = new StringContent("""{"EventBusName":"changed"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal("AuthFailure.SignatureFailure", TencentClient.ErrorCode(await TencentClient.ResponseAsync(tampered)));

        var unknown = _factory.CreateTencentClient();
        unknown.SecretId = "AKIDunknown000000000";
        Assert.Equal("AuthFailure.SecretIdNotFound", TencentClient.ErrorCode(await unknown.CallAsync("ListEventBuses", new { })));

        var stale = new TencentClient(_factory.CreateClient(), new FakeTimeProvider(_factory.Time.GetUtcNow() - TimeSpan.FromMinutes(6)), JunctionFactory.AccessKey, JunctionFactory.SecretKey);
        Assert.Equal("AuthFailure.SignatureExpire", TencentClient.ErrorCode(await stale.CallAsync("ListEventBuses", new { })));
    }

    [Theory]
    [InlineData("127", false)]
    [InlineData("eb", true)]
    [InlineData("localhost:8080", false)]
    public async Task Auth_ServiceFromScope_HostWithOrWithoutPort(string service, bool hostWithPort)
    {
        _client.Service = service;
        _client.SignHostWithPort = hostWithPort;

        var response = await _client.CallAsync("ListEventBuses", new { });

        Assert.Null(TencentClient.ErrorCode(response));
    }

    [Fact]
    public async Task Auth_OptionalTokenAndMissingRegion_AreAccepted()
    {
        _client.Region = null;

        using var response = await _client.SendAsync("ListEventBuses", "{}", r => r.Headers.Add("X-TC-Token", "session-token"));

        var body = await TencentClient.ResponseAsync(response);
        Assert.Null(TencentClient.ErrorCode(body));
        Assert.Equal(1, body["TotalCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task RateLimit_PerAccountAndAction()
    {
        using var factory = new JunctionFactory().With("Junction:Tencent:RequestsPerSecond", "3");
        var client = factory.CreateTencentClient();

        // Ten calls at once land in one window, or straddle one boundary: between 3 and 6 pass, the rest are limited.
        var codes = (await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.CallAsync("ListEventBuses", new { }))))
            .Select(TencentClient.ErrorCode).ToList();

        Assert.InRange(codes.Count(c => c is null), 3, 6);
        Assert.All(codes.Where(c => c is not null), c => Assert.Equal("RequestLimitExceeded", c));
        Assert.Contains("RequestLimitExceeded", codes);
    }

    [Fact]
    public async Task Quotas_HoldUnderParallelCreates()
    {
        var bus = await CreateBusAsync("parallel");

        var results = await Task.WhenAll(Enumerable.Range(0, 25).Select(i => _client.CallAsync("CreateConnection", new
        {
            EventBusId = bus,
            ConnectionName = $"c{i:00}x",
            ConnectionDescription = Ckafka("ckafka-one", "t"),
        })));

        Assert.Equal(10, results.Count(r => TencentClient.ErrorCode(r) is null));
        Assert.All(results.Where(r => TencentClient.ErrorCode(r) is not null), r => Assert.Equal("LimitExceeded.Connection", TencentClient.ErrorCode(r)));
        Assert.Equal(10, (await _client.CallAsync("ListConnections", new { EventBusId = bus }))["TotalCount"]!.GetValue<int>());

        var buses = await Task.WhenAll(Enumerable.Range(0, 15).Select(i => _client.CallAsync("CreateEventBus", new { EventBusName = $"bus-{i:00}x" })));
        Assert.Equal(9, buses.Count(r => TencentClient.ErrorCode(r) is null));
        Assert.All(buses.Where(r => TencentClient.ErrorCode(r) is not null), r => Assert.Equal("LimitExceeded.EventBus", TencentClient.ErrorCode(r)));
    }

    [Fact]
    public async Task UpdateConnection_NameClashAndApigwEnable_AreRefused()
    {
        var bus = await CreateBusAsync("update-bus");
        var first = await CreateConnectorAsync(bus, "first", Ckafka("ckafka-one", "t"));
        await CreateConnectorAsync(bus, "second", Ckafka("ckafka-one", "t"));
        var api = await CreateConnectorAsync(bus, "api", Apigw());

        Assert.Equal("InvalidParameterValue.ConnectionName",
            TencentClient.ErrorCode(await _client.CallAsync("UpdateConnection", new { EventBusId = bus, ConnectionId = first, ConnectionName = "second" })));
        Assert.Equal("InvalidParameter.EnableAPIGateway",
            TencentClient.ErrorCode(await _client.CallAsync("UpdateConnection", new { EventBusId = bus, ConnectionId = api, Enable = false })));
        Assert.Null(TencentClient.ErrorCode(await _client.CallAsync("UpdateConnection", new { EventBusId = bus, ConnectionId = first, ConnectionName = "renamed" })));
        Assert.Equal("ResourceNotFound.Connection",
            TencentClient.ErrorCode(await _client.CallAsync("UpdateConnection", new { EventBusId = await CreateBusAsync("other-bus"), ConnectionId = first })));
    }

    [Fact]
    public async Task Verification_Ckafka_TopicPresentAbsent_UnknownInstanceRefused_ApigwUnverified()
    {
        using var cluster = new MockKafkaCluster();
        cluster.CreateTopic("orders");
        using var factory = new JunctionFactory()
            .With("Junction:Instances:Kafka:0:Id", "ckafka-mock")
            .With("Junction:Instances:Kafka:0:BootstrapServers", cluster.Bootstrap)
            .With("Junction:Instances:Kafka:0:Tenant", "junction");
        var client = factory.CreateTencentClient();
        var bus = (await client.CallAsync("CreateEventBus", new { EventBusName = "verified" }))["EventBusId"]!.GetValue<string>();
        async Task CreateAsync(string name, object description) =>
            Assert.Null(TencentClient.ErrorCode(await client.CallAsync("CreateConnection", new { EventBusId = bus, ConnectionName = name, ConnectionDescription = description })));
        await CreateAsync("present", Ckafka("ckafka-mock", "orders"));
        await CreateAsync("absent", Ckafka("ckafka-mock", "payments"));
        // An instance not registered for this account is refused at once (the same answer as another account's).
        var unknown = await client.CallAsync("CreateConnection", new { EventBusId = bus, ConnectionName = "unknown", ConnectionDescription = Ckafka("ckafka-nowhere", "orders") });
        Assert.Equal("InvalidParameterValue.ConnectionDescription", TencentClient.ErrorCode(unknown));
        Assert.Contains("not registered with Junction for this account", unknown["Error"]!["Message"]!.GetValue<string>(), StringComparison.Ordinal);
        await CreateAsync("gateway", Apigw());

        var before = await client.CallAsync("ListConnections", new { EventBusId = bus });
        Assert.All(before["Connections"]!.AsArray(), c => Assert.Equal("Pending", c!["Status"]!.GetValue<string>()));

        await factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

        var after = (await client.CallAsync("ListConnections", new { EventBusId = bus }))["Connections"]!.AsArray()
            .ToDictionary(c => c!["ConnectionName"]!.GetValue<string>(), c => c!["Status"]!.GetValue<string>());
        Assert.Equal("Active", after["present"]);
        Assert.Equal("Failed", after["absent"]);
        Assert.Equal("Unverified", after["gateway"]);
        var briefs = (await client.CallAsync("ListEventBuses", new { Filters = new[] { new { Name = "EventBusId", Values = new[] { bus } } } }))["EventBuses"]![0]!["ConnectionBriefs"]!.AsArray();
        Assert.Contains(briefs, b => b!["Status"]!.GetValue<string>() == "Unverified" && b["Type"]!.GetValue<string>() == "apigw");
    }

    private static object Ckafka(string instance, string topic) => new
    {
        ResourceDescription = $"qcs::ckafka:ap-guangzhou:uin/{Uin}:ckafkaId/uin/{Uin}/{instance}",
        CkafkaParams = new { Offset = "latest", TopicName = topic },
    };

    private static object Apigw() => new
    {
        ResourceDescription = $"qcs::apigw:ap-guangzhou:uin/{Uin}:serviceid/service-abc",
        APIGWParams = new { Protocol = "HTTPS", Method = "POST" },
    };

    private async Task<string> CreateBusAsync(string name)
    {
        var response = await _client.CallAsync("CreateEventBus", new { EventBusName = name });
        Assert.Null(TencentClient.ErrorCode(response));
        return response["EventBusId"]!.GetValue<string>();
    }

    private async Task<string> CreateConnectorAsync(string bus, string name, object description)
    {
        var response = await _client.CallAsync("CreateConnection", new { EventBusId = bus, ConnectionName = name, ConnectionDescription = description });
        Assert.Null(TencentClient.ErrorCode(response));
        return response["ConnectionId"]!.GetValue<string>();
    }
}
