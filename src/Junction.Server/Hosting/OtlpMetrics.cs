using System.ComponentModel.DataAnnotations;
using Junction.Core.Telemetry;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Junction.Server.Hosting;

/// <summary>OpenTelemetry export settings. Configuration section <c>Junction:Telemetry</c>.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Junction:Telemetry";

    /// <summary>An OTLP collector, such as <c>http://127.0.0.1:4318</c>. Unset: metrics are only served at <c>/metrics</c>.</summary>
    [Url(ErrorMessage = "Junction:Telemetry:OtlpEndpoint must be an absolute URL such as http://127.0.0.1:4318")]
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>http/protobuf</c> (the default; metrics go to <c>/v1/metrics</c> under the endpoint) or <c>grpc</c>.</summary>
    [RegularExpression("^(http/protobuf|grpc)$", ErrorMessage = "Junction:Telemetry:OtlpProtocol must be http/protobuf or grpc")]
    public string OtlpProtocol { get; set; } = "http/protobuf";

    /// <summary>How often metrics are pushed. The default value is 15 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Pushes the <c>Junction</c> meter to an OTLP collector when <c>Junction:Telemetry:OtlpEndpoint</c> is set; flushes
/// once more on shutdown. (OpenTelemetry.Extensions.Hosting is not served here, so the provider is built by hand.)
/// </summary>
internal sealed class OtlpMetrics(IOptions<TelemetryOptions> options) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.OtlpEndpoint))
        {
            return Task.CompletedTask;
        }

        var grpc = settings.OtlpProtocol == "grpc";
        var endpoint = new Uri(settings.OtlpEndpoint);
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(JunctionMetrics.MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = grpc ? endpoint : new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)settings.ExportInterval.TotalMilliseconds;
            })
            .Build();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _provider?.ForceFlush(5000);
        return Task.CompletedTask;
    }

    public void Dispose() => _provider?.Dispose();
}
