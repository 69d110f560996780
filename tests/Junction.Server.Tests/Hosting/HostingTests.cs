using System.Net;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Junction.Server.Tests.Hosting;

public sealed class HostingTests
{
    [Fact]
    public async Task Probes_AnswerLiveAndReady()
    {
        using var factory = new JunctionFactory();
        using var http = factory.CreateClient();

        var live = await http.GetAsync("/healthz");
        var ready = await http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal("sqlite", body["database"]!.GetValue<string>());
        Assert.True(body["schema"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task Bootstrap_SecondStartOnSameData_KeepsTheFirstTenant()
    {
        using var first = new JunctionFactory();
        using (var http = first.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        }

        // Same data folder, different credential variables: the stored tenant wins, the variables are ignored.
        using var second = new JunctionFactory()
            .With("Junction:DataDirectory", first.DataDirectory)
            .With("JUNCTION_ACCESS_KEY", "ANOTHERACCESSKEY0001");
        var client = second.CreateHuaweiClient();
        var response = await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        client.AccessKey = "ANOTHERACCESSKEY0001";
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections")).StatusCode);
    }

    [Fact]
    public void Bootstrap_InvalidVariable_FailsStartNamingIt()
    {
        using var factory = new JunctionFactory().With("JUNCTION_ACCOUNT_ID", "not-digits");

        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());

        Assert.Contains("JUNCTION_ACCOUNT_ID must be 5 to 20 digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_InvalidValue_FailsStartNamingTheKey()
    {
        using var factory = new JunctionFactory().With("Junction:Quotas:EgConnections", "0");

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("EgConnections", error.Message, StringComparison.Ordinal);
    }
}
