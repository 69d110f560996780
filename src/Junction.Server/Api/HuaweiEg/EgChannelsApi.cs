using System.Text.Json.Nodes;
using Junction.Core.Events;
using Microsoft.AspNetCore.Mvc;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>EG channels (<c>/v1/{project_id}/channels</c>) and custom event sources (<c>/v1/{project_id}/sources</c>), spec/dataplane.md §2.1–2.2.</summary>
internal static class EgChannelsApi
{
    public static IEndpointRouteBuilder MapEgChannels(this IEndpointRouteBuilder app)
    {
        var channels = app.MapGroup("/v1/{project_id}/channels");
        channels.MapPost("", CreateChannelAsync);
        channels.MapGet("", ListChannelsAsync);
        channels.MapGet("/{channel_id}", ShowChannelAsync);
        channels.MapPut("/{channel_id}", UpdateChannelAsync);
        channels.MapDelete("/{channel_id}", DeleteChannelAsync);
        var sources = app.MapGroup("/v1/{project_id}/sources");
        sources.MapPost("", CreateSourceAsync);
        sources.MapGet("", ListSourcesAsync);
        sources.MapGet("/{source_id}", ShowSourceAsync);
        sources.MapPut("/{source_id}", UpdateSourceAsync);
        sources.MapDelete("/{source_id}", DeleteSourceAsync);
        return app;
    }

    private static async Task<IResult> CreateChannelAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var channel = EgResourceRequests.ParseChannelCreate(body!, Guid.NewGuid().ToString("D"), eg.Now);
        if (channel is null)
        {
            return EgDataPlane.Problems(body!);
        }

