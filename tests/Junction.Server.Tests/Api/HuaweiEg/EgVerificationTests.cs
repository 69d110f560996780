using Junction.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Junction.Verification.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.HuaweiEg;

/// <summary>EG status through the verification engine: what a client reads is what the engine found.</summary>
public sealed class EgVerificationTests : IDisposable
{
    private const string Base = $"/v1/{JunctionFactory.ProjectId}/connections";
    private readonly MockKafkaCluster _cluster = new();
    private readonly JunctionFactory _factory = new();
    private readonly HuaweiClient _client;

    public EgVerificationTests() => _client = _factory.CreateHuaweiClient();

    public void Dispose()
    {
        _factory.Dispose();
        _cluster.Dispose();
    }

    [Fact]
    public async Task Kafka_ReachableCluster_BecomesCreated()
    {
        var id = await CreateKafkaAsync("reachable", _cluster.Bootstrap);
        Assert.Equal("CREATING", (await ShowAsync(id))["status"]!.GetValue<string>());

        await RunEngineAsync();

        var shown = await ShowAsync(id);
        Assert.Equal("CREATED", shown["status"]!.GetValue<string>());
        Assert.Empty(shown["error_info"]!.AsObject());
    }

    [Fact]
    public async Task Kafka_NothingListening_BecomesCreateFailedWithErrorInfo()
    {
        var id = await CreateKafkaAsync("unreachable", "127.0.0.1:1");

        await RunEngineAsync();

        var shown = await ShowAsync(id);
        Assert.Equal("CREATE_FAILED", shown["status"]!.GetValue<string>());
        var error = shown["error_info"]!;
        Assert.Equal("JUNCTION.KAFKA_UNREACHABLE", error["error_code"]!.GetValue<string>());
        Assert.Contains("127.0.0.1:1", error["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error["error_detail"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Kafka_SeedExampleAddress_IsRefusedByEgressPolicy_NotContacted()
    {
        var id = await CreateKafkaAsync("outside", "192.168.0.1:9092");

        await RunEngineAsync();

        var error = (await ShowAsync(id))["error_info"]!;
        Assert.Equal("JUNCTION.EGRESS_REFUSED", error["error_code"]!.GetValue<string>());
        Assert.Contains("192.168.0.1 is outside the allowed networks (allowed: 127.0.0.0/8)", error["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_LaxMode_BecomesCreatedAndHistorySaysNetworkWasNotChecked()
    {
        var created = await _client.PostAsync(Base, new { name = "hook", vpc_id = "vpc-x", subnet_id = "subnet-x" });
        var id = (await HuaweiClient.JsonAsync(created))["id"]!.GetValue<string>();

        await RunEngineAsync();

        Assert.Equal("CREATED", (await ShowAsync(id))["status"]!.GetValue<string>());
        var history = await AdminGetAsync($"/junction/v1/connections/{id}/history");
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        var entry = JsonNode.Parse(await history.Content.ReadAsStringAsync())!["history"]![0]!;
        Assert.Equal("Pending", entry["from"]!.GetValue<string>());
        Assert.Equal("Ready", entry["to"]!.GetValue<string>());
        Assert.Contains("network not checked: VPC 'vpc-x' is not declared", entry["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_StrictMode_UnknownNetwork_BecomesCreateFailed()
    {
        using var factory = new JunctionFactory().With("Junction:Networks:Mode", "Strict");
        var client = factory.CreateHuaweiClient();
        var id = (await HuaweiClient.JsonAsync(await client.PostAsync(Base, new { name = "strict", vpc_id = "vpc-x", subnet_id = "subnet-x" })))["id"]!.GetValue<string>();

        await factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

        var shown = await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Get, $"{Base}/{id}"));
        Assert.Equal("CREATE_FAILED", shown["status"]!.GetValue<string>());
        Assert.Equal("JUNCTION.NETWORK_UNKNOWN", shown["error_info"]!["error_code"]!.GetValue<string>());
    }

    [Fact]
    public async Task WithoutVerification_StaysCreating()
    {
        var id = await CreateKafkaAsync("never-checked", _cluster.Bootstrap);
        _factory.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal("CREATING", (await ShowAsync(id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AdminHistory_RequiresOperatorKey_AndKnowsUnknownIds()
    {
        using var http = _factory.CreateClient();
        var id = await CreateKafkaAsync("admin-view", _cluster.Bootstrap);

        var anonymous = await http.GetAsync($"/junction/v1/connections/{id}/history");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Junction.Unauthorized", JsonNode.Parse(await anonymous.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());

        var missing = await AdminGetAsync($"/junction/v1/connections/{Guid.NewGuid()}/history");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var view = await AdminGetAsync($"/junction/v1/connections/{id}");
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.Equal("Pending", JsonNode.Parse(await view.Content.ReadAsStringAsync())!["state"]!.GetValue<string>());
    }

    private async Task RunEngineAsync() =>
        await _factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

    private async Task<HttpResponseMessage> AdminGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", JunctionFactory.AdminKey);
        return await _factory.CreateClient().SendAsync(request);
    }

    private async Task<string> CreateKafkaAsync(string name, string addr)
    {
        var response = await _client.PostAsync(Base, new
        {
            name,
            vpc_id = "vpc-1",
            subnet_id = "subnet-1",
            type = "KAFKA",
            kafka_detail = new { instance_id = "inst-1", addr },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await HuaweiClient.JsonAsync(response))["id"]!.GetValue<string>();
    }

    private async Task<JsonObject> ShowAsync(string id) =>
        await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, $"{Base}/{id}"));
}
