using Junction.Testing;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Api.HuaweiEg;
using Junction.Server.Tests.Infrastructure;

namespace Junction.Server.Tests.Api.Iam;

public sealed class IamTokensApiTests : IDisposable
{
    private readonly JunctionFactory _factory = new();
    private readonly HttpClient _http;

    public IamTokensApiTests() => _http = _factory.CreateClient();

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }

    [Fact]
    public async Task Issue_RightPassword_Answers201WithSubjectTokenAndExpiry()
    {
        var response = await RequestTokenAsync(JunctionFactory.User, JunctionFactory.Password);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(Assert.Single(response.Headers.GetValues("X-Subject-Token"))));
        var token = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["token"]!;
        var expires = DateTimeOffset.Parse(token["expires_at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.Equal(_factory.Time.GetUtcNow().AddHours(24).ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
        Assert.Equal(JunctionFactory.ProjectId, token["project"]!["id"]!.GetValue<string>());
        Assert.Equal("password", token["methods"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task SeedFlow_TokenFromIam_WorksAsXAuthToken()
    {
        var issued = await RequestTokenAsync(JunctionFactory.User, JunctionFactory.Password);
        var client = new HuaweiClient(_http, _factory.Time, JunctionFactory.AccessKey, JunctionFactory.SecretKey) { Token = issued.Headers.GetValues("X-Subject-Token").Single() };

        var created = await client.PostAsync($"/v1/{JunctionFactory.ProjectId}/connections", new { name = "via-token", vpc_id = "v", subnet_id = "s" });

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
    }

    [Fact]
    public async Task Token_AfterExpiry_Answers401()
    {
        var issued = await RequestTokenAsync(JunctionFactory.User, JunctionFactory.Password);
        var client = new HuaweiClient(_http, _factory.Time, JunctionFactory.AccessKey, JunctionFactory.SecretKey) { Token = issued.Headers.GetValues("X-Subject-Token").Single() };

        _factory.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        var response = await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections");

        await EgConnectionsApiTests.AssertEgErrorAsync(response, HttpStatusCode.Unauthorized, "EG.00014010", "expired");
    }

    [Fact]
    public async Task Token_Forged_Answers401()
    {
        var client = new HuaweiClient(_http, _factory.Time, JunctionFactory.AccessKey, JunctionFactory.SecretKey) { Token = "MIIforged-token-value" };

        var response = await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections");

        await EgConnectionsApiTests.AssertEgErrorAsync(response, HttpStatusCode.Unauthorized, "EG.00014010", "not valid");
    }

    [Theory]
    [InlineData(JunctionFactory.User, "wrong-password")]
    [InlineData("nobody", JunctionFactory.Password)]
    public async Task Issue_WrongUserOrPassword_Answers401WithoutSayingWhich(string user, string password)
    {
        var response = await RequestTokenAsync(user, password);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Subject-Token"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(401, error["code"]!.GetValue<int>());
        Assert.Equal("The username or password is wrong.", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Issue_ScopeOfAnotherProject_Answers401()
    {
        var response = await RequestTokenAsync(JunctionFactory.User, JunctionFactory.Password, projectId: "ffffffffffffffffffffffffffffffff");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("{}", "auth is required")]
    [InlineData("""{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"x"}}}}}""", "auth.identity.password.user.domain is required")]
    [InlineData("""{"auth":{"identity":{"methods":"password","password":{"user":{"name":"admin","password":"x","domain":{"name":"junction"}}}}}}""", "methods must be an array")]
    [InlineData("not json", "not valid JSON")]
    public async Task Issue_MalformedBody_Answers400(string body, string expected)
    {
        var response = await _http.PostAsync("/v3/auth/tokens", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> RequestTokenAsync(string user, string password, string? projectId = null) =>
        _http.PostAsync("/v3/auth/tokens", new StringContent(TokenRequestJson(user, password, projectId ?? JunctionFactory.ProjectId), Encoding.UTF8, "application/json"));

    /// <summary>The body the Huawei SDKs send to obtain a project-scoped token with a password, in domain <c>junction</c>.</summary>
    internal static string TokenRequestJson(string user, string password, string projectId) => new JsonObject
    {
        ["auth"] = new JsonObject
        {
            ["identity"] = new JsonObject
            {
                ["methods"] = new JsonArray("password"),
                ["password"] = new JsonObject
                {
                    ["user"] = new JsonObject { ["name"] = user, ["password"] = password, ["domain"] = new JsonObject { ["name"] = "junction" } },
                },
            },
            ["scope"] = new JsonObject { ["project"] = new JsonObject { ["id"] = projectId } },
        },
    }.ToJsonString();
}