        return await eg.Store.CreateAsync(EgDataPlane.Document(pass!.Tenant.Id, channel), [], new EgQuota(eg.Options.MaxChannels), cancellationToken) switch
        {
            EgWriteOutcome.Done => EgDataPlane.Ok(EgResourceWire.Channel(channel)),
            EgWriteOutcome.NameTaken => EgDataPlane.NameTaken("channel", channel.Name),
            _ => EgDataPlane.Quota("channels", eg.Options.MaxChannels),
        };
    }

    private static async Task<IResult> ListChannelsAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var problems = new List<string>();
        var paging = EgResourceRequests.ParsePaging(context.Request.Query, problems);
        var provider = context.Request.Query["provider_type"].ToString();
        if (provider.Length > 0 && provider is not ("OFFICIAL" or "CUSTOM" or "PARTNER"))
        {
            problems.Add($"provider_type must be OFFICIAL, CUSTOM or PARTNER (got '{provider}')");
        }

        if (paging is not { } p || problems.Count > 0)
        {
            return EgError.BadRequest(string.Join("; ", problems));
        }

        var (total, items) = await eg.Store.ListAsync(new EgQuery(pass!.Tenant.Id, EgKinds.Channel, p.Offset, p.Limit,
            Name: Query(context, "name"), NameContains: Query(context, "fuzzy_name"), Label: provider.Length > 0 ? provider : null,
            Sort: p.Sort, Descending: p.Descending), cancellationToken);
        return EgDataPlane.Ok(Page(total, items.Select(d => EgResourceWire.Channel(EgJson.Read<EgChannel>(d.Body)))));
    }

    private static async Task<IResult> ShowChannelAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "channel_id")] string channelId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var channel = await eg.GetAsync<EgChannel>(pass!.Tenant.Id, EgKinds.Channel, channelId, cancellationToken);
        return channel is null ? EgDataPlane.NotFound("channel", channelId) : EgDataPlane.Ok(EgResourceWire.Channel(channel));
    }

    private static async Task<IResult> UpdateChannelAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "channel_id")] string channelId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var current = await eg.GetAsync<EgChannel>(pass!.Tenant.Id, EgKinds.Channel, channelId, cancellationToken);
        if (current is null)
        {
            return EgDataPlane.NotFound("channel", channelId);
        }

        if (current.ProviderType == EgChannel.Official)
        {
            return new EgError(400, EgDataCodes.InvalidChannel, "invalid channel", "the default channel is built in and cannot be modified");
        }

        var updated = EgResourceRequests.ParseChannelUpdate(body!, current, eg.Now);
        if (updated is null)
        {
            return EgDataPlane.Problems(body!);
        }

        return await eg.Store.ReplaceAsync(EgDataPlane.Document(pass.Tenant.Id, updated), null, cancellationToken) == EgWriteOutcome.Done
            ? EgDataPlane.Ok(EgResourceWire.Channel(updated))
            : EgDataPlane.NotFound("channel", channelId);
    }

    private static async Task<IResult> DeleteChannelAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "channel_id")] string channelId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (channelId == EgDefaults.DefaultChannelId(pass!.Tenant.Id))
        {
            return new EgError(400, EgDataCodes.InvalidChannel, "invalid channel", "the default channel is built in and cannot be deleted");
        }

        return await eg.Store.DeleteAsync(pass.Tenant.Id, EgKinds.Channel, channelId, cancellationToken) switch
        {
            EgWriteOutcome.Done => Results.NoContent(),
            EgWriteOutcome.InUse => new EgError(400, EgDataCodes.InvalidChannel, "invalid channel",
                $"channel '{channelId}' still has event sources or subscriptions; delete them first"),
            _ => EgDataPlane.NotFound("channel", channelId),
        };
    }

    private static async Task<IResult> CreateSourceAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var source = EgResourceRequests.ParseSourceCreate(body!, Guid.NewGuid().ToString("D"), eg.Now);
        if (source is null)
        {
            return EgDataPlane.Problems(body!);
        }

        var channel = await eg.GetAsync<EgChannel>(pass!.Tenant.Id, EgKinds.Channel, source.ChannelId, cancellationToken);
        return await eg.Store.CreateAsync(EgDataPlane.Document(pass.Tenant.Id, source), [], new EgQuota(eg.Options.MaxSources), cancellationToken) switch
        {
            EgWriteOutcome.Done => EgDataPlane.Ok(EgResourceWire.Source(source, channel?.Name ?? "")),
            EgWriteOutcome.NameTaken => EgDataPlane.NameTaken("event source", source.Name),
            EgWriteOutcome.ParentMissing => new EgError(400, EgDataCodes.InvalidChannel, "invalid channel", $"channel_id '{source.ChannelId}' is not a channel of this project"),
            _ => EgDataPlane.Quota("event sources", eg.Options.MaxSources),
        };
    }

    private static async Task<IResult> ListSourcesAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, CancellationToken cancellationToken)
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
        var provider = Query(context, "provider_type");
        if (provider == EgChannel.Official)
        {
            // Junction has no cloud-service sources of its own: the official catalog is empty.
            return EgDataPlane.Ok(Page(0, []));
        }

        var (total, items) = await eg.Store.ListAsync(new EgQuery(tenant, EgKinds.Source, p.Offset, p.Limit,
            ParentId: Query(context, "channel_id"), Name: Query(context, "name"), NameContains: Query(context, "fuzzy_name") ?? Query(context, "fuzzy_label"),
            Sort: p.Sort, Descending: p.Descending), cancellationToken);
        var sources = items.Select(d => EgJson.Read<EgSource>(d.Body)).ToList();
        var names = await ChannelNamesAsync(eg, tenant, sources.Select(s => s.ChannelId), cancellationToken);
        return EgDataPlane.Ok(Page(total, sources.Select(s => EgResourceWire.Source(s, names.GetValueOrDefault(s.ChannelId, "")))));
    }

    private static async Task<IResult> ShowSourceAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "source_id")] string sourceId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var source = await eg.GetAsync<EgSource>(pass!.Tenant.Id, EgKinds.Source, sourceId, cancellationToken);
        if (source is null)
        {
            return EgDataPlane.NotFound("event source", sourceId);
        }

        var channel = await eg.GetAsync<EgChannel>(pass.Tenant.Id, EgKinds.Channel, source.ChannelId, cancellationToken);
        return EgDataPlane.Ok(EgResourceWire.Source(source, channel?.Name ?? ""));
    }

    private static async Task<IResult> UpdateSourceAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "source_id")] string sourceId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var current = await eg.GetAsync<EgSource>(pass!.Tenant.Id, EgKinds.Source, sourceId, cancellationToken);
        if (current is null)
        {
            return EgDataPlane.NotFound("event source", sourceId);
        }

        var updated = EgResourceRequests.ParseSourceUpdate(body!, current, eg.Now);
        if (updated is null)
        {
            return EgDataPlane.Problems(body!);
        }

        if (await eg.Store.ReplaceAsync(EgDataPlane.Document(pass.Tenant.Id, updated), null, cancellationToken) != EgWriteOutcome.Done)
        {
            return EgDataPlane.NotFound("event source", sourceId);
        }

        var channel = await eg.GetAsync<EgChannel>(pass.Tenant.Id, EgKinds.Channel, updated.ChannelId, cancellationToken);
        return EgDataPlane.Ok(EgResourceWire.Source(updated, channel?.Name ?? ""));
    }

    private static async Task<IResult> DeleteSourceAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "source_id")] string sourceId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        return await eg.Store.DeleteAsync(pass!.Tenant.Id, EgKinds.Source, sourceId, cancellationToken) == EgWriteOutcome.Done
            ? Results.NoContent()
            : EgDataPlane.NotFound("event source", sourceId);
    }

    internal static async Task<Dictionary<string, string>> ChannelNamesAsync(EgDataPlane eg, string tenantId, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in ids.Distinct())
        {
            if (await eg.GetAsync<EgChannel>(tenantId, EgKinds.Channel, id, cancellationToken) is { } channel)
            {
                names[id] = channel.Name;
            }
        }

        return names;
    }

    internal static string? Query(HttpContext context, string name) =>
        context.Request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    internal static JsonObject Page(long total, IEnumerable<JsonObject> items)
    {
        var array = new JsonArray([.. items]);
        return new JsonObject { ["total"] = total, ["size"] = array.Count, ["items"] = array };
    }
}
