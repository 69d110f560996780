using System.Diagnostics;
using System.Net;
using Junction.Core.Networks;
using Junction.Testing;
using Junction.Runtime.Egress;
using Junction.Runtime.Kafka;
using Junction.Verification.Probes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Junction.Bench;

/// <summary>
/// From create to CREATED for N Kafka connections against the mock cluster, through a real junction process
/// (HTTP create, SQLite, engine, probe), against the baseline of the same probe called directly in this process.
/// Latency per connection = the server's own record: verification finished_at − connection created_at.
/// </summary>
internal static class VerificationBench
{
    public static async Task RunAsync(int count)
    {
        using var cluster = new MockKafkaCluster(brokers: 3);
        using var data = new TempDirectory();

        // Baseline: the probe alone, sequentially, same cluster, same run.
        var probe = new KafkaProbe(new KafkaClients(new EgressGuard(
            new EgressPolicy(Options.Create(new EgressOptions { Allow = ["127.0.0.0/8"] }), new NetworkRegistry(Options.Create(new NetworkOptions()))),
            new NoResolver())));
        var baseline = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var watch = Stopwatch.StartNew();
            var result = await probe.ProbeAsync(new KafkaProbeRequest(cluster.Bootstrap, "PLAINTEXT"), TimeSpan.FromSeconds(5), CancellationToken.None);
            baseline.Add(watch.Elapsed.TotalMilliseconds);
            if (!result.Ok)
            {
                throw new InvalidOperationException(result.Message);
            }
        }

        var settings = new Dictionary<string, string>
        {
            ["Junction__Quotas__EgConnections"] = (count + 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Junction__Verification__RecheckInterval"] = "01:00:00",
        };

        // Phase 1, latency: creates arrive over HTTP while the engine verifies them.
        var wall = Stopwatch.StartNew();
        var db = Path.Combine(data.Path, "junction.db");
        using (var node = await JunctionProcess.StartAsync(data.Path, settings))
        {
            wall.Restart();
            await CreateAsync(node, cluster, count);
            await WaitForNoPendingAsync(db);
        }

        var created = wall.Elapsed;

        // Phase 2, throughput: a node without an engine stores N connections; a node with one verifies them all.
        using var backlog = new TempDirectory();
        using (var writer = await JunctionProcess.StartAsync(backlog.Path, new Dictionary<string, string>(settings) { ["Junction__Verification__Enabled"] = "false" }))
        {
            await CreateAsync(writer, cluster, count);
        }

        var backlogDb = Path.Combine(backlog.Path, "junction.db");
        using (var verifier = await JunctionProcess.StartAsync(backlog.Path, settings))
        {
            await WaitForNoPendingAsync(backlogDb);
        }

        var failed = await ScalarAsync(db, "SELECT COUNT(*) FROM connections WHERE state <> 'Ready'");
        var latencies = await ListAsync(db, """
            SELECT h.finished_at - c.created_at FROM connections c
            JOIN verification_history h ON h.connection_id = c.id AND h.from_state = 'Pending'
            """);
        var span = await ListAsync(backlogDb, "SELECT MAX(finished_at) - MIN(started_at) FROM verification_history");
        var probes = await ScalarAsync(backlogDb, "SELECT COUNT(*) FROM verification_history");

        baseline.Sort();
        latencies.Sort();
        var p50 = Percentile(latencies, 0.50);
        var p99 = Percentile(latencies, 0.99);
        var b50 = Percentile(baseline, 0.50);
        var b99 = Percentile(baseline, 0.99);
        var perSecond = probes / (span[0] / 1000.0);
        var baselinePerSecond = 1000.0 / baseline.Average();

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"connections: {count} created and verified in {created.TotalSeconds:0.00} s by 8 HTTP clients; not ready: {failed}");
        Console.WriteLine();
        Console.WriteLine("| figure | Junction | baseline (probe alone, same run) | ratio |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| create → CREATED p50 | {p50:0.0} ms | {b50:0.0} ms | {p50 / b50:0.00}× |");
        Console.WriteLine($"| create → CREATED p99 | {p99:0.0} ms | {b99:0.0} ms | {p99 / b99:0.00}× |");
        Console.WriteLine($"| probes per second, {count} due at once (default concurrency 16) | {perSecond:0} /s | {baselinePerSecond:0} /s (probe alone, one at a time) | {perSecond / baselinePerSecond:0.00}× |");
    }

    private static async Task CreateAsync(JunctionProcess node, MockKafkaCluster cluster, int count)
    {
        using var http = new HttpClient { BaseAddress = new Uri(node.Url) };
        var client = new HuaweiClient(http, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var response = await client.PostAsync($"/v1/{JunctionProcess.ProjectId}/connections", new
                {
                    name = $"bench-{i}",
                    vpc_id = "vpc",
                    subnet_id = "subnet",
                    type = "KAFKA",
                    kafka_detail = new { instance_id = "mock", addr = cluster.Bootstrap },
                });
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"create failed: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
    }

    private static async Task WaitForNoPendingAsync(string db)
    {
        var wait = Stopwatch.StartNew();
        while (await ScalarAsync(db, "SELECT COUNT(*) FROM connections WHERE state = 'Pending'") > 0)
        {
            if (wait.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("verification did not finish in 5 minutes");
            }

            await Task.Delay(20);
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task<long> ScalarAsync(string db, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<double>> ListAsync(string db, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<double>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetDouble(0));
        }

        return values;
    }

    private sealed class NoResolver : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the benchmark uses literal addresses only");
    }
}
