using System.Diagnostics;
using System.Net;
using Junction.Testing;
using Npgsql;

namespace Junction.ProcessTests;

/// <summary>
/// Three real Junction processes on one PostgreSQL database: any node serves any request, uniqueness and quotas hold
/// across nodes, and when one node holding leases is SIGKILLed the others take its work over after the lease expires.
/// </summary>
[Trait("Category", "Postgres")]
[Trait("Category", "Process")]
public sealed class PostgresClusterTests : IDisposable
{
    private readonly MockKafkaCluster _cluster = new();
    private readonly List<TempDirectory> _directories = [];
    private readonly string _database = PostgresServer.Shared.CreateDatabase();

    public void Dispose()
    {
        _cluster.Dispose();
        foreach (var directory in _directories)
        {
            directory.Dispose();
        }
    }

    [Fact]
    public async Task ThreeNodes_ParallelCreates_QuotaAndUniqueness_ThenKillOneHoldingLeases()
    {
        _cluster.SetRtt(1, 400);
        var settings = new Dictionary<string, string>
        {
            ["Junction__Database"] = _database,
            ["Junction__Verification__Concurrency"] = "4",
            // A probe at 400 ms per round trip takes ~1.2-1.6 s; with a 2 s timeout a loaded CI machine (3 nodes, PostgreSQL
            // and 60 probes due at once on 2 cores) once timed 4 of 60 out, and the test failed on 56 of 60 Ready.
            ["Junction__Verification__ProbeTimeout"] = "00:00:05",
            ["Junction__Verification__LeaseDuration"] = "00:00:10",
            ["Junction__Verification__PollInterval"] = "00:00:00.200",
            ["Junction__Verification__RecheckInterval"] = "01:00:00",
            ["Junction__Quotas__EgConnections"] = "60",
        };
        var nodes = new List<JunctionProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var data = new TempDirectory();
                _directories.Add(data);
                nodes.Add(await JunctionProcess.StartAsync(data.Path, settings));
            }

            // 3 nodes × 40 creates over 40 names (each name sent to every node) and 40 more distinct names: 120 + 40 requests.
            var clients = nodes.Select(n => new HuaweiClient(new HttpClient { BaseAddress = new Uri(n.Url) }, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey)).ToList();
            var requests = new List<Task<HttpResponseMessage>>();
            for (var i = 0; i < 40; i++)
            {
                foreach (var client in clients)
                {
                    requests.Add(CreateAsync(client, $"shared-{i}"));
                }

                requests.Add(CreateAsync(clients[i % 3], $"own-{i}"));
            }

            var responses = await Task.WhenAll(requests);
            var created = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
            // Said in full when it fails (it did once, 56 of 60): what the others answered, and what the database holds.
            var refusals = new List<string>();
            foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            {
                var body = await refused.Content.ReadAsStringAsync();
                refusals.Add($"{(int)refused.StatusCode} {body[..Math.Min(body.Length, 160)]}");
            }

            var stored = await ScalarAsync("SELECT COUNT(*) FROM connections");
            // The nodes' own account too (warnings and errors: a 500's exception is there).
            var logs = string.Join("\n", nodes.Select((n, i) => $"node {i}:\n{n.Output[^Math.Min(n.Output.Length, 4000)..]}"));
            var said = $"{created} created, {stored} stored; the others: {string.Join(" | ", refusals.GroupBy(r => r).Select(g => $"{g.Count()}× {g.Key}"))}\n{logs}";
            Assert.True(created == 60, said);
            Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Forbidden }));
            Assert.True(stored == 60, said);
            Assert.Equal(60, await ScalarAsync("SELECT COUNT(DISTINCT name) FROM connections"));

            // Every node answers for a connection any node created.
            var anyId = (string)(await ScalarObjectAsync("SELECT id FROM connections LIMIT 1"))!;
            foreach (var client in clients)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionProcess.ProjectId}/connections/{anyId}")).StatusCode);
            }

            var wait = Stopwatch.StartNew();
            while (await ScalarAsync("SELECT COUNT(*) FROM connections WHERE state = 'Pending'") > 0)
            {
                Assert.True(wait.Elapsed < TimeSpan.FromSeconds(90), "connections stayed pending");
                await Task.Delay(200);
            }

            // Make everything due again at once, so that every node is busy when one of them dies.
            var forcedAt = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            await ScalarAsync("UPDATE connections SET next_check_at = 0 RETURNING 0");
            var victim = nodes[0];
            wait.Restart();
            while (await ScalarAsync($"SELECT COUNT(*) FROM connections WHERE lease_owner LIKE '%-{victim.Pid}-%'") == 0 && wait.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            victim.Kill();
            var orphaned = await ScalarAsync($"SELECT COUNT(*) FROM connections WHERE lease_owner LIKE '%-{victim.Pid}-%'");

            wait.Restart();
            while (await ScalarAsync($"SELECT COUNT(*) FROM connections WHERE checked_at IS NULL OR checked_at < {forcedAt}") > 0)
            {
                Assert.True(wait.Elapsed < TimeSpan.FromSeconds(90), "connections were not verified again after the kill");
                await Task.Delay(200);
            }

            Assert.True(orphaned > 0, "the killed node held no lease when it died; the test proved nothing");
            var ready = await ScalarAsync("SELECT COUNT(*) FROM connections WHERE state = 'Ready'");
            Assert.True(ready == 60, $"{ready} of 60 ready; the others: {await ScalarObjectAsync("SELECT string_agg(state || ' ' || COALESCE(error_code, '') || ' ' || COALESCE(error_message, ''), ' | ') FROM connections WHERE state <> 'Ready'")}");
            Assert.Equal(0, await ScalarAsync("""
                SELECT COUNT(*) FROM verification_history a JOIN verification_history b
                  ON a.connection_id = b.connection_id AND a.seq < b.seq
                 AND a.started_at < b.finished_at AND b.started_at < a.finished_at
                """));
            Assert.Equal(60, await ScalarAsync("SELECT COUNT(DISTINCT connection_id) FROM verification_history"));
            Assert.Equal(0, await ScalarAsync($"SELECT COUNT(*) FROM connections WHERE lease_owner LIKE '%-{victim.Pid}-%'"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    private Task<HttpResponseMessage> CreateAsync(HuaweiClient client, string name) =>
        client.PostAsync($"/v1/{JunctionProcess.ProjectId}/connections", new
        {
            name,
            vpc_id = "vpc",
            subnet_id = "subnet",
            type = "KAFKA",
            kafka_detail = new { instance_id = "mock", addr = _cluster.Bootstrap },
        });

    private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await ScalarObjectAsync(sql), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<object?> ScalarObjectAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
