using System.Diagnostics;

namespace Junction.Core.Telemetry;

/// <summary>
/// Junction's traces (System.Diagnostics, activity source <c>Junction</c>): one span per verification probe and one per
/// delivery attempt, tagged with what a person looking for a failure needs. Exported over OTLP when
/// <c>Junction:Telemetry:OtlpEndpoint</c> is set; without a listener, starting a span costs nothing.
/// </summary>
public static class JunctionActivities
{
    public const string SourceName = "Junction";

    public static ActivitySource Source { get; } = new(SourceName, "1.0");

    /// <summary>A verification of one connection; <see cref="Probed"/> adds its result.</summary>
    public static Activity? Verify(string connectionId, string scope, string kind)
    {
        var activity = Source.StartActivity("junction.verify", ActivityKind.Internal);
        activity?.SetTag("junction.connection.id", connectionId);
        activity?.SetTag("junction.connection.scope", scope);
        activity?.SetTag("junction.connection.kind", kind);
        return activity;
    }

    public static void Probed(Activity? activity, bool ok, string code, string state)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("junction.verification.code", code);
        activity.SetTag("junction.connection.state", state);
        activity.SetStatus(ok ? ActivityStatusCode.Ok : ActivityStatusCode.Error, ok ? null : code);
    }

    /// <summary>One delivery attempt of a job; <see cref="Attempted"/> adds its outcome.</summary>
    public static Activity? Deliver(long deliveryId, string face, string targetId, string connectionKey, string phase)
    {
        var activity = Source.StartActivity("junction.deliver", ActivityKind.Producer);
        activity?.SetTag("junction.delivery.id", deliveryId);
        activity?.SetTag("junction.delivery.face", face);
        activity?.SetTag("junction.delivery.target", targetId);
        activity?.SetTag("junction.delivery.connection", connectionKey);
        activity?.SetTag("junction.delivery.phase", phase);
        return activity;
    }

    public static void Attempted(Activity? activity, string outcome, string code, int? status, string decision)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("junction.delivery.outcome", outcome);
        activity.SetTag("junction.delivery.code", code);
        activity.SetTag("junction.delivery.decision", decision);
        if (status is not null)
        {
            activity.SetTag("http.response.status_code", status);
        }

        activity.SetStatus(outcome == "success" ? ActivityStatusCode.Ok : ActivityStatusCode.Error, outcome == "success" ? null : code);
    }
}
