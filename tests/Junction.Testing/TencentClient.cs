using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Server.Auth;

namespace Junction.Testing;

/// <summary>Sends Tencent API 3.0 requests as tencentcloud-sdk-nodejs does: POST /, TC3-signed, host signed without its port.</summary>
public sealed class TencentClient(HttpClient http, TimeProvider time, string secretId, string secretKey)
{
    public string SecretId { get; set; } = secretId;

    public string SecretKey { get; set; } = secretKey;

    public string? Region { get; set; } = "ap-guangzhou";

    /// <summary>The credential scope's service: the Node SDK signs "127" for a 127.0.0.1 endpoint.</summary>
    public string Service { get; set; } = "eb";

    /// <summary>Sign the Host header with its port (as the Go SDK does) instead of without (as Node does).</summary>
    public bool SignHostWithPort { get; set; }

    public Task<HttpResponseMessage> SendAsync(string action, string body, Action<HttpRequestMessage>? tamper = null, string version = "2021-04-16")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.Add("X-TC-Action", action);
        request.Headers.Add("X-TC-Version", version);
        request.Headers.Add("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        if (Region is not null)
        {
            request.Headers.Add("X-TC-Region", Region);
        }

        var authority = http.BaseAddress!.Authority;
        request.Headers.Host = authority;
        var signedHost = SignHostWithPort ? authority : http.BaseAddress.Host;
        var date = Tc3Signature.DateOf(timestamp);
        var canonical = Tc3Signature.CanonicalRequest("POST", "/", "", [("content-type", "application/json"), ("host", signedHost)], Tc3Signature.Sha256Hex(bytes));
        var signature = Tc3Signature.Sign(SecretKey, date, Service, Tc3Signature.StringToSign(timestamp, date, Service, canonical));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"TC3-HMAC-SHA256 Credential={SecretId}/{date}/{Service}/tc3_request, SignedHeaders=content-type;host, Signature={signature}");
        tamper?.Invoke(request);
        return http.SendAsync(request);
    }

    public Task<HttpResponseMessage> SendAsync(string action, object body) => SendAsync(action, JsonSerializer.Serialize(body));

    /// <summary>The inner <c>Response</c> object; the HTTP status must be 200 for success and errors alike.</summary>
    public async Task<JsonObject> CallAsync(string action, object body)
    {
        using var response = await SendAsync(action, body);
        return await ResponseAsync(response);
    }

    public static async Task<JsonObject> ResponseAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 200)
        {
            throw new InvalidOperationException($"Tencent answers are HTTP 200, got {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text)!["Response"]!.AsObject();
    }

    /// <summary>The error code of a response, or null for success.</summary>
    public static string? ErrorCode(JsonObject response) => response["Error"]?["Code"]?.GetValue<string>();
}
