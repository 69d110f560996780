using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;

namespace Junction.Server.Hosting;

/// <summary>
/// Dev mode's echo webhook (<c>junction dev</c>, <c>Junction:Dev:Echo</c>): <c>POST /junction/dev/echo/…</c> records what
/// it receives and answers 200; <c>GET /junction/dev/echo</c> lists the latest 1,000 requests, newest last. No
/// authentication: it exists only in dev mode, where Junction listens on loopback. A place to point an EG target at.
/// </summary>
public static class DevEcho
{
    public const string Path = "/junction/dev/echo";
    private const int Kept = 1000;
    private const int MaxBody = 64 * 1024;

    internal static IEndpointRouteBuilder MapDevEcho(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path + "/{**rest}", ReceiveAsync);
        app.MapPost(Path, ReceiveAsync);
        app.MapGet(Path, (DevEchoLog log) => Results.Text(new JsonObject { ["items"] = new JsonArray([.. log.Received.Select(r => (JsonNode)r.DeepClone())]) }.ToJsonString(),
            "application/json; charset=utf-8"));
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, DevEchoLog log, TimeProvider time, CancellationToken cancellationToken)
    {
        var read = await Api.Wire.RequestBody.ReadAsync(context, MaxBody, cancellationToken);
        if (read.TooLarge)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var text = Encoding.UTF8.GetString(read.Bytes);
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            body = text;
        }

        var headers = new JsonObject();
        foreach (var (name, value) in context.Request.Headers.Where(h => h.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase)
                     || h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("User-Agent", StringComparison.OrdinalIgnoreCase)))
        {
            headers[name.ToLowerInvariant()] = value.ToString();
        }

        log.Received.Enqueue(new JsonObject
        {
            ["received_at"] = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["path"] = context.Request.Path.Value,
            ["headers"] = headers,
            ["body"] = body,
        });
        while (log.Received.Count > Kept && log.Received.TryDequeue(out _))
        {
        }

        return Results.Ok();
    }
}

/// <summary>What the dev echo webhook received, newest last (one per server).</summary>
internal sealed class DevEchoLog
{
    public ConcurrentQueue<JsonObject> Received { get; } = new();
}
