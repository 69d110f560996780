using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;

namespace Junction.Server.Tests.Api.Admin;

public sealed class AdminTenantsApiTests : IDisposable
{
    private readonly JunctionFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Tenants_CreateUseRotateRevoke()
    {
        var created = await SendAsync(HttpMethod.Post, "/junction/v1/tenants", """{"domain_name":"acme","project_id":"acmeproject01","account_id":"200000000002"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var tenantId = body["tenant"]!["id"]!.GetValue<string>();
        var ak = body["access_key"]!["id"]!.GetValue<string>();
        var sk = body["access_key"]!["secret"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(body["user"]!["password"]!.GetValue<string>()));

        // The new tenant works at once, in its own project only.
        var client = new HuaweiClient(_factory.CreateClient(), _factory.Time, ak, sk);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/v1/acmeproject01/connections")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections")).StatusCode);

        // Rotate: a second key, then revoke the first; a secret is shown only when it is created.
        var second = JsonNode.Parse(await (await SendAsync(HttpMethod.Post, $"/junction/v1/tenants/{tenantId}/access-keys", "{}")).Content.ReadAsStringAsync())!;
        var keys = await (await SendAsync(HttpMethod.Get, $"/junction/v1/tenants/{tenantId}/access-keys")).Content.ReadAsStringAsync();
        Assert.Equal(2, JsonNode.Parse(keys)!["items"]!.AsArray().Count);
        Assert.DoesNotContain(sk, keys, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"/junction/v1/tenants/{tenantId}/access-keys/{ak}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, "/v1/acmeproject01/connections")).StatusCode);
        var rotated = new HuaweiClient(_factory.CreateClient(), _factory.Time, second["id"]!.GetValue<string>(), second["secret"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await rotated.SendAsync(HttpMethod.Get, "/v1/acmeproject01/connections")).StatusCode);

        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Post, "/junction/v1/tenants", """{"domain_name":"acme"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Post, "/junction/v1/tenants", """{"domain_name":"a b","account_id":"x"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, $"/junction/v1/tenants/{tenantId}/access-keys/{ak}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/junction/v1/tenants/nobody/access-keys")).StatusCode);
        var tenants = JsonNode.Parse(await (await SendAsync(HttpMethod.Get, "/junction/v1/tenants")).Content.ReadAsStringAsync())!;
        Assert.Equal(2, tenants["items"]!.AsArray().Count);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", JunctionFactory.AdminKey);
        return _factory.CreateClient().SendAsync(request);
    }
}
