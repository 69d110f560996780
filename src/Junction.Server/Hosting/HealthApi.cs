using Junction.Core.Telemetry;
using Junction.Core.Verification;
using Junction.Storage.Sql;

namespace Junction.Server.Hosting;

/// <summary>Liveness (<c>/healthz</c>: the process serves requests) and readiness (<c>/readyz</c>: the database is migrated and takes a write).</summary>
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
        app.MapGet("/metrics", async (PrometheusExporter exporter, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            try
            {
                await CountAsync(services, cancellationToken);
            }
#pragma warning disable CA1031 // A database that cannot count now must not hide the other metrics: the gauges keep their last values.
            catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
            {
            }

            return Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8");
        });
        return app;
    }

    /// <summary>Counts what the gauges report from the database (due verifications; connections by face and state): at each scrape, and before each OTLP push.</summary>
    internal static async Task CountAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var metrics = services.GetRequiredService<JunctionMetrics>();
        var time = services.GetRequiredService<TimeProvider>();
        metrics.SetDue(await services.GetRequiredService<IVerificationStore>().CountDueAsync(time.GetUtcNow(), cancellationToken));
        var counts = await services.GetRequiredService<Junction.Core.Connections.IConnectionStore>().CountByFaceAndStateAsync(cancellationToken);
        metrics.SetConnections(
            from face in new[] { "eg", "eb", "dli" }
            from state in Enum.GetValues<Junction.Core.Connections.ConnectionState>()
            select (face, state.ToString(), counts.Where(c => c.Face == face && c.State == state).Sum(c => c.Count)));
    }

    /// <summary>
    /// Ready when the schema is current and a write commits: one row per node in <c>readiness</c> is written through
    /// the same writer as every other write, so a full disk, files made read-only or a database file deleted under the
    /// node make it not ready (503 with the reason) instead of only the next real write failing.
    /// </summary>
    private static async Task<IResult> ReadyAsync(
        Migrator migrator, IDatabase database, Junction.Core.Work.NodeId node, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var version = await migrator.CurrentVersionAsync(cancellationToken);
            var expected = database.Migrations.Max(m => m.Version);
            if (version < expected)
            {
                return Results.Json(new { status = "not ready", database = database.Kind, schema = version, reason = $"schema version {version} is behind {expected}" }, statusCode: 503);
            }

            await database.WriteAsync((db, transaction) => Dapper.SqlMapper.ExecuteAsync(db,
                "INSERT INTO readiness (node, checked_at) VALUES (@node, @at) ON CONFLICT (node) DO UPDATE SET checked_at = excluded.checked_at",
                new { node = node.Value, at = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction), cancellationToken);
            return Results.Json(new { status = "ready", database = database.Kind, schema = version });
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException or StorageUnavailableException or IOException)
        {
            return Results.Json(new { status = "not ready", database = database.Kind, reason = $"the database takes no writes: {exception.Message}" }, statusCode: 503);
        }
    }
}
