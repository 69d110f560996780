using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Core.Events;
using Junction.Core.Routing.Filters;
using Junction.Server.Api.Wire;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>EG subscriptions and their targets (<c>/v1/{project_id}/subscriptions</c>), spec/dataplane.md §2.4–2.5.</summary>
internal static partial class EgSubscriptionsApi
{
    public static IEndpointRouteBuilder MapEgSubscriptions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/{project_id}/subscriptions");
        group.MapPost("", CreateAsync);
        group.MapGet("", ListAsync);
        group.MapPost("/operation", OperateAsync);
        group.MapGet("/{subscription_id}", ShowAsync);
        group.MapPut("/{subscription_id}", UpdateAsync);
        group.MapDelete("/{subscription_id}", DeleteAsync);
        group.MapPost("/{subscription_id}/targets", CreateTargetAsync);
        group.MapGet("/{subscription_id}/targets/{target_id}", ShowTargetAsync);
        group.MapPut("/{subscription_id}/targets/{target_id}", UpdateTargetAsync);
        group.MapDelete("/{subscription_id}/targets/{target_id}", DeleteTargetAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var tenant = pass!.Tenant.Id;
        var now = eg.Now;
        var id = Guid.NewGuid().ToString("D");
        var name = body!.String("name", required: true, maxLength: 128, minLength: 1);
        if (name is not null && !NamePattern().IsMatch(name))
        {
            body.Problem("name may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit");
        }

        var description = body.String("description", maxLength: 128) ?? "";
        var channelId = body.String("channel_id", required: true, maxLength: 64, minLength: 1);
        FilterError? filterError = null;
        var sources = EgResourceRequests.ParseSources(body, [], now, ref filterError);
        var (targets, targetError) = await ParseTargetsAsync(eg, body, tenant, id, [], now, cancellationToken);
        if (Refusal(body, filterError, targetError) is { } refusal)
        {
            return refusal;
        }

        var subscription = new EgSubscription(id, name!, description, channelId!, "CREATED", sources!, now, now);
        var outcome = await eg.Store.CreateAsync(EgDataPlane.Document(tenant, subscription), [.. targets!.Select(t => EgDataPlane.Document(tenant, t))],
            new EgQuota(eg.Options.MaxSubscriptions), cancellationToken);
        if (outcome == EgWriteOutcome.Done)
        {
            await eg.RecheckConnectionsAsync(tenant, targets!, cancellationToken);
        }

        return outcome switch
        {
            EgWriteOutcome.Done => EgDataPlane.Ok(await WireAsync(eg, tenant, subscription, targets!, cancellationToken)),
            EgWriteOutcome.NameTaken => EgDataPlane.NameTaken("subscription (or target id)", subscription.Name),
            EgWriteOutcome.ParentMissing => new EgError(400, EgDataCodes.InvalidChannel, "invalid channel", $"channel_id '{channelId}' is not a channel of this project"),
            _ => EgDataPlane.Quota("subscriptions", eg.Options.MaxSubscriptions),
        };
    }

    private static async Task<IResult> ListAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var problems = new List<string>();
        if (EgResourceRequests.ParsePaging(context.Request.Query, problems) is not { } p)
        {
            return EgError.BadRequest(string.Join("; ", problems));
        }

