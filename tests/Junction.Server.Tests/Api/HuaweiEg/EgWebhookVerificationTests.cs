using System.Net;
using Junction.Server.Tests.Infrastructure;
using Junction.Verification.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.HuaweiEg;

/// <summary>
/// A WEBHOOK connection is verified by the targets that use it: before any does, its status says nothing was
/// contacted; once one does, the target's URL is requested through it, and the status says what answered.
/// </summary>
public sealed class EgWebhookVerificationTests : IAsyncLifetime
{
    private EgDataPlaneFixture _eg = null!;

    public async Task InitializeAsync() => _eg = await EgDataPlaneFixture.StartAsync();

    public async Task DisposeAsync() => await _eg.DisposeAsync();

    private Task<int> VerifyAsync() => _eg.Factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

    private async Task<(string Status, string Message)> HistoryAsync(string id)
    {
        var (status, body) = await _eg.Admin.GetAsync($"/connections/{id}/history");
        Assert.Equal(HttpStatusCode.OK, status);
        var latest = body!["history"]![0]!;
        return (latest["to"]!.GetValue<string>(), latest["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task WithoutTargets_NothingIsContacted_ThenTheTargetsEndpointIsRequestedThroughIt()
    {
        var id = (await _eg.OkAsync(HttpMethod.Post, "/connections", new { name = "hook", vpc_id = "vpc-1", subnet_id = "subnet-1" }))["id"]!.GetValue<string>();
        await VerifyAsync();
        var (state, message) = await HistoryAsync(id);
        Assert.Equal("Ready", state);
        Assert.Contains("no subscription target uses this connection yet, so no endpoint was contacted", message, StringComparison.Ordinal);
        Assert.Empty(_eg.Receiver.Received);

        var channel = await _eg.ChannelAsync();
        await _eg.SubscriptionAsync(channel, "shop", [new { name = "HTTPS", provider_type = "CUSTOM", connection_id = id, detail = new { url = _eg.Receiver.Url + "/probe-me" }, transform = new { type = "ORIGINAL" } }]);
        Assert.Equal(1, await VerifyAsync());

        var probe = Assert.Single(_eg.Receiver.Received);
        Assert.Equal("HEAD", probe.Method);
        Assert.Equal("/probe-me", probe.Path);
        (state, message) = await HistoryAsync(id);
        Assert.Equal("Ready", state);
        Assert.Contains("answered HTTP 200", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetNobodyAnswers_FailsTheConnection_WithTheReason()
    {
        var id = (await _eg.OkAsync(HttpMethod.Post, "/connections", new { name = "hook", vpc_id = "vpc-1", subnet_id = "subnet-1" }))["id"]!.GetValue<string>();
        var channel = await _eg.ChannelAsync();
        await _eg.SubscriptionAsync(channel, "shop", [new { name = "HTTPS", provider_type = "CUSTOM", connection_id = id, detail = new { url = "http://127.0.0.1:1/nothing" }, transform = new { type = "ORIGINAL" } }]);
        await VerifyAsync();

        var shown = await _eg.OkAsync(HttpMethod.Get, $"/connections/{id}");
        Assert.Equal("CREATE_FAILED", shown["status"]!.GetValue<string>());
        Assert.Equal("JUNCTION.HTTP_UNREACHABLE", shown["error_info"]!["error_code"]!.GetValue<string>());
        Assert.Contains("127.0.0.1:1", shown["error_info"]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StrictNetworks_ATargetOutsideTheConnectionsNetwork_IsNeitherProbedNorDeliveredTo()
    {
        // The connection's network is 127.0.1.0/24; the receiver listens on 127.0.0.1, outside it.
        await using var eg = await EgDataPlaneFixture.StartAsync(f => f
            .With("Junction:Networks:Mode", "Strict")
            .With("Junction:Networks:Vpcs:0:Id", "vpc-1").With("Junction:Networks:Vpcs:0:Shared", "true").With("Junction:Networks:Vpcs:0:Cidr", "127.0.1.0/24")
            .With("Junction:Networks:Vpcs:0:Subnets:0:Id", "subnet-1").With("Junction:Networks:Vpcs:0:Subnets:0:Cidr", "127.0.1.0/24"));
        var id = (await eg.OkAsync(HttpMethod.Post, "/connections", new { name = "hook", vpc_id = "vpc-1", subnet_id = "subnet-1" }))["id"]!.GetValue<string>();
        var channel = await eg.ChannelAsync();
        await eg.SourceAsync(channel);
        await eg.SubscriptionAsync(channel, "shop", [new { name = "HTTPS", provider_type = "CUSTOM", connection_id = id, detail = new { url = eg.Receiver.Url + "/x" }, transform = new { type = "ORIGINAL" } }]);

        await eg.Factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);
        var shown = await eg.OkAsync(HttpMethod.Get, $"/connections/{id}");
        Assert.Equal("CREATE_FAILED", shown["status"]!.GetValue<string>());
        Assert.Contains("outside the network of connection 'hook' (127.0.1.0/24)", shown["error_info"]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);

        await eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await eg.DeliverAsync();
        var failed = (await eg.DeliveriesAsync())["items"]![0]!;
        Assert.Equal("Failed", failed["state"]!.GetValue<string>());
        Assert.Contains("outside the network of connection 'hook'", failed["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(eg.Receiver.Received);
    }

    /// <summary>
    /// Issue 19, item 4: the egress policy was global — any tenant's connection could reach into a network the operator
    /// declared for another tenant, by naming it or by addressing inside it (lax mode included). Networks now belong to
    /// a tenant or are shared on purpose.
    /// </summary>
    [Fact]
    public async Task AnotherTenantsNetwork_IsNeitherNamedNorReached_UntilItIsShared()
    {
        await using var eg = await EgDataPlaneFixture.StartAsync();
        var admin = new AdminClient(eg.Factory.CreateClient());
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/tenants", """{"domain_name":"beta","project_id":"betaproject01","account_id":"200000000009"}""")).Status);
        // Beta's network holds the address the receiver listens on.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/networks", """{"id":"vpc-beta","cidr":"127.0.0.1/32","tenant":"beta"}""")).Status);

        var named = (await eg.OkAsync(HttpMethod.Post, "/connections", new { name = "named", vpc_id = "vpc-beta", subnet_id = "s" }))["id"]!.GetValue<string>();
        var hook = (await eg.OkAsync(HttpMethod.Post, "/connections", new { name = "hook", vpc_id = "vpc-own", subnet_id = "s" }))["id"]!.GetValue<string>();
        var channel = await eg.ChannelAsync();
        await eg.SourceAsync(channel);
        await eg.SubscriptionAsync(channel, "shop", [new { name = "HTTPS", provider_type = "CUSTOM", connection_id = hook, detail = new { url = eg.Receiver.Url + "/x" }, transform = new { type = "ORIGINAL" } }]);
        await eg.Factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

        var namedShown = await eg.OkAsync(HttpMethod.Get, $"/connections/{named}");
        Assert.Equal("CREATE_FAILED", namedShown["status"]!.GetValue<string>());
        Assert.Contains("VPC 'vpc-beta' belongs to another tenant", namedShown["error_info"]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
        var hookShown = await eg.OkAsync(HttpMethod.Get, $"/connections/{hook}");
        Assert.Equal("CREATE_FAILED", hookShown["status"]!.GetValue<string>());
        Assert.Contains("lies in VPC 'vpc-beta' (127.0.0.1/32) of another tenant", hookShown["error_info"]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);

        await eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await eg.DeliverAsync();
        var failed = (await eg.DeliveriesAsync())["items"]![0]!;
        Assert.Equal("Failed", failed["state"]!.GetValue<string>());
        Assert.Contains("of another tenant", failed["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(eg.Receiver.Received);

        // Shared on purpose, the same address is reached.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/networks/vpc-beta")).Status);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/networks", """{"id":"vpc-beta","cidr":"127.0.0.1/32","shared":true}""")).Status);
        await eg.PutAsync(channel, EgDataPlaneFixture.Event("e-2"));
        await eg.DeliverAsync();
        Assert.Single(eg.Receiver.Received);
    }
}
