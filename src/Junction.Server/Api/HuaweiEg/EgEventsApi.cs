using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Core.Delivery;
using Junction.Core.Events;
using Microsoft.AspNetCore.Mvc;
using static Junction.Core.Events.EgJson;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>
/// EG publishing and traces (spec/dataplane.md §2.3, §2.8): PutEvents, PutOfficialEvents, CheckPutEvents,
/// ListTracedEvents and ShowDetailOfEventTrace. Accepted events are durable (written with their delivery jobs in one
/// transaction) before the answer.
/// </summary>
internal static partial class EgEventsApi
{
    public static IEndpointRouteBuilder MapEgEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/{project_id}/channels/{channel_id}/events", PutEventsAsync);
        app.MapPost("/v1/{project_id}/official/sources/{source_name}/events", PutOfficialEventsAsync);
        app.MapPost("/v1/{project_id}/events/check", CheckAsync);
        app.MapGet("/v1/{project_id}/traced-events", ListTracesAsync);
        app.MapGet("/v1/{project_id}/events/trace/detail/{trace_id}", ShowTraceAsync);
        return app;
    }

    private static async Task<IResult> PutEventsAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "channel_id")] string channelId,
        EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var view = await eg.Publisher.ViewAsync(pass!.Tenant.Id, channelId, cancellationToken);
        if (view.Channel is not { } channel)
        {
            return EgDataPlane.NotFound("channel", channelId);
        }

        // An event's source must be one of this channel's custom event sources (§2.2).
        return await PublishAsync(eg, pass.Body, Wire.RequestIds.Get(context), view, s => view.RunningSources.Contains(s)
            ? null
            : $"event source '{s}' is not a running event source of channel '{channel.Name}'", cancellationToken);
    }

    /// <summary>Cloud-service-style events into the project's default channel; every event's source must be the path's source name.</summary>
    private static async Task<IResult> PutOfficialEventsAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "source_name")] string sourceName,
        EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var tenant = pass!.Tenant.Id;
        var view = await eg.Publisher.ViewAsync(tenant, EgDefaults.DefaultChannelId(tenant), cancellationToken);
        return await PublishAsync(eg, pass.Body, Wire.RequestIds.Get(context), view,
            s => s == sourceName ? null : $"event source '{s}' is not the path's source '{sourceName}'", cancellationToken);
    }

    /// <summary>
    /// Validates a batch (request limits first: they refuse it whole with 400), then each event (a bad one is marked and
    /// the rest accepted, HTTP 200), publishes the good ones durably, and answers a result per event in request order.
    /// </summary>
    private static async Task<IResult> PublishAsync(
        EgDataPlane eg, byte[] body, string requestId, EgChannelView view, Func<string, string?> checkSource, CancellationToken cancellationToken)
    {
        JsonArray? events;
        try
        {
            events = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 })?["events"] as JsonArray;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            return EgError.BadRequest("the request body is not a JSON object with an 'events' array");
        }

        if (events is null || events.Count == 0)
        {
            return EgError.BadRequest("events is required: an array of 1 to " + eg.Options.MaxEventsPerRequest + " CloudEvents");
        }

        var limits = eg.Options;
        var sizes = events.Select(e => e is null ? 4 : Utf8(e).Length).ToList();
        if (sizes.Sum() > limits.MaxRequestEventBytes)
        {
            var message = "The total size of a request's all events is too large.";
            return Results.Json(new JsonObject
            {
                ["error_code"] = EgDataCodes.RequestTooLarge,
                ["error_msg"] = message,
                ["error_detail"] = $"{message} The events total {sizes.Sum()} bytes; at most {limits.MaxRequestEventBytes} are accepted per request.",
                ["request_id"] = requestId,
            }, statusCode: 400);
        }

        if (events.Count > limits.MaxEventsPerRequest)
        {
            // Nothing of the request is accepted; every event says why (the documented example marks only the first).
            return BatchRefused(events, _ => (EgDataCodes.TooManyEvents, $"Too many events for a request: at most {limits.MaxEventsPerRequest} events per request."));
        }

        if (sizes.Any(s => s > limits.MaxEventBytes))
        {
            return BatchRefused(events, i => sizes[i] > limits.MaxEventBytes
                ? (EgDataCodes.EventTooLarge, $"An event is too large: {sizes[i]} bytes, at most {limits.MaxEventBytes}.")
                : (null, null));
        }

        var results = new JsonObject[events.Count];
        var accepted = new List<(int Index, IncomingEvent Event)>();
        for (var i = 0; i < events.Count; i++)
        {
            var (incoming, problem) = Validate(events[i], checkSource);
            var id = (events[i] as JsonObject)?["id"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
            results[i] = new JsonObject
            {
                ["error_code"] = problem is null ? null : EgCodes.InvalidParameters,
                ["error_msg"] = problem,
                ["event_id"] = id,
            };
            if (incoming is not null)
            {
                accepted.Add((i, incoming));
            }
        }

        if (accepted.Count > 0)
        {
            await eg.Publisher.PublishAsync(view, [.. accepted.Select(a => a.Event)], cancellationToken);
        }

        return EgDataPlane.Ok(new JsonObject { ["failed_count"] = events.Count - accepted.Count, ["events"] = new JsonArray(results) });
    }

    /// <summary>One CloudEvent's checks (§2.3): required attributes, spec version, RFC 3339 time, JSON content, a known source.</summary>
    private static (IncomingEvent? Event, string? Problem) Validate(JsonNode? node, Func<string, string?> checkSource)
    {
        if (node is not JsonObject e)
        {
            return (null, "an event must be a JSON object");
        }

        // Terraform sends data_schema for dataschema, and null for absent optional attributes.
        if (e["dataschema"] is null && e["data_schema"] is { } schema)
        {
            e.Remove("data_schema");
            e["dataschema"] = schema.DeepClone();
        }

        foreach (var name in new[] { "time", "datacontenttype", "dataschema", "subject", "data_schema" })
        {
            if (e.TryGetPropertyValue(name, out var value) && (value is null || (value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length == 0)))
            {
                e.Remove(name);
            }
        }

        var missing = new[] { "id", "source", "specversion", "type" }.Where(n => Text(e, n) is not { Length: > 0 }).ToList();
        if (missing.Count > 0)
        {
            return (null, $"the event lacks {string.Join(", ", missing)} (a non-empty string each)");
        }

        if (!SpecVersion().IsMatch(Text(e, "specversion")!))
        {
            return (null, $"specversion must be major.minor, like 1.0 (got '{Text(e, "specversion")}')");
        }

        if (e["time"] is { } time && (Text(e, "time") is not { } t || !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out _) || !Rfc3339().IsMatch(t)))
        {
            return (null, $"time must be an RFC 3339 string like 2018-04-05T17:31:00Z (got {time.ToJsonString()})");
        }

        if (e["datacontenttype"] is not null && Text(e, "datacontenttype") is not { } type)
        {
            return (null, "datacontenttype must be a string");
        }
        else if (Text(e, "datacontenttype") is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"datacontenttype must be application/json, the only one EG supports (got '{contentType}')");
        }

        var source = Text(e, "source")!;
        if (checkSource(source) is { } refusal)
        {
            return (null, refusal);
        }

        return (new IncomingEvent(Text(e, "id")!, source, Text(e, "type")!, Text(e, "subject"), Utf8(e)), null);
    }

    /// <summary>The node's JSON text as UTF-8, as <c>ToJsonString</c> writes it, without its UTF-16 string in between.</summary>
    private static byte[] Utf8(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static IResult BatchRefused(JsonArray events, Func<int, (string? Code, string? Message)> mark)
    {
        var results = new JsonArray();
        var failed = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var (code, message) = mark(i);
            failed += code is null ? 0 : 1;
            results.Add(new JsonObject
            {
                ["error_code"] = code,
                ["error_msg"] = message,
                ["event_id"] = (events[i] as JsonObject)?["id"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "",
            });
        }

        return Results.Text(new JsonObject { ["failed_count"] = failed, ["events"] = results }.ToJsonString(EgRequests.ResponseJson),
            "application/json; charset=utf-8", statusCode: 400);
    }

    /// <summary>CheckPutEvents: can each (channel, source) pair publish? True when the source is a running source of that channel.</summary>
    private static async Task<IResult> CheckAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, body, error) = await eg.EnterAsync(context, projectId, true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var pairs = body!.Objects("sources");
        if (pairs is null or { Count: 0 })
        {
            body.Problem("sources is required: an array of {channel_id, source_name}");
        }

        var parsed = pairs?.Select(p => (Channel: p.String("channel_id", required: true) ?? "", Source: p.String("source_name", required: true) ?? "")).ToList();
        if (body.HasProblems)
        {
            return EgDataPlane.Problems(body);
        }

        var tenant = pass!.Tenant.Id;
        var results = new JsonArray();
        var failed = 0;
        foreach (var (channelId, sourceName) in parsed!)
        {
            string? detail = null;
            if (await eg.GetAsync<EgChannel>(tenant, EgKinds.Channel, channelId, cancellationToken) is null)
            {
                detail = $"channel '{channelId}' does not exist in this project";
            }
            else
            {
                var (_, found) = await eg.Store.ListAsync(new EgQuery(tenant, EgKinds.Source, 0, 1, ParentId: channelId, Name: sourceName), cancellationToken);
                var source = found.Select(d => EgJson.Read<EgSource>(d.Body)).FirstOrDefault();
                detail = source is null ? $"event source '{sourceName}' is not registered on channel '{channelId}'"
                    : source.Status != "RUNNING" ? $"event source '{sourceName}' is {source.Status}, not RUNNING" : null;
            }

            failed += detail is null ? 0 : 1;
            results.Add(new JsonObject { ["channel_id"] = channelId, ["source_name"] = sourceName, ["check_result"] = detail is null, ["check_detail"] = detail ?? "ok" });
        }

        return EgDataPlane.Ok(new JsonObject { ["failed_count"] = failed, ["sources"] = results });
    }

    /// <summary>ListTracedEvents: the channel's events received between start_time and end_time (ms), one row per (event, subscription).</summary>
    private static async Task<IResult> ListTracesAsync(HttpContext context, [FromRoute(Name = "project_id")] string projectId, EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var query = context.Request.Query;
        var problems = new List<string>();
        var start = Millis(query, "start_time", problems);
        var end = Millis(query, "end_time", problems);
        var channelId = EgChannelsApi.Query(context, "channel_id");
        if (channelId is null)
        {
            problems.Add("channel_id is required");
        }

        var paging = EgResourceRequests.ParsePaging(context.Request.Query, problems);
        if (problems.Count > 0 || paging is not { } p)
        {
            return EgError.BadRequest(string.Join("; ", problems));
        }

        var tenant = pass!.Tenant.Id;
        string? subscriptionId = null;
        if (EgChannelsApi.Query(context, "subscription_name") is { } subscriptionName)
        {
            var (_, found) = await eg.Store.ListAsync(new EgQuery(tenant, EgKinds.Subscription, 0, 1, Name: subscriptionName), cancellationToken);
            subscriptionId = found.FirstOrDefault()?.Id ?? "-";
        }

        var (total, traces) = await eg.Deliveries.TracesAsync(new TraceQuery(tenant, channelId!, start, end, p.Offset, p.Limit,
            EgChannelsApi.Query(context, "event_id"), EgChannelsApi.Query(context, "source_name"), EgChannelsApi.Query(context, "event_type"), subscriptionId),
            cancellationToken);
        var names = await SubscriptionNamesAsync(eg, tenant, traces.SelectMany(t => t.Deliveries.Select(d => d.SubscriptionId)), cancellationToken);
        var result = new JsonArray();
        foreach (var trace in traces)
        {
            var subscriptions = trace.Deliveries.Select(d => d.SubscriptionId).Distinct().ToList();
            foreach (var subscription in subscriptions.Count == 0 ? [(string?)null] : subscriptions.Cast<string?>())
            {
                result.Add(new JsonObject
                {
                    ["subscription_name"] = subscription is null ? "" : names.GetValueOrDefault(subscription, ""),
                    ["source_name"] = trace.Source,
                    ["source_provider"] = channelId == EgDefaults.DefaultChannelId(tenant) ? EgChannel.Official : EgChannel.Custom,
                    ["event_type"] = trace.Type,
                    ["event_id"] = trace.EventId,
                    ["event_received_time"] = trace.ReceivedAt.ToUnixTimeMilliseconds(),
                });
            }
        }

        return EgDataPlane.Ok(new JsonObject { ["total"] = total, ["size"] = result.Count, ["result"] = result });
    }

    /// <summary>ShowDetailOfEventTrace: the latest event of the channel with id <c>trace_id</c>, its deliveries per subscription and target (camelCase keys, §2.8).</summary>
    private static async Task<IResult> ShowTraceAsync(
        HttpContext context, [FromRoute(Name = "project_id")] string projectId, [FromRoute(Name = "trace_id")] string traceId,
        EgDataPlane eg, CancellationToken cancellationToken)
    {
        var (pass, _, error) = await eg.EnterAsync(context, projectId, false, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var tenant = pass!.Tenant.Id;
        var channelId = EgChannelsApi.Query(context, "channel_id") ?? EgDefaults.DefaultChannelId(tenant);
        var (_, traces) = await eg.Deliveries.TracesAsync(
            new TraceQuery(tenant, channelId, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, 0, 1, EventId: traceId), cancellationToken);
        if (traces.Count == 0)
        {
            return EgDataPlane.NotFound("event trace", traceId);
        }

        var trace = traces[0];
        var channel = await eg.GetAsync<EgChannel>(tenant, EgKinds.Channel, trace.ChannelId, cancellationToken);
        var names = await SubscriptionNamesAsync(eg, tenant, trace.Deliveries.Select(d => d.SubscriptionId), cancellationToken);
        var targets = (await eg.TargetsAsync(tenant, names.Keys, cancellationToken)).ToDictionary(t => t.Id, t => t.Name);
        var attempts = trace.Attempts.ToLookup(a => a.DeliveryId);
        var deliverList = new JsonArray();
        foreach (var group in trace.Deliveries.GroupBy(d => d.SubscriptionId))
        {
            var all = group.SelectMany(d => attempts[d.Id]).Where(a => a.Phase == DeliveryPhase.Target).ToList();
            deliverList.Add(new JsonObject
            {
                ["subscriptionId"] = group.Key,
                ["subscriptionName"] = names.GetValueOrDefault(group.Key, ""),
                ["successCounts"] = group.Count(d => d.State == DeliveryState.Delivered),
                ["failCounts"] = group.Count(d => d.State is DeliveryState.Failed or DeliveryState.DeadLettered or DeliveryState.Dropped),
                ["allDeliverTimes"] = all.Count,
                ["deliverTargetList"] = new JsonArray([.. group.Select(d => (JsonNode)EgResourceWire.DeliverTarget(d, targets.GetValueOrDefault(d.TargetId, ""), attempts[d.Id]))]),
            });
        }

        return EgDataPlane.Ok(new JsonObject
        {
            ["eventId"] = trace.EventId,
            ["eventSource"] = trace.Source,
            ["eventType"] = trace.Type,
            ["receiveTime"] = trace.ReceivedAt.ToUnixTimeMilliseconds(),
            ["channelId"] = trace.ChannelId,
            ["channelName"] = channel?.Name ?? "",
            ["deliverList"] = deliverList,
        });
    }

    private static async Task<Dictionary<string, string>> SubscriptionNamesAsync(EgDataPlane eg, string tenant, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in ids.Distinct())
        {
            if (await eg.GetAsync<EgSubscription>(tenant, EgKinds.Subscription, id, cancellationToken) is { } subscription)
            {
                names[id] = subscription.Name;
            }
        }

        return names;
    }

    private static DateTimeOffset Millis(IQueryCollection query, string name, List<string> problems)
    {
        var text = query[name].ToString();
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms > 253_402_300_799_999)
        {
            problems.Add($"{name} is required: milliseconds since 1970 (got '{text}')");
            return DateTimeOffset.UnixEpoch;
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }


    [GeneratedRegex(@"^\d+\.\d+\z")]
    private static partial Regex SpecVersion();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\z")]
    private static partial Regex Rfc3339();
}
