using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Junction.Core.Verification;
using Junction.Verification.Probes;
using Junction.Verification.Tests.Egress;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Junction.Verification.Tests.Probes;

/// <summary>The HTTP and TCP probes against a real Kestrel server on loopback.</summary>
public sealed class HttpAndTcpProbeTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private string _base = "";
    private readonly HttpProbe _http = TestEgress.Http();
    private readonly TcpProbe _tcp = TestEgress.Tcp();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/ok", () => "ok");
        _server.MapGet("/broken", () => Results.StatusCode(503));
        _server.MapGet("/slow", async () => { await Task.Delay(5000); return "late"; });
        _server.MapGet("/to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data"));
        _server.MapGet("/to-ok", () => Results.Redirect("/ok"));
        _server.MapMethods("/get-only", ["GET"], () => "ok");
        await _server.StartAsync();
        _base = _server.Urls.First();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Http_Ok() => AssertOk(await _http.ProbeAsync(new Uri(_base + "/ok"), TimeSpan.FromSeconds(3), CancellationToken.None));

    [Fact]
    public async Task Http_HeadNotAllowed_FallsBackToGet()
    {
        var result = await _http.ProbeAsync(new Uri(_base + "/get-only"), TimeSpan.FromSeconds(3), CancellationToken.None);

        AssertOk(result);
        Assert.Contains("HTTP 200", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ServerError_FailsWithStatus()
    {
        var result = await _http.ProbeAsync(new Uri(_base + "/broken"), TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal(VerificationCodes.HttpStatus, result.Code);
        Assert.Contains("503", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_Slow_FailsWithTimeoutInTime()
    {
        var watch = Stopwatch.StartNew();

        var result = await _http.ProbeAsync(new Uri(_base + "/slow"), TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.Equal(VerificationCodes.HttpTimeout, result.Code);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Http_RedirectToRefusedAddress_IsRefused()
    {
        var result = await _http.ProbeAsync(new Uri(_base + "/to-metadata"), TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal(VerificationCodes.EgressRefused, result.Code);
        Assert.Contains("169.254.169.254", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_RedirectInsidePolicy_IsFollowed() =>
        AssertOk(await _http.ProbeAsync(new Uri(_base + "/to-ok"), TimeSpan.FromSeconds(3), CancellationToken.None));

    [Fact]
    public async Task Http_NothingListening_FailsUnreachable()
    {
        var result = await _http.ProbeAsync(new Uri($"http://127.0.0.1:{UnusedPort()}/"), TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal(VerificationCodes.HttpUnreachable, result.Code);
    }

    [Fact]
    public async Task Http_RefusedAddress_IsNeverContacted()
    {
        var result = await _http.ProbeAsync(new Uri("http://192.168.0.1/"), TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal(VerificationCodes.EgressRefused, result.Code);
    }

    [Fact]
    public async Task Tcp_OpenPort_Succeeds()
    {
        var port = new Uri(_base).Port;

        AssertOk(await _tcp.ProbeAsync("127.0.0.1", port, TimeSpan.FromSeconds(3), CancellationToken.None));
    }

    [Fact]
    public async Task Tcp_ClosedPort_FailsNamingIt()
    {
        var port = UnusedPort();

        var result = await _tcp.ProbeAsync("127.0.0.1", port, TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal(VerificationCodes.TcpUnreachable, result.Code);
        Assert.Contains($"127.0.0.1:{port}", result.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_RefusedAddress_IsNeverContacted()
    {
        var result = await _tcp.ProbeAsync("192.168.0.1", 22, TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal(VerificationCodes.EgressRefused, result.Code);
    }

    private static void AssertOk(VerificationResult result) => Assert.True(result.Ok, $"{result.Code}: {result.Message} {result.Detail}");

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
