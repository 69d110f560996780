using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Server.Auth;
using Junction.Server.Tests.Api.Iam;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Auth;

/// <summary>
/// Issue 19, items 2 and 3: repeated bad signatures lock the access key for the failing address (as Huawei APIG locks
/// an AK/SK after five), an unknown AK and a bad signature get one answer, and the token endpoint bounds its password
/// checks, locks a user after repeated wrong passwords and an address after many failed requests.
/// </summary>
public sealed class LockoutTests : IDisposable
{
    private readonly JunctionFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task HuaweiSignatures_FiveFailuresLockTheKey_EvenTheRightSecret_UntilTheLockoutEnds()
    {
        var client = _factory.CreateHuaweiClient();
        var path = $"/v1/{JunctionFactory.ProjectId}/connections";
        client.SecretKey = "wrong-secret-key-0123456789abcdef";
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("verify aksk signature fail", await EgDetailsAsync(await client.SendAsync(HttpMethod.Get, path)));
        }

        client.SecretKey = JunctionFactory.SecretKey;
        var locked = await EgDetailsAsync(await client.SendAsync(HttpMethod.Get, path));
        Assert.Contains("5 consecutive failures for this access key from this address; refused for 300 s", locked, StringComparison.Ordinal);

        _factory.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, path)).StatusCode);
    }

    [Fact]
    public async Task HuaweiSignatures_UnknownKeyAndBadSignature_AnswerAlike_AndASuccessResetsTheCount()
    {
        var client = _factory.CreateHuaweiClient();
        var path = $"/v1/{JunctionFactory.ProjectId}/connections";
        var unknown = new HuaweiClient(_factory.CreateClient(), _factory.Time, "UNKNOWNAK00000000001", JunctionFactory.SecretKey);
        Assert.Equal("verify aksk signature fail", await EgDetailsAsync(await unknown.SendAsync(HttpMethod.Get, path)));

        for (var round = 0; round < 3; round++)
        {
            client.SecretKey = "wrong-secret-key-0123456789abcdef";
            for (var i = 0; i < 4; i++)
            {
                await client.SendAsync(HttpMethod.Get, path);
            }

            client.SecretKey = JunctionFactory.SecretKey;
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, path)).StatusCode);
        }
    }

    [Fact]
    public async Task TencentSignatures_FiveFailuresLockTheSecretId()
    {
        var client = _factory.CreateTencentClient();
        client.SecretKey = "wrong-secret-key-0123456789abcdef";
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("AuthFailure.SignatureFailure", TencentClient.ErrorCode(await TencentClient.ResponseAsync(await client.SendAsync("ListEventBuses", "{}"))));
        }

        client.SecretKey = JunctionFactory.SecretKey;
        var locked = await TencentClient.ResponseAsync(await client.SendAsync("ListEventBuses", "{}"));
        Assert.Equal("AuthFailure.SignatureFailure", TencentClient.ErrorCode(locked));
        Assert.Contains("refused for", locked["Error"]!["Message"]!.GetValue<string>(), StringComparison.Ordinal);

        _factory.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(TencentClient.ErrorCode(await TencentClient.ResponseAsync(await client.SendAsync("ListEventBuses", "{}"))));
    }

    [Fact]
    public async Task Tokens_FiveWrongPasswordsLockTheUser_KnownOrNot()
    {
        using var http = _factory.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(http, JunctionFactory.User, "wrong-password-123")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(http, "nobody", "wrong-password-123")).StatusCode);
        }

        var locked = await TokenAsync(http, JunctionFactory.User, JunctionFactory.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("locked after 5 wrong passwords", await MessageAsync(locked), StringComparison.Ordinal);
        Assert.Contains("locked after 5 wrong passwords", await MessageAsync(await TokenAsync(http, "nobody", "x")), StringComparison.Ordinal);

        _factory.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.Created, (await TokenAsync(http, JunctionFactory.User, JunctionFactory.Password)).StatusCode);
    }

    [Fact]
    public async Task Tokens_AnAddressWithTwentyFailuresInARow_IsRefusedWithoutAPasswordCheck()
    {
        using var http = _factory.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(http, $"guess-{i}", "wrong-password-123")).StatusCode);
        }

        var refused = await TokenAsync(http, JunctionFactory.User, JunctionFactory.Password);

        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Contains("Too many failed token requests from this address", await MessageAsync(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_PasswordChecksAreBounded_ARequestWithoutATurnIs429()
    {
        using var factory = new JunctionFactory().With("Junction:Iam:MaxConcurrentPasswordChecks", "1").With("Junction:Iam:PasswordCheckWait", "00:00:00.050");
        using var http = factory.CreateClient();
        var lockouts = factory.Services.GetRequiredService<AuthLockouts>();

        await lockouts.PasswordChecks.WaitAsync();
        HttpResponseMessage busy;
        try
        {
            busy = await TokenAsync(http, JunctionFactory.User, JunctionFactory.Password);
        }
        finally
        {
            lockouts.PasswordChecks.Release();
        }

        Assert.Equal((HttpStatusCode)429, busy.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await TokenAsync(http, JunctionFactory.User, JunctionFactory.Password)).StatusCode);
    }

    /// <summary>Issue 19, "also document": how an operator revokes tokens at once — by deleting their user.</summary>
    [Fact]
    public async Task DeletingAUser_StopsItsTokensAtOnce()
    {
        using var http = _factory.CreateClient();
        var admin = new AdminClient(_factory.CreateClient());
        var tenant = (await admin.GetAsync("/tenants")).Body!["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/tenants/{tenant}/users", """{"name":"leaver","password":"leaver-password-0123"}""")).Status);
        var issued = await TokenAsync(http, "leaver", "leaver-password-0123");
        var holder = _factory.CreateHuaweiClient();
        holder.Token = Assert.Single(issued.Headers.GetValues("X-Subject-Token"));
        var path = $"/v1/{JunctionFactory.ProjectId}/connections";
        Assert.Equal(HttpStatusCode.OK, (await holder.SendAsync(HttpMethod.Get, path)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/tenants/{tenant}/users/leaver")).Status);

        Assert.Equal("the token's user no longer exists", await EgDetailsAsync(await holder.SendAsync(HttpMethod.Get, path)));
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient http, string user, string password) =>
        http.PostAsync(new Uri("/v3/auth/tokens", UriKind.Relative),
            new StringContent(IamTokensApiTests.TokenRequestJson(user, password, JunctionFactory.ProjectId), Encoding.UTF8, "application/json"));

    private static async Task<string> MessageAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>();

    private static async Task<string> EgDetailsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error_details"]!.GetValue<string>();
    }
}
