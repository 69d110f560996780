using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.Api.HuaweiDli;

/// <summary>
/// DLI's ShowQuota (<c>GET /v3/{project_id}/quotas</c>): <c>{"is_success", "quotas": {"resources": [{type, min, max,
/// quota, used}]}}</c> as the SDK's QuotaList and QuotaInfo models have it, for the two quotas Junction enforces on DLI:
/// queues (<c>QUEUE</c>) and enhanced datasource connections (<c>ENHANCED_CONNECTION</c>, deleted ones not counted).
/// </summary>
internal static class DliQuotasApi
{
    public static IEndpointRouteBuilder MapDliQuotas(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v3/{project_id}/quotas", ShowAsync);
        return app;
    }

    private static async Task<IResult> ShowAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [AsParameters] DliServices s, CancellationToken ct)
    {
        var (tenant, _, error) = await DliApi.EnterAsync(context, projectId, s, ct, parseBody: false);
        if (error is not null)
        {
            return error;
        }

        var queues = (await s.Dli.ListQueuesAsync(tenant!.Id, null, ct)).Count;
        var connections = await s.Dli.CountAsync(tenant.Id, ct);
        var resources = new JsonArray(
            Item("QUEUE", s.Dli.QueueQuota, queues),
            Item("ENHANCED_CONNECTION", s.Dli.ConnectionQuota, connections));
        return DliApi.Success(200, new JsonObject { ["quotas"] = new JsonObject { ["resources"] = resources } });
    }

    private static JsonObject Item(string type, int quota, long used) =>
        new() { ["type"] = type, ["min"] = 0, ["max"] = quota, ["quota"] = quota, ["used"] = used };
}
