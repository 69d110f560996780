using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;

namespace Junction.Server.Tests.Api;

/// <summary>Wire defects found through the clouds' typed SDKs (issue 18), each answered in the right cloud's words.</summary>
public sealed class SdkWireTests : IDisposable
{
    private readonly JunctionFactory _factory = new();
    private readonly HuaweiClient _huawei;

    public SdkWireTests() => _huawei = _factory.CreateHuaweiClient();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task GetRoot_IsAnIndexWithEgsApiVersions_NotTencentsEnvelope()
    {
        using var http = _factory.CreateClient();

        var response = await http.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.False(body.ContainsKey("Response"));
        Assert.Equal("Junction", body["name"]!.GetValue<string>());
        Assert.Equal("v1", body["versions"]![0]!["id"]!.GetValue<string>());
        Assert.Contains(body["faces"]!.AsArray(), f => f!["name"]!.GetValue<string>().Contains("EventBridge", StringComparison.Ordinal));

        // A GET carrying Tencent's headers is still Tencent's, and refused in its envelope.
        using var tencent = new HttpRequestMessage(HttpMethod.Get, "/");
        tencent.Headers.Add("X-TC-Action", "ListEventBuses");
        var refused = JsonNode.Parse(await (await http.SendAsync(tencent)).Content.ReadAsStringAsync())!;
        Assert.Equal("UnsupportedProtocol", refused["Response"]!["Error"]!["Code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "Action=ListEventBuses&Nonce=1&Timestamp=1&SecretId=x&SignatureMethod=HmacSHA256&Signature=abc%3D")]
    [InlineData("application/json", "{}")]
    public async Task LegacyHmacSignature_IsAuthFailureInvalidAuthorization(string contentType, string body)
    {
        using var http = _factory.CreateClient();
        var path = contentType == "application/json" ? "/?Action=ListEventBuses&SignatureMethod=HmacSHA256&Signature=abc" : "/";

        var response = await http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, contentType));

        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["Response"]!["Error"]!;
        Assert.Equal("AuthFailure.InvalidAuthorization", error["Code"]!.GetValue<string>());
        Assert.Contains("TC3-HMAC-SHA256", error["Message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoActionNoLegacySignature_IsStillMissingParameterAction()
    {
        using var http = _factory.CreateClient();

        var response = await http.PostAsync(new Uri("/", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));

        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["Response"]!["Error"]!;
        Assert.Equal("MissingParameter", error["Code"]!.GetValue<string>());
    }

    [Fact]
    public async Task DliListQueues_FiltersByTags()
    {
        foreach (var (name, env) in new[] { ("qa", "prod"), ("qb", "test"), ("qc", (string?)null) })
        {
            var tags = env is null ? Array.Empty<object>() : [new { key = "env", value = env }, new { key = "team", value = "data" }];
            Assert.Equal(HttpStatusCode.OK, (await _huawei.PostAsync(DliCalls.Queues, new { queue_name = name, cu_count = 16, tags })).StatusCode);
        }

        Assert.Equal(["qa"], await QueueNamesAsync("tags=env=prod"));
        Assert.Equal(["qa", "qb"], await QueueNamesAsync("tags=team=data"));
        Assert.Equal(["qb"], await QueueNamesAsync("tags=team=data,env=test"));
        Assert.Empty(await QueueNamesAsync("tags=env=none"));
        Assert.Equal(["qa", "qb", "qc"], await QueueNamesAsync(""));
        await DliCalls.AssertErrorAsync(await _huawei.SendAsync(HttpMethod.Get, $"{DliCalls.Queues}?tags=env"), HttpStatusCode.BadRequest, "DLI.0001", "key=value");
        var tooMany = string.Join(",", Enumerable.Range(0, 21).Select(i => $"k{i}=v"));
        await DliCalls.AssertErrorAsync(await _huawei.SendAsync(HttpMethod.Get, $"{DliCalls.Queues}?tags={tooMany}"), HttpStatusCode.BadRequest, "DLI.0001", "at most 20");
    }

    [Fact]
    public async Task DliShowQuota_AnswersQueuesAndConnectionsWithUse()
    {
        await DliCalls.CreateQueueAsync(_huawei, "q1");
        await DliCalls.CreateConnectionAsync(_huawei, "c1");

        var response = await _huawei.SendAsync(HttpMethod.Get, $"/v3/{JunctionFactory.ProjectId}/quotas");

        var body = await HuaweiClient.JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body["is_success"]!.GetValue<bool>());
        var resources = body["quotas"]!["resources"]!.AsArray();
        var queues = resources.Single(r => r!["type"]!.GetValue<string>() == "QUEUE")!;
        Assert.Equal(1, queues["used"]!.GetValue<long>());
        Assert.Equal(100, queues["quota"]!.GetValue<int>());
        var connections = resources.Single(r => r!["type"]!.GetValue<string>() == "ENHANCED_CONNECTION")!;
        Assert.Equal(1, connections["used"]!.GetValue<long>());
    }

    [Fact]
    public async Task UnknownDliV3Paths_AnswerInDlisEnvelope()
    {
        await DliCalls.AssertErrorAsync(
            await _huawei.SendAsync(HttpMethod.Get, $"/v3/{JunctionFactory.ProjectId}/queues/q1/properties"), HttpStatusCode.NotFound, "DLI.0023", "no API");
        await DliCalls.AssertErrorAsync(
            await _huawei.SendAsync(HttpMethod.Post, $"/v3/{JunctionFactory.ProjectId}/quotas", "{}"), HttpStatusCode.NotFound, "DLI.0023", "no API at POST");
    }

    private async Task<List<string>> QueueNamesAsync(string query)
    {
        var response = await _huawei.SendAsync(HttpMethod.Get, $"{DliCalls.Queues}?queue_type=all&{query}");
        var body = await HuaweiClient.JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        return [.. body["queues"]!.AsArray().Select(q => q!["queue_name"]!.GetValue<string>())];
    }
}
