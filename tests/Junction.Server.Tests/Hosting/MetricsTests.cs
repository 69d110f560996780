using System.Reflection;
using System.Text.RegularExpressions;
using Junction.Core.Connections;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;
using Junction.Verification.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Hosting;

public sealed class MetricsTests : IDisposable
{
    private readonly JunctionFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Metrics_CountRequestsPerFaceAndOutcome_VerificationsAndDueWork()
    {
        using var cluster = new MockKafkaCluster();
        var eg = _factory.CreateHuaweiClient();
        var eb = _factory.CreateTencentClient();
        const string path = $"/v1/{JunctionFactory.ProjectId}/connections";
        await eg.PostAsync(path, new { name = "m1", vpc_id = "v", subnet_id = "s", type = "KAFKA", kafka_detail = new { instance_id = "i", addr = cluster.Bootstrap } });
        await eg.PostAsync(path, new { name = "m2", vpc_id = "v", subnet_id = "s", type = "KAFKA", kafka_detail = new { instance_id = "i", addr = "127.0.0.1:1" } });
        await eg.PostAsync(path, new { name = "default" });
        await eb.CallAsync("GetEventBus", new { EventBusId = "eb-00000000" });

        var before = await ScrapeAsync();
        Assert.Contains("junction_verification_due 2", before, StringComparison.Ordinal);

        await _factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);
        var text = await ScrapeAsync();

        Assert.Matches(Line("junction_requests_total", """face="eg",outcome="success"}""", "2"), text);
        Assert.Matches(Line("junction_requests_total", """face="eg",outcome="client_error"}""", "1"), text);
        Assert.Matches(Line("junction_requests_total", """face="eb",outcome="client_error"}""", "1"), text);
        Assert.Matches(Line("junction_verifications_total", """code="OK",state="Ready"}""", "1"), text);
        Assert.Matches(Line("junction_verifications_total", """code="JUNCTION.KAFKA_UNREACHABLE",state="Failed"}""", "1"), text);
        Assert.Contains("junction_probe_duration_seconds_count 2", text, StringComparison.Ordinal);
        Assert.Contains("junction_probe_duration_seconds_bucket{le=\"+Inf\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE junction_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE junction_probe_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("junction_verification_due 0", text, StringComparison.Ordinal);
        Assert.Contains("junction_verification_in_flight 0", text, StringComparison.Ordinal);
        // Connections by face and state, counted at the scrape; every pair is a series, zero included.
        Assert.Matches(Line("junction_connections", """face="eg",state="Failed"}""", "1"), text);
        Assert.Matches(Line("junction_connections", """face="dli",state="Ready"}""", "0"), text);
        Assert.Contains("# TYPE junction_connections gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ReportTheRuntime_GcPausesAndCollections_HeapMemoryThreadPoolAndJit()
    {
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        var text = await ScrapeAsync();

        Assert.Contains("# TYPE junction_runtime_gc_pause_seconds_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE junction_runtime_heap_bytes gauge", text, StringComparison.Ordinal);
        var collections = Value(text, "junction_runtime_gc_collections_total{generation=\"gen0\"}");
        Assert.True(collections >= 1, $"gen0 collections {collections} after a forced one");
        Assert.True(Value(text, "junction_runtime_gc_pause_seconds_total") > 0);
        Assert.True(Value(text, "junction_runtime_heap_bytes") > 0);
        Assert.True(Value(text, "junction_runtime_working_set_bytes") > 1_000_000);
        Assert.True(Value(text, "junction_runtime_thread_pool_threads") >= 1);
        Assert.True(Value(text, "junction_runtime_thread_pool_queue") >= 0);
        // The JIT has compiled this server's code by the time it answered a scrape.
        Assert.Contains("# TYPE junction_runtime_jit_compilation_seconds_total counter", text, StringComparison.Ordinal);
        Assert.True(Value(text, "junction_runtime_jit_methods_total") > 100);
        Assert.True(Value(text, "junction_runtime_jit_compilation_seconds_total") > 0);

        // A counter's running total: a second scrape after another collection reads more, not the difference.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        Assert.True(Value(await ScrapeAsync(), "junction_runtime_gc_collections_total{generation=\"gen0\"}") > collections);
    }

    [Fact]
    public async Task Metrics_ReportTheSqliteWriter_BusyTimeTransactionsAndWrites_AsRunningTotals()
    {
        var before = await ScrapeAsync();
        Assert.Contains("# TYPE junction_storage_writer_busy_seconds_total counter", before, StringComparison.Ordinal);
        var writes = Value(before, "junction_storage_writer_writes_total");
        var transactions = Value(before, "junction_storage_writer_transactions_total");

        // Five connections created one after another: five writes, each committed before it is answered.
        var eg = _factory.CreateHuaweiClient();
        for (var i = 0; i < 5; i++)
        {
            var created = await eg.PostAsync($"/v1/{JunctionFactory.ProjectId}/connections", new { name = $"w{i}", vpc_id = "v", subnet_id = "s" });
            Assert.Equal(System.Net.HttpStatusCode.OK, created.StatusCode);
        }

        var after = await ScrapeAsync();
        Assert.True(Value(after, "junction_storage_writer_writes_total") >= writes + 5, $"writes {writes} before, after:\n{after}");
        Assert.True(Value(after, "junction_storage_writer_transactions_total") >= transactions + 5);
        Assert.True(Value(after, "junction_storage_writer_writes_total") >= Value(after, "junction_storage_writer_transactions_total"));
        Assert.True(Value(after, "junction_storage_writer_busy_seconds_total") > Value(before, "junction_storage_writer_busy_seconds_total"));
    }

    private static double Value(string text, string series)
    {
        var match = Regex.Match(text, $"(?m)^{Regex.Escape(series)} (\\S+)$");
        Assert.True(match.Success, $"no line for {series} in:\n{text}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Metrics_RequestThatThrew_CountedAsServerError()
    {
        using var factory = new JunctionFactory().WithServices(services =>
            services.AddSingleton(DispatchProxy.Create<IConnectionStore, BrokenStore>()));
        var eg = factory.CreateHuaweiClient();

        var response = await eg.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections/00000000-0000-0000-0000-000000000000");
        using var http = factory.CreateClient();
        var text = await (await http.GetAsync("/metrics")).Content.ReadAsStringAsync();

        Assert.Equal(500, (int)response.StatusCode);
        Assert.Matches(Line("junction_requests_total", """face="eg",outcome="server_error"}""", "1"), text);
    }

    /// <summary>A connection store whose every call fails as a lost database would.</summary>
    public class BrokenStore : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException("the database is gone");
    }

    private async Task<string> ScrapeAsync()
    {
        using var http = _factory.CreateClient();
        var response = await http.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static Regex Line(string name, string labelsTail, string value) =>
        new($"(?m)^{Regex.Escape(name)}\\{{{Regex.Escape(labelsTail)} {value}$");
}
