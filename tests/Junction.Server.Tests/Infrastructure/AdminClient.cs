using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Junction.Server.Tests.Infrastructure;

/// <summary>Calls the admin API with the operator key (or another key, or none) and reads the answer.</summary>
public sealed class AdminClient(HttpClient http, string? key = JunctionFactory.AdminKey)
{
    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, "/junction/v1" + path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, string json = "{}") => SendAsync(HttpMethod.Post, path, json);

    public Task<(HttpStatusCode Status, JsonNode? Body)> PutAsync(string path, string json) => SendAsync(HttpMethod.Put, path, json);

    public Task<(HttpStatusCode Status, JsonNode? Body)> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    /// <summary>Asserts an admin error: status, code, and a message containing <paramref name="fragment"/>.</summary>
    public static void AssertError((HttpStatusCode Status, JsonNode? Body) answer, HttpStatusCode status, string code, string fragment)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal(code, answer.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Contains(fragment, answer.Body["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(answer.Body["request_id"]!.GetValue<string>()));
    }
}
