using System.Text.Json.Nodes;
using Junction.Core.Connections;
using Junction.Core.Events;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>
/// EG's ListQuotas (<c>GET /v1/{project_id}/quotas?type=</c>): the configured quota and the project's use of it, for the
/// resource kinds Junction has. <c>SUBSCRIPTION_TARGET</c> is a quota per subscription; its <c>used</c> is the most
/// targets any one subscription of the project has.
/// </summary>
internal static class EgQuotasApi
{
    private static readonly string[] s_types = ["CHANNEL", "SOURCE", "SUBSCRIPTION", "SUBSCRIPTION_TARGET", "CONNECTION"];

    public static IEndpointRouteBuilder MapEgQuotas(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/{project_id}/quotas", ListAsync);
        return app;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, IOptions<ConnectionQuotas> quotas, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var type = EgChannelsApi.Query(context, "type");
        if (type is not null && !s_types.Contains(type))
        {
            // Types EG has and Junction does not (schemas, private endpoints, RabbitMQ/RocketMQ sources): nothing to report.
            return type.All(c => char.IsAsciiLetterUpper(c) || c == '_')
                ? EgDataPlane.Ok(new JsonObject { ["quotas"] = new JsonObject { ["resources"] = new JsonArray() } })
                : EgError.BadRequest($"type must be one of {string.Join(", ", s_types)} or another EG quota type (got '{type}')");
        }

        var tenant = pass!.Tenant.Id;
        var options = eg.Options;
        var resources = new JsonArray();
        foreach (var kind in type is null ? s_types : [type])
        {
            var (quota, used) = kind switch
            {
                "CHANNEL" => (options.MaxChannels, await CountAsync(eg, tenant, EgKinds.Channel, EgChannel.Custom, cancellationToken)),
                "SOURCE" => (options.MaxSources, await CountAsync(eg, tenant, EgKinds.Source, null, cancellationToken)),
                "SUBSCRIPTION" => (options.MaxSubscriptions, await CountAsync(eg, tenant, EgKinds.Subscription, null, cancellationToken)),
                "SUBSCRIPTION_TARGET" => (options.MaxTargetsPerSubscription, await MostTargetsAsync(eg, tenant, cancellationToken)),
                _ => (quotas.Value.EgConnections, await eg.Connections.CountAsync(tenant, Scopes.HuaweiEg, cancellationToken)),
            };
            resources.Add(new JsonObject { ["name"] = kind.ToLowerInvariant(), ["type"] = kind, ["max"] = quota, ["min"] = 0, ["quota"] = quota, ["used"] = used });
        }

        return EgDataPlane.Ok(new JsonObject { ["quotas"] = new JsonObject { ["resources"] = resources } });
    }

    private static async Task<long> CountAsync(EgDataPlane eg, string tenant, string kind, string? label, CancellationToken cancellationToken) =>
        (await eg.Store.ListAsync(new EgQuery(tenant, kind, 0, 1, Label: label), cancellationToken)).Total;

    private static async Task<long> MostTargetsAsync(EgDataPlane eg, string tenant, CancellationToken cancellationToken)
    {
        var (_, subscriptions) = await eg.Store.ListAsync(new EgQuery(tenant, EgKinds.Subscription, 0, int.MaxValue), cancellationToken);
        var targets = await eg.TargetsAsync(tenant, [.. subscriptions.Select(s => s.Id)], cancellationToken);
        return targets.GroupBy(t => t.SubscriptionId).Select(g => (long)g.Count()).DefaultIfEmpty(0).Max();
    }
}
