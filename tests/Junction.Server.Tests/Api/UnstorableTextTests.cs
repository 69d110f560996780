using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;

namespace Junction.Server.Tests.Api;

/// <summary>
/// Issue 19, items 6 and 7: a lone-surrogate escape (<c>"\ud800"</c>) or a NUL (<c>"\u0000"</c>) in any string field is
/// answered with the face's own 400-level error naming the field — it was a 500 with a stack trace on every face, the
/// unauthenticated IAM endpoint included, and a NUL was a 500 on PostgreSQL — and nothing is stored.
/// </summary>
public sealed class UnstorableTextTests : IDisposable
{
    private readonly JunctionFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("\\ud800", "not valid Unicode")]
    [InlineData("a\\u0000b", "NUL character")]
    public async Task EgConnection_IsEgValidationError_NothingStored(string escaped, string expected)
    {
        var client = _factory.CreateHuaweiClient();
        var path = $"/v1/{JunctionFactory.ProjectId}/connections";

        var response = await client.SendAsync(HttpMethod.Post, path, $$"""{"name":"ok","vpc_id":"v","subnet_id":"s","description":"{{escaped}}"}""");

        var body = await ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("EG.00513000", body["error_code"]!.GetValue<string>());
        Assert.Contains("description", body["error_msg"] + " " + body["error_details"], StringComparison.Ordinal);
        Assert.Contains(expected, body["error_msg"] + " " + body["error_details"], StringComparison.Ordinal);
        Assert.Equal(0, (await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Get, path)))["total"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\u0000")]
    public async Task DliQueue_IsDliParameterError(string escaped)
    {
        var client = _factory.CreateHuaweiClient();

        var response = await client.SendAsync(HttpMethod.Post, DliCalls.Queues, $$"""{"queue_name":"q{{escaped}}","cu_count":16}""");

        var body = await ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("DLI.0001", body["error_code"]!.GetValue<string>());
        Assert.Contains("queue_name", body["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IamToken_Unauthenticated_IsKeystone400()
    {
        using var http = _factory.CreateClient();
        var json = """{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"\ud800","password":"x","domain":{"name":"junction"}}}}}}""";

        var response = await http.PostAsync(new Uri("/v3/auth/tokens", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        var body = await ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("auth.identity.password.user.name", body["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\u0000")]
    public async Task EbCreateEventBus_IsInvalidParameter(string escaped)
    {
        var client = _factory.CreateTencentClient();

        var response = await TencentClient.ResponseAsync(await client.SendAsync("CreateEventBus", $$"""{"EventBusName":"bus","Description":"{{escaped}}"}"""));

        Assert.Equal("InvalidParameter", TencentClient.ErrorCode(response));
        Assert.Contains("Description", response["Error"]!["Message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Item 7 for filters: a NUL in a query value (a 500 on PostgreSQL) is the face's 400. (One in the path never reaches
    /// Junction: Kestrel answers 400 itself, and the test server's client refuses to send it.)
    /// </summary>
    [Theory]
    [InlineData("/v1/{0}/connections?name=a%00b", "EG.00513000")]
    [InlineData("/v1/{0}/connections?fuzzy_name=%00", "EG.00513000")]
    [InlineData("/v2.0/{0}/datasource/enhanced-connections?tags=k%3Dv%00", "DLI.0001")]
    [InlineData("/v1.0/{0}/queues?tags=k%3D%00", "DLI.0001")]
    public async Task NulInQueryOrPath_IsTheFacesBadRequest(string template, string code)
    {
        var client = _factory.CreateHuaweiClient();

        var response = await client.SendAsync(HttpMethod.Get, string.Format(System.Globalization.CultureInfo.InvariantCulture, template, JunctionFactory.ProjectId));

        var body = await ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(code, body["error_code"]!.GetValue<string>());
        Assert.Contains("NUL character", body["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>Item 9: <c>^…$</c> matched before a final newline, so names ending in one passed validation.</summary>
    [Fact]
    public async Task NamesWithATrailingNewline_AreRefusedOnEveryFace()
    {
        var huawei = _factory.CreateHuaweiClient();
        var eg = await ErrorAsync(await huawei.PostAsync($"/v1/{JunctionFactory.ProjectId}/connections", new { name = "ok\n", vpc_id = "v", subnet_id = "s" }), HttpStatusCode.BadRequest);
        Assert.Equal("EG.00513000", eg["error_code"]!.GetValue<string>());
        var queue = await ErrorAsync(await huawei.PostAsync(DliCalls.Queues, new { queue_name = "q\n", cu_count = 16 }), HttpStatusCode.BadRequest);
        Assert.Equal("DLI.0001", queue["error_code"]!.GetValue<string>());
        var connection = await ErrorAsync(await huawei.PostAsync(DliCalls.Connections, new { name = "c\n", dest_vpc_id = "v", dest_network_id = "s" }), HttpStatusCode.BadRequest);
        Assert.Equal("DLI.0001", connection["error_code"]!.GetValue<string>());
        var bus = await TencentClient.ResponseAsync(await _factory.CreateTencentClient().SendAsync("CreateEventBus", new { EventBusName = "bus\n" }));
        Assert.Equal("InvalidParameterValue.EventBusName", TencentClient.ErrorCode(bus));
    }

    private static async Task<JsonObject> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
