using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Junction.Core.Configuration;
using Junction.Core.Telemetry;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Junction.Server.Hosting;

/// <summary>OpenTelemetry export settings. Configuration section <c>Junction:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Junction:Telemetry";

    /// <summary>An OTLP collector, such as <c>http://127.0.0.1:4318</c>, for metrics, traces and logs. Unset: metrics are only served at <c>/metrics</c>.</summary>
    [Url(ErrorMessage = "Junction:Telemetry:OtlpEndpoint must be an absolute URL such as http://127.0.0.1:4318")]
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>http/protobuf</c> (the default; <c>/v1/metrics</c>, <c>/v1/traces</c> and <c>/v1/logs</c> under the endpoint) or <c>grpc</c>.</summary>
    [RegularExpression("^(http/protobuf|grpc)$", ErrorMessage = "Junction:Telemetry:OtlpProtocol must be http/protobuf or grpc")]
    public string OtlpProtocol { get; set; } = "http/protobuf";

    /// <summary>How often metrics are pushed. The default value is 15 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// OpenTelemetry (OpenTelemetry.Extensions.Hosting) when <c>Junction:Telemetry:OtlpEndpoint</c> is set: the
/// <c>Junction</c> meter with ASP.NET Core, HttpClient and runtime metrics; traces of every request, every outbound HTTP
/// call and every verification probe and delivery attempt (<see cref="JunctionActivities"/>); and the logs — all three
/// pushed over OTLP. Without an endpoint nothing is registered: <c>/metrics</c> (Prometheus text) is always served.
/// </summary>
internal static class Telemetry
{
    public static void AddJunctionTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateKeyed(TelemetryOptions.SectionName).ValidateOnStart();
        var settings = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (string.IsNullOrWhiteSpace(settings.OtlpEndpoint) || !Uri.TryCreate(settings.OtlpEndpoint, UriKind.Absolute, out var endpoint)
            || settings.OtlpProtocol is not ("http/protobuf" or "grpc"))
        {
            // Unset, or invalid: then the options' validation stops the start with the key named.
            return;
        }

        var grpc = settings.OtlpProtocol == "grpc";
        void Configure(OtlpExporterOptions exporter, string signal)
        {
            exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = grpc ? endpoint : new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/" + signal);
        }

        var version = typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("junction", serviceVersion: version, serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics => metrics
                .AddMeter(JunctionMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, "metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)settings.ExportInterval.TotalMilliseconds;
                }))
            .WithTracing(tracing => tracing
                .AddSource(JunctionActivities.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(exporter => Configure(exporter, "traces")))
            .WithLogging(logging => logging.AddOtlpExporter(exporter => Configure(exporter, "logs")));
        builder.Services.AddHostedService<TelemetryCounts>();
    }
}

/// <summary>Refreshes the gauges counted from the database (due verifications, connections by face and state) before each OTLP push.</summary>
internal sealed class TelemetryCounts(IServiceProvider services, IOptions<TelemetryOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ExportInterval, time);
        do
        {
            try
            {
                await HealthApi.CountAsync(services, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A count that fails (the database is away) is tried again at the next tick; the gauges keep their last values.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
