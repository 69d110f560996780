using System.Net;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.Admin;

public sealed class AdminOpenApiTests : IDisposable
{
    private readonly JunctionFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    /// <summary>
    /// The committed document (docs/api/admin.openapi.json) is what the server serves. After changing the admin API,
    /// run the tests with JUNCTION_UPDATE_OPENAPI=1 once to rewrite it, and commit it.
    /// </summary>
    [Fact]
    public async Task ServedDocument_IsTheCommittedOne()
    {
        using var http = _factory.CreateClient();
        var served = JsonNode.Parse(await http.GetStringAsync("/junction/v1/openapi.json"))!;
        var path = Path.Combine(Junction.Testing.Loopback.RepositoryRoot(), "docs", "api", "admin.openapi.json");
        if (Environment.GetEnvironmentVariable("JUNCTION_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        Assert.True(JsonNode.DeepEquals(served, committed),
            "docs/api/admin.openapi.json differs from the served document: run the tests with JUNCTION_UPDATE_OPENAPI=1 and commit the file");
        Assert.Equal("3.1.1", served["openapi"]!.GetValue<string>());
    }

    [Fact]
    public async Task EveryAdminEndpoint_IsDocumented_AndRefusesCallsWithoutTheOperatorKey()
    {
        using var http = _factory.CreateClient();
        var document = JsonNode.Parse(await http.GetStringAsync("/junction/v1/openapi.json"))!;
        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Method: o.Key.ToUpperInvariant(), Path: p.Key)))
            .ToHashSet();
        var mapped = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/junction/v1/", StringComparison.Ordinal) == true && !e.RoutePattern.RawText.EndsWith("openapi.json", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m, Path: e.RoutePattern.RawText!)))
            .ToHashSet();
        Assert.Equal(38, mapped.Count);
        Assert.Subset(documented, mapped);
        Assert.Subset(mapped, documented);

        foreach (var key in new string?[] { null, "wrong-key-0123456789" })
        {
            var admin = new AdminClient(http, key);
            foreach (var (method, path) in mapped)
            {
                var concrete = path["/junction/v1".Length..].Replace("{id}", "x", StringComparison.Ordinal).Replace("{key}", "k", StringComparison.Ordinal)
                    .Replace("{name}", "n", StringComparison.Ordinal).Replace("{subnet}", "s", StringComparison.Ordinal);
                var answer = await admin.SendAsync(new HttpMethod(method), concrete, method is "POST" or "PUT" ? "{}" : null);
                AdminClient.AssertError(answer, HttpStatusCode.Unauthorized, "Junction.Unauthorized", key is null ? "Authorization: Bearer" : "wrong");
            }
        }
    }

    [Fact]
    public async Task WithoutAConfiguredKey_TheAdminApiIsClosed()
    {
        using var factory = new JunctionFactory().With("Junction:Admin:Key", null);
        AdminClient.AssertError(await new AdminClient(factory.CreateClient()).GetAsync("/tenants"), HttpStatusCode.Unauthorized, "Junction.Unauthorized", "disabled");
    }
}
