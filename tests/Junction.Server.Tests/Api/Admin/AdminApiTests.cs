using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;

namespace Junction.Server.Tests.Api.Admin;

public sealed class AdminApiTests : IDisposable
{
    private readonly JunctionFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Connections_OneViewAcrossTheThreeFaces_WithFilters()
    {
        var huawei = _factory.CreateHuaweiClient();
        Assert.Equal(HttpStatusCode.OK, (await huawei.PostAsync($"/v1/{JunctionFactory.ProjectId}/connections", new { name = "eg-one", vpc_id = "v", subnet_id = "s" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await huawei.PostAsync($"/v2.0/{JunctionFactory.ProjectId}/datasource/enhanced-connections", new { name = "dli_one", dest_vpc_id = "v", dest_network_id = "s" })).StatusCode);
        var tencent = _factory.CreateTencentClient();
        var bus = (await tencent.CallAsync("CreateEventBus", new { EventBusName = "admin-bus" }))["EventBusId"]!.GetValue<string>();
        var created = await tencent.CallAsync("CreateConnection", new
        {
            EventBusId = bus,
            ConnectionName = "eb-one",
            ConnectionDescription = new
            {
                ResourceDescription = $"qcs::apigw:ap-guangzhou:uin/{JunctionFactory.AccountId}:serviceid/service-1",
                APIGWParams = new { Protocol = "HTTPS", Method = "POST" },
            },
        });
        Assert.NotNull(created["ConnectionId"]);

        var all = await GetAsync("/junction/v1/connections");
        Assert.Equal(3, all["total"]!.GetValue<int>());
        Assert.Equal(["dli", "eb", "eg"], all["items"]!.AsArray().Select(i => i!["face"]!.GetValue<string>()).Order());
        Assert.Equal("eb-one", (await GetAsync("/junction/v1/connections?face=eb"))["items"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(3, (await GetAsync("/junction/v1/connections?state=pending"))["total"]!.GetValue<int>());
        Assert.Equal(0, (await GetAsync("/junction/v1/connections?state=Ready"))["total"]!.GetValue<int>());
        Assert.Single((await GetAsync("/junction/v1/connections?limit=1"))["items"]!.AsArray());
        Assert.Equal("dli_one", (await GetAsync("/junction/v1/connections?q=li_o"))["items"]![0]!["name"]!.GetValue<string>());
        var byId = all["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(byId, (await GetAsync($"/junction/v1/connections?q={byId[..12]}"))["items"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(0, (await GetAsync("/junction/v1/connections?q=nothing-matches"))["total"]!.GetValue<int>());
        // Issue 20: a tenant by its project id, account id or domain name, not only its internal id; an unknown one is 404.
        foreach (var name in new[] { JunctionFactory.ProjectId, JunctionFactory.AccountId, "junction" })
        {
            Assert.Equal(3, (await GetAsync($"/junction/v1/connections?tenant_id={name}"))["total"]!.GetValue<int>());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync("/junction/v1/connections?tenant_id=nobody")).StatusCode);

        // The operator deletes connections of every face, each by its face's rules.
        foreach (var item in all["items"]!.AsArray())
        {
            Assert.Equal(HttpStatusCode.NoContent, (await SendAsync($"/junction/v1/connections/{item!["id"]}", HttpMethod.Delete)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await huawei.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections/{all["items"]!.AsArray().Single(i => i!["face"]!.GetValue<string>() == "eg")!["id"]}")).StatusCode);
        var dliId = all["items"]!.AsArray().Single(i => i!["face"]!.GetValue<string>() == "dli")!["id"]!.GetValue<string>();
        var dliShown = await Junction.Testing.HuaweiClient.JsonAsync(await huawei.SendAsync(HttpMethod.Get, $"/v2.0/{JunctionFactory.ProjectId}/datasource/enhanced-connections/{dliId}"));
        Assert.Equal("DELETED", dliShown["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync($"/junction/v1/connections/{dliId}", HttpMethod.Delete)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync($"/junction/v1/connections/{Guid.NewGuid()}", HttpMethod.Delete)).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync("/junction/v1/connections?face=aws")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync("/junction/v1/connections?state=Sleeping")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync("/junction/v1/connections?limit=0")).StatusCode);
        using var anonymous = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/junction/v1/connections")).StatusCode);
        var unknown = await SendAsync("/junction/v1/nothing");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("Junction.NotFound", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    private async Task<JsonObject> GetAsync(string path)
    {
        var response = await SendAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private Task<HttpResponseMessage> SendAsync(string path, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", JunctionFactory.AdminKey);
        return _factory.CreateClient().SendAsync(request);
    }
}
