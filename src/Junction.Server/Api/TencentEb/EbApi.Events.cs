using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Core.EventBuses;

namespace Junction.Server.Api.TencentEb;

/// <summary>
/// PutEvents and its deprecated alias PublishEvent (spec/dataplane.md §3.2–§3.3): every event is validated before any
/// is kept (all or nothing; the answer has no per-event status), then all are persisted with their deliveries before
/// the RequestId is answered.
/// </summary>
internal static partial class EbApi
{
    private static async Task<JsonObject> PutEventsAsync(EbContext c)
    {
        var p = c.Params.Allow("EventList", "EventBusId");
        var list = p.ObjectElements("EventList", required: true)!;
        var busId = BusId(p.String("EventBusId", required: true)!);
        var limits = c.Services.Eb.Value;
        if (list.Count == 0 || list.Count > limits.MaxEventsPerRequest)
        {
            throw new EbError("InvalidParameter", $"EventList must hold 1 to {limits.MaxEventsPerRequest} events, not {list.Count}.");
        }

        var incoming = list.Select(ReadEvent).ToList();
        var bus = await FindBusAsync(c, busId);
        var now = c.Services.Time.GetUtcNow();
        var envelopes = new List<EbEnvelopeBody>(incoming.Count);
        for (var i = 0; i < incoming.Count; i++)
        {
            var envelope = EbEnvelope.Build(incoming[i], bus, c.Tenant.AccountId, now);
            if (envelope.Body.Length > limits.MaxEventBytes)
            {
                throw EbError.Value("InvalidEvent", $"EventList.{i} is {envelope.Body.Length} bytes as delivered; an event may be at most {limits.MaxEventBytes} bytes.");
            }

            envelopes.Add(envelope);
        }

        if (limits.RejectEventsWithoutRules && !await c.Services.Rules.HasRulesAsync(c.Tenant.Id, bus.Id, c.CancellationToken))
        {
            throw new EbError("ResourceNotFound.EventBusNotFound", $"The event bus {bus.Id} does not exist or has no rules configured.");
        }

        await c.Services.Publisher.PublishAsync(bus, envelopes, c.CancellationToken);
        return [];
    }

    /// <summary>What is wrong with JSON text in <c>Data</c> (a lone surrogate or NUL escape); null when it is fine or is no JSON (then it is kept as a string).</summary>
    private static string? DataProblem(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = 64 });
            return Wire.JsonText.Problem(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One <c>Event</c>: <c>Source</c> and <c>Data</c> (a string) required; <c>Type</c> and <c>Subject</c> strings; the rest optional.</summary>
    private static EbIncomingEvent ReadEvent(JsonElement element, int index)
    {
        var path = $"EventList.{index}";
        string? Text(string name, bool required)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return required ? throw EbError.Value("InvalidEvent", $"{path}.{name} is required.") : null;
            }

            return value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw EbError.Value("InvalidEvent", $"{path}.{name} must be a string{(name == "Data" ? " (JSON text, as the SDKs send it)" : "")}.");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name is not ("Source" or "Data" or "Type" or "Subject" or "Time" or "Region" or "Status" or "Id" or "TagList"))
            {
                throw EbError.Unknown($"{path}.{property.Name}");
            }
        }

        var source = Text("Source", true)!;
        if (source.Length is 0 or > 256)
        {
            throw EbError.Value("InvalidEvent", $"{path}.Source must be 1 to 256 characters.");
        }

        long? time = null;
        if (element.TryGetProperty("Time", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            time = t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var ms) && ms >= 0
                ? ms
                : throw EbError.Value("InvalidEvent", $"{path}.Time must be epoch milliseconds (a non-negative integer).");
        }

        List<KeyValuePair<string, string>>? tags = null;
        if (element.TryGetProperty("TagList", out var tagList) && tagList.ValueKind != JsonValueKind.Null)
        {
            if (tagList.ValueKind != JsonValueKind.Array)
            {
                throw EbError.Value("InvalidEvent", $"{path}.TagList must be an array of {{Key, Value}}.");
            }

            tags = [];
            foreach (var tag in tagList.EnumerateArray())
            {
                if (tag.ValueKind != JsonValueKind.Object || !tag.TryGetProperty("Key", out var key) || key.ValueKind != JsonValueKind.String
                    || !tag.TryGetProperty("Value", out var value) || value.ValueKind != JsonValueKind.String)
                {
                    throw EbError.Value("InvalidEvent", $"{path}.TagList holds an element that is not {{\"Key\": string, \"Value\": string}}.");
                }

                tags.Add(new(key.GetString()!, value.GetString()!));
            }
        }

        var data = Text("Data", true)!;
        if (DataProblem(data) is { } problem)
        {
            throw EbError.Value("InvalidEvent", $"{path}.Data holds JSON that cannot be kept: {problem}.");
        }

        return new EbIncomingEvent(source, data, Text("Type", false) ?? "", Text("Subject", false) ?? "", time,
            Text("Region", false), Text("Status", false), Text("Id", false), tags);
    }
}
