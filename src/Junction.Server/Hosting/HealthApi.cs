using Junction.Core.Telemetry;
using Junction.Core.Verification;
using Junction.Storage.Sql;

namespace Junction.Server.Hosting;

/// <summary>Liveness (<c>/healthz</c>: the process serves requests) and readiness (<c>/readyz</c>: the database answers and is migrated).</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapGet("/readyz", ReadyAsync);
        return app;
    }

    /// <summary>Prometheus text at <c>/metrics</c> (unauthenticated, like the probes: expose it on an internal network only).</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", async (PrometheusExporter exporter, JunctionMetrics metrics, IVerificationStore verifications, TimeProvider time, CancellationToken cancellationToken) =>
        {
            metrics.SetDue(await verifications.CountDueAsync(time.GetUtcNow(), cancellationToken));
            return Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8");
        });
        return app;
    }

    private static async Task<IResult> ReadyAsync(Migrator migrator, IDatabase database, CancellationToken cancellationToken)
    {
        try
        {
            var version = await migrator.CurrentVersionAsync(cancellationToken);
            var expected = database.Migrations.Max(m => m.Version);
            return version >= expected
                ? Results.Json(new { status = "ready", database = database.Kind, schema = version })
                : Results.Json(new { status = "not ready", database = database.Kind, schema = version, reason = $"schema version {version} is behind {expected}" }, statusCode: 503);
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException)
        {
            return Results.Json(new { status = "not ready", database = database.Kind, reason = exception.Message }, statusCode: 503);
        }
    }
}
