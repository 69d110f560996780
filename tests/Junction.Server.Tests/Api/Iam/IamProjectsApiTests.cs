using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;

namespace Junction.Server.Tests.Api.Iam;

/// <summary>
/// What the Huawei SDK cores ask IAM before their first call (the project id of AK/SK credentials given with a region
/// only), token validation, and IAM's own envelope for paths it does not have.
/// </summary>
public sealed class IamProjectsApiTests : IDisposable
{
    private readonly JunctionFactory _factory = new JunctionFactory().With("Junction:Region", "cn-north-4");
    private readonly HuaweiClient _client;

    public IamProjectsApiTests() => _client = _factory.CreateHuaweiClient();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task SdkProjectLookup_ByRegionName_AnswersTheCallersProject()
    {
        var response = await _client.SendAsync(HttpMethod.Get, "/v3/projects?name=cn-north-4");

        var body = await OkAsync(response);
        var project = Assert.Single(body["projects"]!.AsArray())!;
        Assert.Equal(JunctionFactory.ProjectId, project["id"]!.GetValue<string>());
        Assert.Equal("cn-north-4", project["name"]!.GetValue<string>());
        Assert.True(project["enabled"]!.GetValue<bool>());
        var domainId = project["domain_id"]!.GetValue<string>();
        Assert.Equal(domainId, project["parent_id"]!.GetValue<string>());
        Assert.EndsWith("/v3/projects?name=cn-north-4", body["links"]!["self"]!.GetValue<string>(), StringComparison.Ordinal);

        // The filters of Keystone: another region, another domain, disabled, page 2 — nothing; enabled and domain — it.
        foreach (var query in new[] { "name=cn-south-1", "domain_id=other", "enabled=false", "is_domain=true", "page=2" })
        {
            Assert.Empty((await OkAsync(await _client.SendAsync(HttpMethod.Get, $"/v3/projects?{query}")))["projects"]!.AsArray());
        }

        Assert.Single((await OkAsync(await _client.SendAsync(HttpMethod.Get, $"/v3/projects?enabled=true&domain_id={domainId}&per_page=10")))["projects"]!.AsArray());
        await AssertIamErrorAsync(await _client.SendAsync(HttpMethod.Get, "/v3/projects?enabled=maybe"), 400, "enabled must be true or false");
    }

    [Fact]
    public async Task AuthProjects_AuthDomains_Regions_AnswerTheCallersOwn()
    {
        var projects = await OkAsync(await _client.SendAsync(HttpMethod.Get, "/v3/auth/projects"));
        Assert.Equal(JunctionFactory.ProjectId, Assert.Single(projects["projects"]!.AsArray())!["id"]!.GetValue<string>());
        var domains = await OkAsync(await _client.SendAsync(HttpMethod.Get, "/v3/auth/domains"));
        Assert.Equal("junction", Assert.Single(domains["domains"]!.AsArray())!["name"]!.GetValue<string>());
        var regions = await OkAsync(await _client.SendAsync(HttpMethod.Get, "/v3/regions"));
        var region = Assert.Single(regions["regions"]!.AsArray())!;
        Assert.Equal("cn-north-4", region["id"]!.GetValue<string>());
        Assert.Equal("public", region["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Lookups_WithoutOrWithWrongCredentials_Are401InIamsEnvelope()
    {
        using var http = _factory.CreateClient();
        await AssertIamErrorAsync(await http.GetAsync(new Uri("/v3/projects?name=cn-north-4", UriKind.Relative)), 401, "requires authentication");
        _client.SecretKey = "wrong-secret-key-0123456789abcdef";
        await AssertIamErrorAsync(await _client.SendAsync(HttpMethod.Get, "/v3/projects"), 401, "requires authentication");
    }

    [Fact]
    public async Task TokenValidation_OwnTokenIsDescribed_BadOrMissingSubjectIsRefused()
    {
        using var http = _factory.CreateClient();
        var issued = await http.PostAsync(new Uri("/v3/auth/tokens", UriKind.Relative),
            new StringContent(IamTokensApiTests.TokenRequestJson(JunctionFactory.User, JunctionFactory.Password, JunctionFactory.ProjectId), Encoding.UTF8, "application/json"));
        var token = Assert.Single(issued.Headers.GetValues("X-Subject-Token"));

        // Checked with AK/SK, and with the token itself as X-Auth-Token.
        var checkedBySignature = await _client.SendAsync(HttpMethod.Get, "/v3/auth/tokens", tamper: r => r.Headers.Add("X-Subject-Token", token));
        var body = await OkAsync(checkedBySignature);
        Assert.Equal(JunctionFactory.User, body["token"]!["user"]!["name"]!.GetValue<string>());
        Assert.Equal(JunctionFactory.ProjectId, body["token"]!["project"]!["id"]!.GetValue<string>());
        Assert.Equal(token, Assert.Single(checkedBySignature.Headers.GetValues("X-Subject-Token")));
        using var self = new HttpRequestMessage(HttpMethod.Head, "/v3/auth/tokens");
        self.Headers.Add("X-Auth-Token", token);
        self.Headers.Add("X-Subject-Token", token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(self)).StatusCode);

        await AssertIamErrorAsync(await _client.SendAsync(HttpMethod.Get, "/v3/auth/tokens", tamper: r => r.Headers.Add("X-Subject-Token", "not-a-token")), 404, "not valid");
        await AssertIamErrorAsync(await _client.SendAsync(HttpMethod.Get, "/v3/auth/tokens"), 400, "X-Subject-Token is required");
    }

    [Fact]
    public async Task UnknownIamPaths_AnswerInIamsEnvelope_NotEgs()
    {
        await AssertIamErrorAsync(await _client.SendAsync(HttpMethod.Get, "/v3/users"), 404, "no API at GET /v3/users");
        await AssertIamErrorAsync(await _client.SendAsync(HttpMethod.Get, "/v3.0/OS-CREDENTIAL/credentials"), 404, "no API");
        await AssertIamErrorAsync(await _client.SendAsync(HttpMethod.Delete, "/v3/projects"), 404, "no API at DELETE /v3/projects");
    }

    [Fact]
    public async Task FirstTenantsDomain_ComesFromJunctionDomain()
    {
        using var factory = new JunctionFactory().With("JUNCTION_DOMAIN", "acme-corp");
        var client = factory.CreateHuaweiClient();

        var domains = await OkAsync(await client.SendAsync(HttpMethod.Get, "/v3/auth/domains"));

        Assert.Equal("acme-corp", Assert.Single(domains["domains"]!.AsArray())!["name"]!.GetValue<string>());
    }

    private static async Task<JsonObject> OkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task AssertIamErrorAsync(HttpResponseMessage response, int status, string contains)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal(status, error["code"]!.GetValue<int>());
        Assert.Contains(contains, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