        var tenant = pass!.Tenant.Id;
        var (total, items) = await eg.Store.ListAsync(new EgQuery(tenant, EgKinds.Subscription, p.Offset, p.Limit,
            ParentId: EgChannelsApi.Query(context, "channel_id"), Name: EgChannelsApi.Query(context, "name"),
            NameContains: EgChannelsApi.Query(context, "fuzzy_name"), RefId: EgChannelsApi.Query(context, "connection_id"),
            Sort: p.Sort, Descending: p.Descending), cancellationToken);
        var subscriptions = items.Select(d => EgJson.Read<EgSubscription>(d.Body)).ToList();
        var targets = (await eg.TargetsAsync(tenant, [.. subscriptions.Select(s => s.Id)], cancellationToken)).ToLookup(t => t.SubscriptionId);
        var names = await EgChannelsApi.ChannelNamesAsync(eg, tenant, subscriptions.Select(s => s.ChannelId), cancellationToken);
        return EgDataPlane.Ok(EgChannelsApi.Page(total, subscriptions.Select(s =>
            EgResourceWire.Subscription(s, names.GetValueOrDefault(s.ChannelId, ""), targets[s.Id]))));
    }

    private static async Task<IResult> ShowAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "subscription_id")] string subscriptionId,
        EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var tenant = pass!.Tenant.Id;
        var subscription = await eg.GetAsync<EgSubscription>(tenant, EgKinds.Subscription, subscriptionId, cancellationToken);
        return subscription is null
            ? EgDataPlane.NotFound("subscription", subscriptionId)
            : EgDataPlane.Ok(await WireAsync(eg, tenant, subscription, await eg.TargetsAsync(tenant, [subscriptionId], cancellationToken), cancellationToken));
    }

    private static async Task<IResult> UpdateAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "subscription_id")] string subscriptionId,
        EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var tenant = pass!.Tenant.Id;
        var current = await eg.GetAsync<EgSubscription>(tenant, EgKinds.Subscription, subscriptionId, cancellationToken);
        if (current is null)
        {
            return EgDataPlane.NotFound("subscription", subscriptionId);
        }

        if (eg.Options.RequireDisabledToEdit && current.Status == "ENABLED")
        {
            return new EgError(400, EgDataCodes.InvalidSubscriptionStatus, "invalid subscription status", "an enabled subscription cannot be edited; disable it first");
        }

        var now = eg.Now;
        var description = body!.String("description", maxLength: 128);
        FilterError? filterError = null;
        var sources = body.Has("sources") ? EgResourceRequests.ParseSources(body, current.Sources, now, ref filterError) : current.Sources;
        var existing = await eg.TargetsAsync(tenant, [subscriptionId], cancellationToken);
        IReadOnlyList<EgTarget>? targets = existing;
        EgError? targetError = null;
        if (body.Has("targets"))
        {
            (targets, targetError) = await ParseTargetsAsync(eg, body, tenant, subscriptionId, existing, now, cancellationToken);
        }

        if (Refusal(body, filterError, targetError) is { } refusal)
        {
            return refusal;
        }

        var updated = current with { Description = description ?? current.Description, Sources = sources!, UpdatedTime = Later(now, current.UpdatedTime) };
        var replaced = await eg.Store.ReplaceAsync(EgDataPlane.Document(tenant, updated),
            body.Has("targets") ? [.. targets!.Select(t => EgDataPlane.Document(tenant, t))] : null, cancellationToken, current.UpdatedTime);
        if (replaced == EgWriteOutcome.Conflict)
        {
            return new EgError(409, EgCodes.InvalidParameters, "the subscription was changed by another request while this update was applied; nothing was written, send it again");
        }
        if (replaced == EgWriteOutcome.Done && body.Has("targets"))
        {
            await eg.RecheckConnectionsAsync(tenant, targets!, cancellationToken);
        }

        return replaced switch
        {
            EgWriteOutcome.Done => EgDataPlane.Ok(await WireAsync(eg, tenant, updated, targets!, cancellationToken)),
            EgWriteOutcome.NameTaken => new EgError(400, EgCodes.NameDuplicated, "name duplicated", "a target id in targets is already used by another subscription"),
            _ => EgDataPlane.NotFound("subscription", subscriptionId),
        };
    }

    private static async Task<IResult> DeleteAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "subscription_id")] string subscriptionId,
        EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        return await eg.Store.DeleteAsync(pass!.Tenant.Id, EgKinds.Subscription, subscriptionId, cancellationToken) == EgWriteOutcome.Done
            ? Results.NoContent()
            : EgDataPlane.NotFound("subscription", subscriptionId);
    }

    /// <summary>Enables or disables up to 10 subscriptions: <c>{"subscription_ids":[…],"operation":"ENABLE"|"DISABLE"}</c>, a result per id.</summary>
    private static async Task<IResult> OperateAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var ids = body!.Strings("subscription_ids");
        var operation = body.String("operation", required: true);
        if (ids is null or { Count: 0 } or { Count: > 10 })
        {
            body.Problem("subscription_ids must list 1 to 10 subscription ids");
        }

        if (operation is not null and not ("ENABLE" or "DISABLE"))
        {
            body.Problem($"operation must be ENABLE or DISABLE (got '{operation}')");
        }

        if (body.HasProblems)
        {
            return EgDataPlane.Problems(body);
        }

        var tenant = pass!.Tenant.Id;
        var results = new JsonArray();
        var failed = 0;
        foreach (var id in ids!)
        {
            // A read-modify-write that another write overtook is done again on what that write left.
            var outcome = EgWriteOutcome.Conflict;
            for (var round = 0; round < 5 && outcome == EgWriteOutcome.Conflict; round++)
            {
                var current = await eg.GetAsync<EgSubscription>(tenant, EgKinds.Subscription, id, cancellationToken);
                outcome = current is null ? EgWriteOutcome.NotFound : await eg.Store.ReplaceAsync(
                    EgDataPlane.Document(tenant, current with { Status = operation == "ENABLE" ? "ENABLED" : "DISABLED", UpdatedTime = Later(eg.Now, current.UpdatedTime) }),
                    null, cancellationToken, current.UpdatedTime);
            }

            var done = outcome == EgWriteOutcome.Done;
            failed += done ? 0 : 1;
            results.Add(new JsonObject
            {
                ["error_code"] = done ? null : EgCodes.NotFound,
                ["error_msg"] = done ? null : $"subscription '{id}' does not exist in this project",
                ["subscription_id"] = id,
            });
        }

        return EgDataPlane.Ok(new JsonObject { ["failed_count"] = failed, ["events"] = results });
    }

    private static async Task<IResult> CreateTargetAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "subscription_id")] string subscriptionId,
        EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var tenant = pass!.Tenant.Id;
        var target = EgResourceRequests.ParseTarget(body!, subscriptionId, null, [], eg.Protector, eg.Now);
        if (target is null)
        {
            return TargetProblems(body!);
        }

        if (await eg.CheckConnectionsAsync(tenant, target, cancellationToken) is { } bad)
        {
            return bad;
        }

        var created = await eg.Store.CreateAsync(EgDataPlane.Document(tenant, target), [], new EgQuota(eg.Options.MaxTargetsPerSubscription, PerParent: true), cancellationToken);
        if (created == EgWriteOutcome.Done)
        {
            await eg.RecheckConnectionsAsync(tenant, [target], cancellationToken);
        }

        return created switch
        {
            EgWriteOutcome.Done => EgDataPlane.Ok(EgResourceWire.Target(target)),
            EgWriteOutcome.ParentMissing => EgDataPlane.NotFound("subscription", subscriptionId),
            EgWriteOutcome.NameTaken => new EgError(400, EgCodes.NameDuplicated, "name duplicated", $"target id '{target.Id}' is already used"),
            _ => EgDataPlane.Quota("targets per subscription", eg.Options.MaxTargetsPerSubscription),
        };
    }

    private static async Task<IResult> ShowTargetAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "subscription_id")] string subscriptionId,
        [FromRoute(Name = "target_id")] string targetId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var target = await TargetAsync(eg, pass!.Tenant.Id, subscriptionId, targetId, cancellationToken);
        return target is null ? EgDataPlane.NotFound("target", targetId) : EgDataPlane.Ok(EgResourceWire.Target(target));
    }

    private static async Task<IResult> UpdateTargetAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "subscription_id")] string subscriptionId,
        [FromRoute(Name = "target_id")] string targetId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var tenant = pass!.Tenant.Id;
        var current = await TargetAsync(eg, tenant, subscriptionId, targetId, cancellationToken);
        if (current is null)
        {
            return EgDataPlane.NotFound("target", targetId);
        }

        // "id is ignored when updating a target" (spec/dataplane.md §2.5): the path's id stands.
        var target = EgResourceRequests.ParseTarget(body!, subscriptionId, targetId, [current], eg.Protector, eg.Now);
        if (target is null)
        {
            return TargetProblems(body!);
        }

        if (await eg.CheckConnectionsAsync(tenant, target, cancellationToken) is { } bad)
        {
            return bad;
        }

        if (await eg.Store.ReplaceAsync(EgDataPlane.Document(tenant, target), null, cancellationToken) != EgWriteOutcome.Done)
        {
            return EgDataPlane.NotFound("target", targetId);
        }

        await eg.RecheckConnectionsAsync(tenant, [target], cancellationToken);
        return EgDataPlane.Ok(EgResourceWire.Target(target));
    }

    private static async Task<IResult> DeleteTargetAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "subscription_id")] string subscriptionId,
        [FromRoute(Name = "target_id")] string targetId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var tenant = pass!.Tenant.Id;
        var current = await TargetAsync(eg, tenant, subscriptionId, targetId, cancellationToken);
        if (current is null)
        {
            return EgDataPlane.NotFound("target", targetId);
        }

        return await eg.Store.DeleteAsync(tenant, EgKinds.Target, targetId, cancellationToken) == EgWriteOutcome.Done
            ? Results.NoContent()
            : EgDataPlane.NotFound("target", targetId);
    }

    /// <summary>The target with this id, if it belongs to this subscription of the tenant.</summary>
    private static async Task<EgTarget?> TargetAsync(EgDataPlane eg, string tenant, string subscriptionId, string targetId, CancellationToken cancellationToken) =>
        await eg.GetAsync<EgTarget>(tenant, EgKinds.Target, targetId, cancellationToken) is { } target && target.SubscriptionId == subscriptionId ? target : null;

    /// <summary>Every target of a request body, each checked against the project's connections.</summary>
    private static async Task<(IReadOnlyList<EgTarget>? Targets, EgError? Error)> ParseTargetsAsync(
        EgDataPlane eg, JsonFields body, string tenant, string subscriptionId, IReadOnlyList<EgTarget> existing, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var items = body.Objects("targets");
        if (items is null || items.Count == 0)
        {
            if (items is not null || !body.HasProblems)
            {
                body.Problem("targets must hold at least one target");
            }

            return (null, null);
        }

        if (items.Count > eg.Options.MaxTargetsPerSubscription)
        {
            return (null, EgDataPlane.Quota("targets per subscription", eg.Options.MaxTargetsPerSubscription));
        }

        var targets = new List<EgTarget>();
        foreach (var item in items)
        {
            if (EgResourceRequests.ParseTarget(item, subscriptionId, null, existing, eg.Protector, now) is { } target)
            {
                targets.Add(target);
            }
        }

        if (body.HasProblems)
        {
            return (null, null);
        }

        if (targets.Select(t => t.Id).Distinct().Count() != targets.Count)
        {
            body.Problem("targets must not repeat an id");
            return (null, null);
        }

        foreach (var target in targets)
        {
            if (await eg.CheckConnectionsAsync(tenant, target, cancellationToken) is { } bad)
            {
                return (null, bad);
            }
        }

        return (targets, null);
    }

    /// <summary>The answer to a refused body: a filter error (EG.00513004), a target address (EG.00513003), or the rest.</summary>
    private static EgError? Refusal(JsonFields body, FilterError? filterError, EgError? targetError)
    {
        if (filterError is not null)
        {
            return new EgError(400, EgDataCodes.InvalidFilter, "invalid filter parameters", filterError.ToString());
        }

        return body.HasProblems ? TargetProblems(body) : targetError;
    }

    private static EgError TargetProblems(JsonFields body) =>
        body.Problems.Any(EgResourceRequests.IsAddressProblem)
            ? new EgError(400, EgDataCodes.InvalidTargetAddress, "invalid target address", string.Join("; ", body.Problems))
            : EgDataPlane.Problems(body);

    private static async Task<JsonObject> WireAsync(EgDataPlane eg, string tenant, EgSubscription subscription, IEnumerable<EgTarget> targets, CancellationToken cancellationToken)
    {
        var channel = await eg.GetAsync<EgChannel>(tenant, EgKinds.Channel, subscription.ChannelId, cancellationToken);
        return EgResourceWire.Subscription(subscription, channel?.Name ?? "", targets);
    }

    /// <summary>An update time after <paramref name="previous"/>, so that every write changes it (the optimistic check compares it).</summary>
    private static DateTimeOffset Later(DateTimeOffset now, DateTimeOffset previous) =>
        now.ToUnixTimeMilliseconds() > previous.ToUnixTimeMilliseconds() ? now : previous.AddMilliseconds(1);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z")]
    private static partial Regex NamePattern();
}
