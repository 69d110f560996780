using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Core.Routing.Filters;
using Junction.Core.Routing.Transforms;

namespace Junction.Server.Api.TencentEb;

/// <summary>
/// The dry-run actions (spec/dataplane.md §3.4, §3.8): CheckRule tests an event pattern against an event, and
/// CheckTransformation runs a transformation over an input. Both use the same Core languages the data plane uses.
/// </summary>
internal static partial class EbApi
{
    private static Task<JsonObject> CheckRuleAsync(EbContext c)
    {
        var p = c.Params.Allow("Event", "EventPattern");
        var eventText = p.String("Event", required: true)!;
        var patternText = p.String("EventPattern", required: true)!;
        var pattern = EbEventPattern.Parse(patternText);
        if (!pattern.Ok)
        {
            // Text that is not JSON is a bad pattern format; JSON that breaks a rule of the language is an illegal pattern.
            throw pattern.Error!.IsSyntax
                ? EbError.Value("InvalidFilterRule", $"EventPattern is not a JSON object pattern: {pattern.Error}.")
                : EbError.Value("InvalidPattern", $"EventPattern is not a valid event pattern: {pattern.Error}.");
        }

        using var document = JsonInput(eventText, "Event");
        return pattern.Value!.Filter.Matches(document.RootElement)
            ? Task.FromResult(new JsonObject())
            : throw new EbError("FailedOperation.ErrorFilter", "The rule does not match the event.");
    }

    private static Task<JsonObject> CheckTransformationAsync(EbContext c)
    {
        var p = c.Params.Allow("Input", "Transformations");
        var inputText = p.String("Input", required: true)!;
        var transformations = p.ObjectElements("Transformations", required: true)!;
        if (transformations.Count != 1)
        {
            throw EbError.Value("Transformations", $"Transformations holds {transformations.Count} transformations; exactly one is supported.");
        }

        var transformation = EbTransformation.Parse(transformations[0], "Transformations.0");
        if (!transformation.Ok)
        {
            throw EbError.Value("Transformations", $"The transformation is not valid: {transformation.Error}.");
        }

        using var document = JsonInput(inputText, "Input");
        TransformOutput? output;
        try
        {
            output = transformation.Value!.Apply(document.RootElement, c.Services.Time);
        }
        catch (InvalidOperationException)
        {
            throw new EbError("InvalidParameter", "Parameter `Input` holds a string that is not valid Unicode (a lone surrogate escape).");
        }

        return output is null
            ? throw new EbError("FailedOperation.ErrorFilter", "The input does not match the transformation's EtlFilter.")
            : Task.FromResult(new JsonObject { ["Output"] = output.BodyText });
    }

    /// <summary>A parameter that carries a JSON object as a string (Event, Input).</summary>
    private static JsonDocument JsonInput(string text, string name)
    {
        try
        {
            var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = InputMaxDepth });
            if (document.RootElement.ValueKind == JsonValueKind.Object && Wire.JsonText.Problem(document.RootElement) is null)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
        }

        throw new EbError("InvalidParameter", $"Parameter `{name}` must be a string holding a JSON object (of readable text: no lone surrogate or NUL escapes).");
    }

    private const int InputMaxDepth = 64;
}
