using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Server.Auth;

namespace Junction.Testing;

/// <summary>
/// Sends requests to a Huawei face as the official SDKs do: AK/SK-signed (X-Sdk-Date plus SDK-HMAC-SHA256 over the
/// exact body bytes) or with an X-Auth-Token.
/// </summary>
public sealed class HuaweiClient(HttpClient http, TimeProvider time, string accessKey, string secretKey)
{
    public string AccessKey { get; set; } = accessKey;

    public string SecretKey { get; set; } = secretKey;

    /// <summary>When set, requests carry this token instead of a signature.</summary>
    public string? Token { get; set; }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? body = null, Action<HttpRequestMessage>? tamper = null)
    {
        var request = new HttpRequestMessage(method, pathAndQuery);
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        if (Token is not null)
        {
            request.Headers.Add("X-Auth-Token", Token);
        }
        else
        {
            Sign(request, bytes);
        }

        tamper?.Invoke(request);
        return http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body));

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text)?.AsObject() ?? throw new InvalidOperationException($"not a JSON object: {text}");
    }

    private void Sign(HttpRequestMessage request, byte[] body)
    {
        var date = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.Add("X-Sdk-Date", date);
        var host = http.BaseAddress!.Authority;
        request.Headers.Host = host;
        var uri = new Uri(http.BaseAddress, request.RequestUri!);
        var headers = new List<(string, string)> { ("host", host), ("x-sdk-date", date) };
        var canonical = HuaweiSignature.CanonicalRequest(
            request.Method.Method, HuaweiSignature.CanonicalUri(uri.AbsolutePath), HuaweiSignature.CanonicalQuery(uri.Query),
            headers, HuaweiSignature.Sha256Hex(body));
        var signature = HuaweiSignature.Sign(SecretKey, HuaweiSignature.StringToSign(date, canonical));
        request.Headers.TryAddWithoutValidation("Authorization", $"SDK-HMAC-SHA256 Access={AccessKey}, SignedHeaders=host;x-sdk-date, Signature={signature}");
    }
}
