using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Junction.Cli.Admin;

/// <summary>
/// The CLI's only way to the server: the admin API under <c>/junction/v1</c>, with the operator key. An error answer
/// becomes a <see cref="CliException"/> carrying the server's message and the exit code for its status.
/// </summary>
internal sealed class AdminHttp(AdminSettings settings) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = settings.Server, Timeout = TimeSpan.FromSeconds(30) };

    public Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonNode?> PostAsync(string path, JsonObject? body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, body ?? [], cancellationToken);

    public Task<JsonNode?> PutAsync(string path, JsonObject body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, path, body, cancellationToken);

    public Task<JsonNode?> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, cancellationToken);

    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "/junction/v1" + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Key);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot reach the server at {settings.Server}: {exception.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable, $"the server at {settings.Server} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? node;
            try
            {
                node = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                throw new CliException(ExitCodes.Failure, $"the server answered {(int)response.StatusCode} with something other than JSON: is {settings.Server} a Junction server?");
            }

            if (response.IsSuccessStatusCode)
            {
                return node;
            }

            var message = node?["error"]?["message"]?.GetValue<string>() ?? $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}";
            throw new CliException(ExitCodeOf(response.StatusCode), message);
        }
    }

    private static int ExitCodeOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.NotFound => ExitCodes.NotFound,
        HttpStatusCode.Conflict => ExitCodes.Conflict,
        HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge => ExitCodes.InvalidInput,
        HttpStatusCode.Unauthorized => ExitCodes.Unauthorized,
        _ => ExitCodes.Failure,
    };

    public void Dispose() => _http.Dispose();
}
