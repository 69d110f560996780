using System.Net;
using System.Text.RegularExpressions;
using Junction.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Junction.Server.Tests.Console;

/// <summary>The operator console in process: off by default, sign-in, its security headers and lockout. (The browser tests drive it in Chromium.)</summary>
public sealed partial class ConsoleTests : IDisposable
{
    private readonly JunctionFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Console_OffByDefault_AnswersNotFound_AndRootStaysJson()
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var console = await client.GetAsync("/console");
        Assert.Equal(HttpStatusCode.NotFound, console.StatusCode);
        Assert.Contains("Junction:Console:Enabled", await console.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var browser = new HttpRequestMessage(HttpMethod.Get, "/");
        browser.Headers.Accept.ParseAdd("text/html");
        var root = await client.SendAsync(browser);
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("application/json", root.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task SignIn_WithTheOperatorKey_OpensTheOverview_WithStrictHeaders()
    {
        var client = Enabled();
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/console")).StatusCode);
        var signedIn = await SignInAsync(client, JunctionFactory.AdminKey);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/console", signedIn.Headers.Location?.OriginalString);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("junction_console=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/console", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(JunctionFactory.AdminKey, cookie, StringComparison.Ordinal);

        var overview = await client.GetAsync("/console");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        var csp = overview.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", overview.Headers.GetValues("X-Frame-Options").Single());
        Assert.True(overview.Headers.CacheControl?.NoStore);
        var html = await overview.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Overview</h1>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(JunctionFactory.AdminKey, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);

        // A browser asking for / now goes to the console; the asset it loads is served with a validator.
        using var browser = new HttpRequestMessage(HttpMethod.Get, "/");
        browser.Headers.Accept.ParseAdd("text/html");
        Assert.Equal("/console", (await client.SendAsync(browser)).Headers.Location?.OriginalString);
        var css = await client.GetAsync("/console/assets/console.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.NotNull(css.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/console/assets/other.js")).StatusCode);
    }

    [Fact]
    public async Task SignIn_FiveWrongKeys_LockTheAddressOut_EvenForTheRightKey()
    {
        var client = Enabled();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await SignInAsync(client, $"wrong-key-{i}-0123456789");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("not the operator key", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var locked = await SignInAsync(client, JunctionFactory.AdminKey);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("Too many wrong keys", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        _factory.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, JunctionFactory.AdminKey)).StatusCode);
    }

    [Fact]
    public async Task SignIn_ReturnsOnlyIntoTheConsole()
    {
        var client = Enabled();
        var away = await SignInAsync(client, JunctionFactory.AdminKey, "https://evil.example/console");
        Assert.Equal("/console", away.Headers.Location?.OriginalString);
        var back = await SignInAsync(client, JunctionFactory.AdminKey, "/console/tenants");
        Assert.Equal("/console/tenants", back.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignIn_WithoutAnOperatorKey_SaysHowToSetOne()
    {
        _factory.With("Junction:Admin:Key", "");
        var client = Enabled();
        var page = await client.GetStringAsync("/console/signin");
        Assert.Contains("set <code>Junction:Admin:Key</code>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(client, "anything-at-all-0123456789")).StatusCode);
    }

    [Fact]
    public async Task UnknownConsolePage_IsAnHtmlNotFound()
    {
        var client = Enabled();
        await SignInAsync(client, JunctionFactory.AdminKey);
        var missing = await client.GetAsync("/console/connections/no-such-connection");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var page = await client.GetAsync("/console/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    private HttpClient Enabled()
    {
        _factory.With("Junction:Console:Enabled", "true");
        return _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string key, string? returnUrl = null)
    {
        var form = await client.GetStringAsync("/console/signin");
        var token = AntiForgery().Match(form).Groups[1].Value;
        var fields = new Dictionary<string, string> { ["__af"] = token, ["key"] = key };
        if (returnUrl is not null)
        {
            fields["returnUrl"] = returnUrl;
        }

        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync("/console/signin", content);
    }

    [GeneratedRegex("name=\"__af\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgery();
}
