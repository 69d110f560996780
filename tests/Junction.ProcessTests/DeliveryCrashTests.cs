using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Junction.ProcessTests;

/// <summary>
/// Nothing accepted is lost (design.md §7): two real Junction processes on one SQLite file (and three on one PostgreSQL database) deliver events to a slow
/// webhook receiver; one is SIGKILLed while it publishes and holds deliveries in flight. Every event answered as
/// accepted reaches the receiver at least once, duplicates are no more than what the dead node had in flight, and no
/// job stays pending or leased.
/// </summary>
[Trait("Category", "Process")]
public sealed class DeliveryCrashTests(ITestOutputHelper output) : IDisposable
{
    private const string Eg = $"/v1/{JunctionProcess.ProjectId}";
    private readonly TempDirectory _data = new();
    private readonly List<TempDirectory> _others = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _data.Dispose();
        _others.ForEach(d => d.Dispose());
    }

    [Fact]
    public Task Sqlite_KillPublishingAndDeliveringNode_EveryAcceptedEventArrives_DuplicatesBounded() =>
        KillScenarioAsync([_data.Path, _data.Path], new Dictionary<string, string>(), SqliteScalarAsync);

    [Fact]
    [Trait("Category", "Postgres")]
    public Task Postgres_ThreeNodes_KillPublishingAndDeliveringNode_EveryAcceptedEventArrives_DuplicatesBounded()
    {
        var database = PostgresServer.Shared.CreateDatabase();
        var directories = Enumerable.Range(0, 3).Select(_ => new TempDirectory()).ToList();
        _others.AddRange(directories);
        return KillScenarioAsync([.. directories.Select(d => d.Path)], new Dictionary<string, string> { ["Junction__Database"] = database },
            async sql =>
            {
                await using var connection = new Npgsql.NpgsqlConnection(database);
                await connection.OpenAsync();
                await using var command = new Npgsql.NpgsqlCommand(sql, connection);
                return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            });
    }

    /// <summary>Nodes on the given data directories (one database); node 0 publishes and is killed; node 1 publishes after.</summary>
    private async Task KillScenarioAsync(string[] directories, Dictionary<string, string> extra, Func<string, Task<long>> ScalarAsync)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Default = new ReceiverAnswer(DelayMs: 150);
        var settings = new Dictionary<string, string>(extra)
        {
            ["Junction__Delivery__Concurrency"] = "8",
            ["Junction__Delivery__AttemptTimeout"] = "00:00:02",
            ["Junction__Delivery__LeaseDuration"] = "00:00:04",
            ["Junction__Delivery__PollInterval"] = "00:00:00.200",
            ["Junction__Delivery__InitialRetryDelay"] = "00:00:00.200",
        };
        var nodes = new List<JunctionProcess>();
        try
        {
            foreach (var directory in directories)
            {
                nodes.Add(await JunctionProcess.StartAsync(directory, settings));
            }

            await RunAsync(receiver, nodes[0], nodes[1], ScalarAsync);
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
        }
    }

    private async Task RunAsync(WebhookReceiver receiver, JunctionProcess nodeA, JunctionProcess nodeB, Func<string, Task<long>> ScalarAsync)
    {
        using var httpA = new HttpClient { BaseAddress = new Uri(nodeA.Url) };
        using var httpB = new HttpClient { BaseAddress = new Uri(nodeB.Url) };
        var clientA = new HuaweiClient(httpA, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey);
        var clientB = new HuaweiClient(httpB, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey);

        var channel = (await OkAsync(clientA, $"{Eg}/channels", new { name = "crash" }))["id"]!.GetValue<string>();
        await OkAsync(clientA, $"{Eg}/sources", new { name = "app", channel_id = channel });
        await OkAsync(clientA, $"{Eg}/subscriptions", new
        {
            name = "to-receiver",
            channel_id = channel,
            sources = new[] { new { name = "app", provider_type = "CUSTOM", filter = new { source = new[] { new { op = "StringIn", values = new[] { "app" } } } } } },
            targets = new[] { new { name = "HTTPS", provider_type = "CUSTOM", detail = new { url = receiver.Url + "/in" }, retry_times = 10, transform = new { type = "ORIGINAL" } } },
        });

        // Node A publishes batches until it dies; only the batches it answered 200 count as accepted.
        var accepted = new ConcurrentBag<string>();
        var batch = 0;
        var publishing = Task.Run(async () =>
        {
            while (true)
            {
                var ids = Enumerable.Range(0, 20).Select(i => $"a-{batch}-{i}").ToList();
                batch++;
                try
                {
                    using var response = await clientA.PostAsync($"{Eg}/channels/{channel}/events", Events(ids));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        return;
                    }

                    var answer = await HuaweiClient.JsonAsync(response);
                    Assert.Equal(0, answer["failed_count"]!.GetValue<int>());
                    ids.ForEach(accepted.Add);
                }
                catch (HttpRequestException)
                {
                    return;
                }
            }
        });

        // Kill A once it holds delivery leases (its attempts are in flight at the slow receiver), has published a while,
        // and its worker has taken jobs its own publishes handed it (written leased to A, never claimed): the kill
        // strands those too. (The handed count is waited for, not read once: CI once read it before the first take.)
        var wait = Stopwatch.StartNew();
        long leasedByA = 0;
        string? handed = null;
        while ((leasedByA == 0 || accepted.Count < 200 || handed is null) && wait.Elapsed < TimeSpan.FromSeconds(60))
        {
            leasedByA = await ScalarAsync($"SELECT COUNT(*) FROM deliveries WHERE lease_owner LIKE '%-{nodeA.Pid}-%'");
            var metrics = await httpA.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            handed = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("junction_delivery_handed", StringComparison.Ordinal));
        }

        Assert.True(leasedByA > 0, "node A never held a delivery lease");
        Assert.True(handed is not null && double.Parse(handed[(handed.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture) > 0, handed ?? "node A's worker never took a handed-over job");
        nodeA.Kill();
        var orphaned = await ScalarAsync($"SELECT COUNT(*) FROM deliveries WHERE lease_owner LIKE '%-{nodeA.Pid}-%'");
        await publishing;

        // B goes on accepting events; then everything settles.
        var later = Enumerable.Range(0, 40).Select(i => $"b-{i}").ToList();
        using (var response = await clientB.PostAsync($"{Eg}/channels/{channel}/events", Events(later[..20])))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var response = await clientB.PostAsync($"{Eg}/channels/{channel}/events", Events(later[20..])))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        later.ForEach(accepted.Add);
        var settled = Stopwatch.StartNew();
        while (await ScalarAsync("SELECT COUNT(*) FROM deliveries WHERE state <> 'Delivered'") > 0)
        {
            Assert.True(settled.Elapsed < TimeSpan.FromSeconds(120), $"deliveries did not settle; node B:\n{nodeB.Output}");
            await Task.Delay(200);
        }

        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM deliveries WHERE lease_owner IS NOT NULL OR next_at IS NOT NULL"));
        var received = receiver.Received.Select(r => JsonNode.Parse(r.Text)!["id"]!.GetValue<string>()).ToList();
        var missing = accepted.Except(received).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} accepted events never arrived, e.g. {string.Join(", ", missing.Take(5))}");
        var duplicates = received.Count - received.Distinct().Count();
        Assert.True(duplicates <= orphaned, $"{duplicates} duplicates, but node A had only {orphaned} deliveries in flight when it died");
        output.WriteLine($"accepted {accepted.Count}, received {received.Count}, duplicates {duplicates}, in flight on the killed node {orphaned}");
        Assert.True(accepted.Count >= 240, $"only {accepted.Count} events were accepted");
    }

    private static object Events(IEnumerable<string> ids) => new
    {
        events = ids.Select(id => new { id, source = "app", specversion = "1.0", type = "t", data = new { id } }).ToArray(),
    };

    private static async Task<JsonObject> OkAsync(HuaweiClient client, string path, object body)
    {
        using var response = await client.SendAsync(HttpMethod.Post, path, JsonSerializer.Serialize(body));
        var json = await HuaweiClient.JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToJsonString());
        return json;
    }

    private async Task<long> SqliteScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "junction.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
