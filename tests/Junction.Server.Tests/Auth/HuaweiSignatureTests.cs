using System.Text;
using Junction.Server.Auth;

namespace Junction.Server.Tests.Auth;

/// <summary>The signer against the Go SDK's own vectors (core/auth/signer/signer_test.go, spec/huawei-eg.md §9.3).</summary>
public sealed class HuaweiSignatureTests
{
    private const string Date = "20060102T150405Z";

    [Fact]
    public void Sign_GoSdkGetVector_MatchesSdkSignature()
    {
        var canonical = HuaweiSignature.CanonicalRequest(
            "GET", HuaweiSignature.CanonicalUri("/path"), HuaweiSignature.CanonicalQuery("?limit=1"),
            [("x-sdk-date", Date)], HuaweiSignature.EmptyBodySha256);

        Assert.Equal("GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n" + HuaweiSignature.EmptyBodySha256, canonical);
        Assert.Equal(
            "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
            HuaweiSignature.Sign("SecretKey", HuaweiSignature.StringToSign(Date, canonical)));
    }

    [Fact]
    public void Sign_GoSdkPostVector_HashesBodyBytesIncludingTrailingNewline()
    {
        var body = Encoding.UTF8.GetBytes("{\"Name\":\"test\",\"Id\":1}\n");
        var canonical = HuaweiSignature.CanonicalRequest(
            "POST", HuaweiSignature.CanonicalUri("/path"), HuaweiSignature.CanonicalQuery("key=value"),
            [("x-sdk-date", Date)], HuaweiSignature.Sha256Hex(body));

        Assert.Equal(
            "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
            HuaweiSignature.Sign("SecretKey", HuaweiSignature.StringToSign(Date, canonical)));
    }

    [Fact]
    public void CanonicalQuery_GoSdkVector_SortsAndEncodes()
    {
        // The SDK test's parameters, as a client puts them on the wire (axios: spaces as '+').
        var raw = "?test=%E4%B8%80+%28%26%3D%3F%21%23%25.%2A%29&path=%2Ftmp%2F123&multi=3&multi=1&multi=2&limit=1&enable=true";

        Assert.Equal(
            "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29",
            HuaweiSignature.CanonicalQuery(raw));
    }

    [Theory]
    [InlineData("/v1/p/connections", "/v1/p/connections/")]
    [InlineData("/v1/p/connections/", "/v1/p/connections/")]
    [InlineData("/a%20b/c~d", "/a%20b/c~d/")]
    [InlineData("/", "/")]
    public void CanonicalUri_AppendsSlashAndReencodes(string path, string expected) =>
        Assert.Equal(expected, HuaweiSignature.CanonicalUri(path));

    [Fact]
    public void Sign_TamperedBody_ChangesSignature()
    {
        string Signature(string body) => HuaweiSignature.Sign("SecretKey", HuaweiSignature.StringToSign(Date,
            HuaweiSignature.CanonicalRequest("POST", "/path/", "", [("x-sdk-date", Date)], HuaweiSignature.Sha256Hex(Encoding.UTF8.GetBytes(body)))));

        Assert.NotEqual(Signature("{\"name\":\"a\"}"), Signature("{\"name\":\"b\"}"));
    }

    [Theory]
    [InlineData("20060102T150405Z", true)]
    [InlineData("2006-01-02T15:04:05Z", false)]
    [InlineData("20060102T150405", false)]
    [InlineData("", false)]
    public void TryParseDate_AcceptsOnlyBasicFormat(string value, bool valid) =>
        Assert.Equal(valid, HuaweiSignature.TryParseDate(value, out _));
}
