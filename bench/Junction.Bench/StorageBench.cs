using System.Diagnostics;
using System.Net;
using Junction.Testing;

namespace Junction.Bench;

/// <summary>
/// EG create and show throughput through a real junction process, on PostgreSQL against SQLite in the same run:
/// the same requests (AK/SK-signed, and shows also with an IAM token; 16 concurrent clients) for the same time against
/// each backend, after the same warm-up.
/// </summary>
internal static class StorageBench
{
    private const int Clients = 16;
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(TimeSpan duration)
    {
        var results = new List<(string Backend, double Creates, double Shows, double CreateP99, double ShowP99, double TokenShows, double TokenShowP99)>();
        foreach (var backend in new[] { "sqlite", "postgresql" })
        {
            using var data = new TempDirectory();
            var settings = new Dictionary<string, string>
            {
                ["Junction__Quotas__EgConnections"] = "1000000",
                ["Junction__Verification__Enabled"] = "false",
                ["JUNCTION_PASSWORD"] = HttpBench.Password,
            };
            if (backend == "postgresql")
            {
                settings["Junction__Database"] = Environment.GetEnvironmentVariable("JUNCTION_BENCH_PG") ?? PostgresServer.Shared.CreateDatabase();
            }

            using var node = await JunctionProcess.StartAsync(data.Path, settings);
            using var http = new HttpClient { BaseAddress = new Uri(node.Url) };
            var client = new HuaweiClient(http, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey);
            var tokenClient = new HuaweiClient(http, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey) { Token = await HttpBench.TokenAsync(http) };
            var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
            // Tiered compilation and dynamic PGO need load to settle (HttpBench): each process gets the same warm-up of
            // both requests first, so that neither backend is measured while its code is still being compiled.
            var round = "w";
            async Task CreateAsync(int i)
            {
                var response = await client.PostAsync($"/v1/{JunctionProcess.ProjectId}/connections", new { name = $"{round}{i}", vpc_id = "v", subnet_id = "s" });
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
                }

                ids.Add((await HuaweiClient.JsonAsync(response))["id"]!.GetValue<string>());
            }

            string[] known = [];
            var shower = client;
            async Task ShowAsync(int i)
            {
                var response = await shower.SendAsync(HttpMethod.Get, $"/v1/{JunctionProcess.ProjectId}/connections/{known[i % known.Length]}");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
                }
            }

            await LoadAsync(s_warmUp, CreateAsync);
            known = [.. ids];
            await LoadAsync(s_warmUp, ShowAsync);
            round = "b";
            var (creates, createP99) = await LoadAsync(duration, CreateAsync);
            known = [.. ids];
            var (shows, showP99) = await LoadAsync(duration, ShowAsync);
            shower = tokenClient;
            var (tokenShows, tokenShowP99) = await LoadAsync(duration, ShowAsync);
            results.Add((backend, creates, shows, createP99, showP99, tokenShows, tokenShowP99));
        }

        var sqlite = results[0];
        var postgres = results[1];
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {Clients} clients, {duration.TotalSeconds:0} s per figure");
        Console.WriteLine();
        Console.WriteLine("| figure | SQLite (baseline) | PostgreSQL | ratio |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| EG create, requests/s | {sqlite.Creates:0} | {postgres.Creates:0} | {postgres.Creates / sqlite.Creates:0.00}× |");
        Console.WriteLine($"| EG create p99 | {sqlite.CreateP99:0.0} ms | {postgres.CreateP99:0.0} ms | {postgres.CreateP99 / sqlite.CreateP99:0.00}× |");
        Console.WriteLine($"| EG show, requests/s | {sqlite.Shows:0} | {postgres.Shows:0} | {postgres.Shows / sqlite.Shows:0.00}× |");
        Console.WriteLine($"| EG show p99 | {sqlite.ShowP99:0.0} ms | {postgres.ShowP99:0.0} ms | {postgres.ShowP99 / sqlite.ShowP99:0.00}× |");
        Console.WriteLine($"| EG show with an IAM token, requests/s | {sqlite.TokenShows:0} | {postgres.TokenShows:0} | {postgres.TokenShows / sqlite.TokenShows:0.00}× |");
        Console.WriteLine($"| EG show with an IAM token p99 | {sqlite.TokenShowP99:0.0} ms | {postgres.TokenShowP99:0.0} ms | {postgres.TokenShowP99 / sqlite.TokenShowP99:0.00}× |");
    }

    /// <summary>Runs <paramref name="call"/> from <see cref="Clients"/> loops for <paramref name="duration"/>; answers requests/s and p99 ms.</summary>
    private static async Task<(double PerSecond, double P99)> LoadAsync(TimeSpan duration, Func<int, Task> call)
    {
        var next = -1;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            while (wall.Elapsed < duration)
            {
                var watch = Stopwatch.StartNew();
                await call(Interlocked.Increment(ref next));
                latencies.Add(watch.Elapsed.TotalMilliseconds);
            }
        }));
        var sorted = latencies.Order().ToList();
        return (sorted.Count / wall.Elapsed.TotalSeconds, sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1]);
    }
}
