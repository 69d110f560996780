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
        foreach (var (name, value) in SignedHeaders(action, bytes, version))
        {
            if (name == "Host")
            {
                request.Headers.Host = value;
            }
            else if (name != "Content-Type")
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        tamper?.Invoke(request);
        return http.SendAsync(request);
    }

    /// <summary>
    /// The whole signed request as HTTP/1.1 text, for a load generator (wrk) that replays it. Valid while its
    /// timestamp is within the server's clock skew (5 minutes by default).
    /// </summary>
    public string RawRequest(string action, string body, string version = "2021-04-16")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var text = new StringBuilder("POST / HTTP/1.1\r\n");
        foreach (var (name, value) in SignedHeaders(action, bytes, version))
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return text.Append(CultureInfo.InvariantCulture, $"Content-Length: {bytes.Length}\r\n\r\n").Append(body).ToString();
    }

    private List<(string Name, string Value)> SignedHeaders(string action, byte[] bytes, string version)
    {
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        var authority = http.BaseAddress!.Authority;
        var headers = new List<(string, string)>
        {
            ("Host", authority),
            ("Content-Type", "application/json"),
            ("X-TC-Action", action),
            ("X-TC-Version", version),
            ("X-TC-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
        };
        if (Region is not null)
        {
            headers.Add(("X-TC-Region", Region));
        }

        var signedHost = SignHostWithPort ? authority : http.BaseAddress.Host;
        var date = Tc3Signature.DateOf(timestamp);
        var canonical = Tc3Signature.CanonicalRequest("POST", "/", "", [("content-type", "application/json"), ("host", signedHost)], Tc3Signature.Sha256Hex(bytes));
        var signature = Tc3Signature.Sign(SecretKey, date, Service, Tc3Signature.StringToSign(timestamp, date, Service, canonical));
        headers.Add(("Authorization", $"TC3-HMAC-SHA256 Credential={SecretId}/{date}/{Service}/tc3_request, SignedHeaders=content-type;host, Signature={signature}"));
        return headers;
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
