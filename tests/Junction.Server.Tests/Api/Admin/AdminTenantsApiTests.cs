using System.Net;
using System.Text;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;

namespace Junction.Server.Tests.Api.Admin;

public sealed class AdminTenantsApiTests : IDisposable
{
    private readonly JunctionFactory _factory = new();
    private readonly AdminClient _admin;

    public AdminTenantsApiTests() => _admin = new AdminClient(_factory.CreateClient());

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Tenants_CreateUseAddRevoke()
    {
        var (status, body) = await _admin.PostAsync("/tenants", """{"domain_name":"acme","project_id":"acmeproject01","account_id":"200000000002"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var tenantId = body!["tenant"]!["id"]!.GetValue<string>();
        var ak = body["access_key"]!["id"]!.GetValue<string>();
        var sk = body["access_key"]!["secret"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(body["user"]!["password"]!.GetValue<string>()));
        Assert.Equal("acme", (await _admin.GetAsync($"/tenants/{tenantId}")).Body!["domain_name"]!.GetValue<string>());

        // The new tenant works at once, in its own project only.
        var client = new HuaweiClient(_factory.CreateClient(), _factory.Time, ak, sk);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/v1/acmeproject01/connections")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections")).StatusCode);

        // A second key, then revoke the first; a secret is shown only when it is created.
        var second = (await _admin.PostAsync($"/tenants/{tenantId}/access-keys")).Body!;
        var keys = (await _admin.GetAsync($"/tenants/{tenantId}/access-keys")).Body!;
        Assert.Equal(2, keys["items"]!.AsArray().Count);
        Assert.DoesNotContain(sk, keys.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/tenants/{tenantId}/access-keys/{ak}")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, "/v1/acmeproject01/connections")).StatusCode);
        var next = new HuaweiClient(_factory.CreateClient(), _factory.Time, second["id"]!.GetValue<string>(), second["secret"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await next.SendAsync(HttpMethod.Get, "/v1/acmeproject01/connections")).StatusCode);

        Assert.Equal(2, (await _admin.GetAsync("/tenants")).Body!["items"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("""{"domain_name":"junction"}""", HttpStatusCode.Conflict, "Junction.Conflict", "already exists")]
    [InlineData("""{"domain_name":"a b"}""", HttpStatusCode.BadRequest, "Junction.InvalidParameter", "domain_name may contain only")]
    [InlineData("""{"domain_name":"ok","account_id":"x"}""", HttpStatusCode.BadRequest, "Junction.InvalidParameter", "account_id must be 5 to 20 digits")]
    [InlineData("""{"domain_name":"ok","project_id":"has space"}""", HttpStatusCode.BadRequest, "Junction.InvalidParameter", "project_id must be")]
    [InlineData("""{"domain_name":"ok","user":"no/slash"}""", HttpStatusCode.BadRequest, "Junction.InvalidParameter", "user must be")]
    [InlineData("""{}""", HttpStatusCode.BadRequest, "Junction.InvalidParameter", "domain_name")]
    [InlineData("""[1]""", HttpStatusCode.BadRequest, "Junction.InvalidParameter", "object")]
    [InlineData("""{"domain_name":""", HttpStatusCode.BadRequest, "Junction.InvalidParameter", "JSON")]
    public async Task CreateTenant_BadInput_NamesTheProblem(string json, HttpStatusCode status, string code, string fragment)
    {
        AdminClient.AssertError(await _admin.PostAsync("/tenants", json), status, code, fragment);
        Assert.Single((await _admin.GetAsync("/tenants")).Body!["items"]!.AsArray());
    }

    [Fact]
    public async Task CreateTenant_OversizedBody_Answers413()
    {
        var json = $$"""{"domain_name":"big","pad":"{{new string('x', 1024 * 1024)}}"}""";
        AdminClient.AssertError(await _admin.PostAsync("/tenants", json), HttpStatusCode.RequestEntityTooLarge, "Junction.RequestTooLarge", "larger than");
    }

    [Fact]
    public async Task AccessKey_Rotate_ReplacesTheOldKeyAtOnce()
    {
        var tenant = await FirstTenantAsync();
        var client = _factory.CreateHuaweiClient();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections")).StatusCode);

        var (status, rotated) = await _admin.PostAsync($"/tenants/{tenant}/access-keys/{JunctionFactory.AccessKey}/rotate");

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(JunctionFactory.AccessKey, rotated!["replaces"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections")).StatusCode);
        var fresh = new HuaweiClient(_factory.CreateClient(), _factory.Time, rotated["id"]!.GetValue<string>(), rotated["secret"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await fresh.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections")).StatusCode);
        var keys = (await _admin.GetAsync($"/tenants/{tenant}/access-keys")).Body!["items"]!.AsArray();
        Assert.Equal(rotated["id"]!.GetValue<string>(), Assert.Single(keys)!["id"]!.GetValue<string>());
        AdminClient.AssertError(await _admin.PostAsync($"/tenants/{tenant}/access-keys/{JunctionFactory.AccessKey}/rotate"),
            HttpStatusCode.NotFound, "Junction.NotFound", $"no access key '{JunctionFactory.AccessKey}'");
    }

    [Fact]
    public async Task UnknownTenant_Answers404Everywhere()
    {
        AdminClient.AssertError(await _admin.GetAsync("/tenants/nobody"), HttpStatusCode.NotFound, "Junction.NotFound", "tenant 'nobody' does not exist");
        AdminClient.AssertError(await _admin.GetAsync("/tenants/nobody/access-keys"), HttpStatusCode.NotFound, "Junction.NotFound", "'nobody'");
        AdminClient.AssertError(await _admin.PostAsync("/tenants/nobody/access-keys"), HttpStatusCode.NotFound, "Junction.NotFound", "'nobody'");
        AdminClient.AssertError(await _admin.DeleteAsync("/tenants/nobody/access-keys/AK"), HttpStatusCode.NotFound, "Junction.NotFound", "no access key 'AK'");
        AdminClient.AssertError(await _admin.GetAsync("/tenants/nobody/users"), HttpStatusCode.NotFound, "Junction.NotFound", "'nobody'");
        AdminClient.AssertError(await _admin.PostAsync("/tenants/nobody/users", """{"name":"x"}"""), HttpStatusCode.NotFound, "Junction.NotFound", "'nobody'");
        AdminClient.AssertError(await _admin.PutAsync("/tenants/nobody/users/x/password", "{}"), HttpStatusCode.NotFound, "Junction.NotFound", "no user 'x'");
        AdminClient.AssertError(await _admin.DeleteAsync("/tenants/nobody/users/x"), HttpStatusCode.NotFound, "Junction.NotFound", "no user 'x'");
    }

    [Fact]
    public async Task Users_CreateSetPasswordDelete_DriveTheTokenEndpoint()
    {
        var tenant = await FirstTenantAsync();
        var (status, created) = await _admin.PostAsync($"/tenants/{tenant}/users", """{"name":"ops","password":"chosen-password-1"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Null(created!["password"]); // chosen by the caller: not echoed
        Assert.Equal(HttpStatusCode.Created, await TokenStatusAsync("ops", "chosen-password-1"));

        var generated = (await _admin.PostAsync($"/tenants/{tenant}/users", """{"name":"bot"}""")).Body!["password"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Created, await TokenStatusAsync("bot", generated));

        var users = (await _admin.GetAsync($"/tenants/{tenant}/users")).Body!;
        Assert.Equal(["admin", "bot", "ops"], users["items"]!.AsArray().Select(u => u!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("password", users.ToJsonString(), StringComparison.Ordinal);

        var reset = (await _admin.PutAsync($"/tenants/{tenant}/users/ops/password", "{}")).Body!["password"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAsync("ops", "chosen-password-1"));
        Assert.Equal(HttpStatusCode.Created, await TokenStatusAsync("ops", reset));

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/tenants/{tenant}/users/ops")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAsync("ops", reset));

        AdminClient.AssertError(await _admin.PostAsync($"/tenants/{tenant}/users", """{"name":"bot"}"""), HttpStatusCode.Conflict, "Junction.Conflict", "already has a user 'bot'");
        AdminClient.AssertError(await _admin.PostAsync($"/tenants/{tenant}/users", """{"name":"x","password":"short"}"""),
            HttpStatusCode.BadRequest, "Junction.InvalidParameter", "password must be 8 to 128 characters");
        AdminClient.AssertError(await _admin.PostAsync($"/tenants/{tenant}/users", """{"password":"long-enough"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "name");
        AdminClient.AssertError(await _admin.PutAsync($"/tenants/{tenant}/users/bot/password", """{"password":7}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "password");
        AdminClient.AssertError(await _admin.DeleteAsync($"/tenants/{tenant}/users/ops"), HttpStatusCode.NotFound, "Junction.NotFound", "no user 'ops'");
    }

    private async Task<string> FirstTenantAsync() =>
        (await _admin.GetAsync("/tenants")).Body!["items"]![0]!["id"]!.GetValue<string>();

    private async Task<HttpStatusCode> TokenStatusAsync(string user, string password)
    {
        using var http = _factory.CreateClient();
        var json = Iam.IamTokensApiTests.TokenRequestJson(user, password, JunctionFactory.ProjectId);
        using var response = await http.PostAsync("/v3/auth/tokens", new StringContent(json, Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }
}
