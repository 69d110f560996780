using System.Diagnostics;
using System.Net;
using Junction.Testing;
using Microsoft.Data.Sqlite;

namespace Junction.ProcessTests;

/// <summary>
/// Two real Junction processes on one SQLite file. One is SIGKILLed while it holds verification leases; after a
/// restart no connection stays pending, and the recorded history shows no connection probed by two nodes at once.
/// </summary>
[Trait("Category", "Process")]
public sealed class CrashSafetyTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly MockKafkaCluster _cluster = new();

    public void Dispose()
    {
        _cluster.Dispose();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    [Fact]
    public async Task KillNodeHoldingLeases_OthersTakeOver_NothingStuckOrProbedTwiceAtOnce()
    {
        // Slow answers keep probes in flight long enough for the kill to land while leases are held.
        _cluster.SetRtt(1, 500);
        var settings = new Dictionary<string, string>
        {
            ["Junction__Verification__Concurrency"] = "4",
            ["Junction__Verification__ProbeTimeout"] = "00:00:02",
            ["Junction__Verification__LeaseDuration"] = "00:00:04",
            ["Junction__Verification__PollInterval"] = "00:00:00.200",
            ["Junction__Verification__RecheckInterval"] = "01:00:00",
            ["Junction__Quotas__EgConnections"] = "1000",
        };
        using var nodeA = await JunctionProcess.StartAsync(_data.Path, settings);
        using var nodeB = await JunctionProcess.StartAsync(_data.Path, settings);

        const int count = 80;
        using var http = new HttpClient { BaseAddress = new Uri(nodeA.Url) };
        var client = new HuaweiClient(http, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey);
        for (var i = 0; i < count; i++)
        {
            var response = await client.PostAsync($"/v1/{JunctionProcess.ProjectId}/connections", new
            {
                name = $"crash-{i}",
                vpc_id = "vpc",
                subnet_id = "subnet",
                type = "KAFKA",
                kafka_detail = new { instance_id = "mock", addr = _cluster.Bootstrap },
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Wait until node A holds leases, then kill it without a chance to release them.
        var leasedByA = 0L;
        var wait = Stopwatch.StartNew();
        while (leasedByA == 0 && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            leasedByA = await ScalarAsync($"SELECT COUNT(*) FROM connections WHERE lease_owner LIKE '%-{nodeA.Pid}-%'");
        }

        Assert.True(leasedByA > 0, "node A never held a lease");
        nodeA.Kill();
        // What A still held when it died: nobody will release these leases; they must expire and be taken over.
        var orphaned = await IdsAsync($"SELECT id FROM connections WHERE lease_owner LIKE '%-{nodeA.Pid}-%'");
        Assert.NotEmpty(orphaned);

        // Node B finishes everything, including node A's work once A's leases expire; then A comes back. A probe that
        // timed out on a loaded machine leaves its connection Failed until its retry (5 s later): wait for all Ready.
        await WaitUntilAsync(async () => await ScalarAsync("SELECT COUNT(*) FROM connections WHERE state = 'Ready'") == count, TimeSpan.FromSeconds(90), nodeB);
        using var restarted = await JunctionProcess.StartAsync(_data.Path, settings);

        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM connections WHERE state = 'Pending'"));
        Assert.Equal(count, await ScalarAsync("SELECT COUNT(*) FROM connections WHERE state = 'Ready'"));

        var history = await HistoryAsync();
        Assert.All(orphaned, id => Assert.Contains(history, h => h.ConnectionId == id && !h.Node.Contains($"-{nodeA.Pid}-", StringComparison.Ordinal)));
        foreach (var perConnection in history.GroupBy(h => h.ConnectionId))
        {
            var ordered = perConnection.OrderBy(h => h.StartedAt).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].StartedAt >= ordered[i - 1].FinishedAt,
                    $"connection {perConnection.Key} was probed by {ordered[i - 1].Node} and {ordered[i].Node} at the same time");
            }
        }

        Assert.Equal(count, history.Select(h => h.ConnectionId).Distinct().Count());
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, JunctionProcess node)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"condition not met in {limit}; node output:\n{node.Output}");
            }

            await Task.Delay(200);
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "junction.db")};Mode=ReadOnly");
        connection.Open();
        return connection;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<string>> IdsAsync(string sql)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private async Task<List<(string ConnectionId, string Node, long StartedAt, long FinishedAt)>> HistoryAsync()
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT connection_id, node, started_at, finished_at FROM verification_history";
        var rows = new List<(string, string, long, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return rows;
    }
}
