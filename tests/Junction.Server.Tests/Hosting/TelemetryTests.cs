using System.Net;
using System.Text;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;

namespace Junction.Server.Tests.Hosting;

public sealed class TelemetryTests
{
    [Fact]
    public async Task WithAnOtlpEndpoint_MetricsAndTracesArePushedAsProtobuf_ToV1MetricsAndV1Traces()
    {
        // A real OTLP/HTTP receiver on loopback: it records what arrives and answers 200, as a collector does.
        var port = Loopback.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = new TaskCompletionSource<(string Path, string? ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var traced = new TaskCompletionSource<(string? ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var bytes = body.ToArray();
                context.Response.StatusCode = 200;
                context.Response.Close();
                // Exports repeat every 200 ms; the one that matters carries the request made below (an earlier one may
                // not have it yet, and other tests' servers in this process count into meters of the same name).
                var text = Encoding.Latin1.GetString(bytes);
                if (text.Contains("junction.requests", StringComparison.Ordinal) && text.Contains("success", StringComparison.Ordinal))
                {
                    received.TrySetResult((context.Request.Url!.AbsolutePath, context.Request.ContentType, bytes));
                }

                // The request's server span (ASP.NET Core instrumentation), with its route.
                if (context.Request.Url!.AbsolutePath == "/v1/traces" && text.Contains("/v1/{project_id}/connections", StringComparison.Ordinal))
                {
                    traced.TrySetResult((context.Request.ContentType, bytes));
                }
            }
        });

        using var factory = new JunctionFactory()
            .With("Junction:Telemetry:OtlpEndpoint", $"http://127.0.0.1:{port}")
            .With("Junction:Telemetry:ExportInterval", "00:00:00.200");
        var client = factory.CreateHuaweiClient();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections")).StatusCode);

        var (path, contentType, payload) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("/v1/metrics", path);
        Assert.Equal("application/x-protobuf", contentType);
        var text = Encoding.Latin1.GetString(payload);
        Assert.Contains("face", text, StringComparison.Ordinal);
        Assert.Contains("success", text, StringComparison.Ordinal);

        var (traceType, trace) = await traced.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("application/x-protobuf", traceType);
        Assert.Contains("http.request.method", Encoding.Latin1.GetString(trace), StringComparison.Ordinal);
        listener.Stop();
    }

    [Fact]
    public void BadOtlpSettings_StopTheStartWithTheKeyNamed()
    {
        using var factory = new JunctionFactory().With("Junction:Telemetry:OtlpProtocol", "udp");
        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Junction:Telemetry:OtlpProtocol must be http/protobuf or grpc", failure.ToString(), StringComparison.Ordinal);
    }
}
