using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Core.Connections;
using Junction.Core.EventBuses;
using Junction.Core.Security;
using Junction.Core.Tenancy;
using Junction.Server.Api.Wire;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.TencentEb;

/// <summary>
/// The HTTP ingress of Tencent EB apigw connectors (spec/dataplane.md §3.3): Junction stands in for the API gateway, so
/// each apigw connector receives requests at <c>/junction/eb/apigw/{connector id}/{path}</c> and turns each into a
/// <c>connector:apigw</c> event in its bus, answering only once the event is persisted. A request proves itself with the
/// connector's ingress token (shown once, when the connector is created) in <c>X-Junction-Token</c> or as a bearer
/// token; a wrong or missing token and an unknown connector get the same 401, so the ingress reveals no connector ids.
/// </summary>
internal static class EbIngressApi
{
    public const string Prefix = "/junction/eb/apigw";
    public const string TokenHeader = "X-Junction-Token";

    public static IEndpointRouteBuilder MapEbIngress(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Prefix + "/{connectorId}/{**path}", ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"], HandleAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>The ingress path of a connector, as the CreateConnection answer and the admin view give it.</summary>
    public static string PathOf(string connectorId) => $"{Prefix}/{connectorId}";

    /// <summary>A new ingress token: 32 random bytes, URL-safe.</summary>
    public static string NewToken() => "jit_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task<IResult> HandleAsync(
        HttpContext context, string connectorId, string? path, IConnectionStore connections, ISecretProtector protector, IEventBusStore buses,
        CredentialService credentials, EbPublisher publisher, IOptions<EbDataPlaneOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(connectorId, cancellationToken);
        var presented = Presented(context.Request);
        var stored = connection is { Kind: "apigw", ProtectedSecret: { } secret } && Scopes.IsTencentEb(connection.Scope) ? protector.Unprotect(secret) : null;
        if (stored is null || presented is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stored), Encoding.UTF8.GetBytes(presented)))
        {
            return Error(401, "Unauthorized", $"send the connector's ingress token in {TokenHeader} (or as a bearer token)");
        }

        var method = JsonNode.Parse(connection!.Detail ?? "{}")?["APIGWParams"]?["Method"]?.GetValue<string>()?.ToUpperInvariant() ?? "ANY";
        if (method != "ANY" && method != context.Request.Method)
        {
            return Error(405, "MethodNotAllowed", $"this connector takes {method} requests, not {context.Request.Method}");
        }

        var limit = options.Value.MaxEventBytes;
        var body = await RequestBody.ReadAsync(context, limit, cancellationToken);
        if (body.TooLarge)
        {
            return Error(413, "PayloadTooLarge", $"the body is larger than an event may be ({limit} bytes, Junction:Eb:MaxEventBytes)");
        }

        var busId = connection.Scope[Scopes.TencentEbPrefix.Length..];
        var bus = await buses.FindAsync(connection.TenantId, busId, cancellationToken);
        var tenant = await credentials.GetTenantAsync(connection.TenantId, cancellationToken);
        if (bus is null || tenant is null)
        {
            return Error(401, "Unauthorized", $"send the connector's ingress token in {TokenHeader} (or as a bearer token)");
        }

        var request = context.Request;
        var requestId = RequestIds.Get(context);
        var serviceId = JsonNode.Parse(connection.Detail ?? "{}")?["ResourceDescription"]?.GetValue<string>()?.Split("serviceid/").LastOrDefault() ?? "";
        var headers = new JsonObject();
        foreach (var (name, values) in request.Headers)
        {
            if (!name.Equals(TokenHeader, StringComparison.OrdinalIgnoreCase) && !name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                headers[name.ToLowerInvariant()] = values.ToString();
            }
        }

        var query = new JsonObject();
        foreach (var (name, values) in request.Query)
        {
            query[name] = values.ToString();
        }

        var data = new JsonObject
        {
            ["headers"] = headers,
            ["body"] = Encoding.UTF8.GetString(body.Bytes),
            ["stageVariables"] = new JsonObject { ["stage"] = "release" },
            ["path"] = "/" + (path ?? ""),
            ["queryString"] = query,
            ["httpMethod"] = request.Method,
            ["requestContext"] = new JsonObject
            {
                ["serviceId"] = serviceId,
                ["path"] = "/" + (path ?? ""),
                ["httpMethod"] = request.Method,
                ["requestId"] = requestId,
                ["sourceIp"] = context.Connection.RemoteIpAddress?.ToString() ?? "",
                ["stage"] = "release",
            },
        };
        var envelope = EbEnvelope.Build(
            new EbIncomingEvent("apigw.cloud.tencent", data.ToJsonString(), "connector:apigw", $"qcs::apigw:{bus.Region}:uin/{tenant.AccountId}:serviceid/{serviceId}"),
            bus, tenant.AccountId, time.GetUtcNow());
        if (envelope.Body.Length > limit)
        {
            return Error(413, "PayloadTooLarge", $"the request as an event is larger than {limit} bytes (Junction:Eb:MaxEventBytes)");
        }

        await publisher.PublishAsync(bus, [envelope], cancellationToken);
        return Results.Json(new JsonObject { ["requestId"] = requestId, ["eventId"] = envelope.Id }, statusCode: 200);
    }

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers[TokenHeader].ToString();
        if (header.Length > 0)
        {
            return header;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }, statusCode: status);
}
