using System.Text.Json.Nodes;

namespace Junction.Server.Api.Wire;

/// <summary>
/// <c>GET /</c> when it is no Tencent request: what this server is and where each face lives, and — for the Huawei
/// SDKs' <c>list_api_versions</c> — the EG API versions it serves in Huawei's <c>{"versions": [...]}</c> shape. Never
/// another cloud's envelope.
/// </summary>
internal static class IndexPage
{
    public static IResult Answer(HttpContext context)
    {
        var root = $"{context.Request.Scheme}://{context.Request.Host}";
        var index = new JsonObject
        {
            ["name"] = "Junction",
            ["description"] = "A self-hosted connection service speaking the APIs of Huawei Cloud EventGrid and DLI and Tencent Cloud EventBridge.",
            ["versions"] = new JsonArray(new JsonObject
            {
                ["id"] = "v1",
                ["version"] = "",
                ["min_version"] = "",
                ["status"] = "CURRENT",
                ["updated"] = "2026-01-01T00:00:00Z",
                ["links"] = new JsonArray(new JsonObject { ["href"] = $"{root}/v1/", ["rel"] = "self" }),
            }),
            ["faces"] = new JsonArray(
                Face("Huawei Cloud EventGrid (EG)", "/v1/{project_id}/…", "AK/SK (SDK-HMAC-SHA256) or X-Auth-Token"),
                Face("Huawei Cloud DLI", "/v1.0, /v2.0 and /v3/{project_id}/…", "AK/SK (SDK-HMAC-SHA256) or X-Auth-Token"),
                Face("Huawei Cloud IAM (tokens and projects)", "/v3/auth/…, /v3/projects", "password (tokens), AK/SK or X-Auth-Token"),
                Face("Tencent Cloud EventBridge (EB)", "POST / with X-TC-Action", "TC3-HMAC-SHA256"),
                Face("Junction admin API", "/junction/…", "the operator's admin token"),
                Face("health and metrics", "/healthz, /readyz, /metrics", "none")),
        };
        return Results.Text(index.ToJsonString(), "application/json; charset=utf-8", statusCode: 200);
    }

    private static JsonObject Face(string name, string paths, string auth) => new() { ["name"] = name, ["paths"] = paths, ["auth"] = auth };
}
