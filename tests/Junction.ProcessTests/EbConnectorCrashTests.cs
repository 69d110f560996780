using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Junction.ProcessTests;

/// <summary>
/// A ckafka connector loses no record when its process dies (issue 17): a real Junction process consumes a topic of the
/// mock cluster through a connector into a bus whose rule sends every event on to another topic; it is SIGKILLed while
/// records flow and started again on the same database. Every record reaches the sink; the duplicates are no more than
/// one uncommitted batch plus the deliveries that were in flight; nothing stays pending.
/// </summary>
[Trait("Category", "Process")]
public sealed class EbConnectorCrashTests(ITestOutputHelper output) : IDisposable
{
    private const string Uin = JunctionProcess.AccountId;
    private const string Instance = $"qcs::ckafka:ap-guangzhou:uin/{Uin}:ckafkaId/uin/{Uin}/ckafka-crash001";
    private const int Records = 3000;
    private const int Batch = 50;
    private const int Concurrency = 8;

    private readonly TempDirectory _data = new();
    private readonly MockKafkaCluster _kafka = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _data.Dispose();
        _kafka.Dispose();
    }

    [Fact]
    public async Task KillWhileConsuming_RestartOnTheSameDatabase_EveryRecordArrives_DuplicatesBounded()
    {
        _kafka.CreateTopic("crash-src", partitions: 2);
        _kafka.CreateTopic("crash-sink");
        _kafka.Produce("crash-src", Enumerable.Range(0, Records).Select(i => ((string?)$"k{i}", $"{{\"n\":{i}}}")));
        var settings = new Dictionary<string, string>
        {
            ["Junction__Instances__Kafka__0__Id"] = "ckafka-crash001",
            ["Junction__Instances__Kafka__0__BootstrapServers"] = _kafka.Bootstrap,
            ["Junction__Instances__Kafka__0__Shared"] = "true",
            ["Junction__Tencent__RequestsPerSecond"] = "0",
            ["Junction__Eb__ConnectorBatch"] = Batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Junction__Eb__ConnectorRefresh"] = "00:00:00.200",
            ["Junction__Delivery__Concurrency"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Junction__Delivery__PollInterval"] = "00:00:00.200",
            ["Junction__Delivery__LeaseDuration"] = "00:00:04",
            ["Junction__Delivery__AttemptTimeout"] = "00:00:02",
        };

        var first = await JunctionProcess.StartAsync(_data.Path, settings);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(first.Url) };
            var client = new TencentClient(http, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey);
            var bus = (await OkAsync(client, "CreateEventBus", new { EventBusName = "crash-bus" }))["EventBusId"]!.GetValue<string>();
            var rule = (await OkAsync(client, "CreateRule", new { EventBusId = bus, RuleName = "all", EventPattern = "{}" }))["RuleId"]!.GetValue<string>();
            await OkAsync(client, "CreateTarget", new
            {
                EventBusId = bus, RuleId = rule, Type = "ckafka",
                TargetDescription = new { ResourceDescription = Instance, CkafkaTargetParams = new { TopicName = "crash-sink", RetryPolicy = new { RetryInterval = 1, MaxRetryAttempts = 10 } } },
            });
            await OkAsync(client, "CreateConnection", new
            {
                EventBusId = bus, ConnectionName = "crash-source",
                ConnectionDescription = new { ResourceDescription = Instance, CkafkaParams = new { Offset = "earliest", TopicName = "crash-src" } },
            });

            // Kill it once records flow but before the topic is drained.
            var wait = Stopwatch.StartNew();
            long events = 0;
            while (events < 300 && wait.Elapsed < TimeSpan.FromSeconds(60))
            {
                events = await ScalarAsync("SELECT COUNT(*) FROM events");
                await Task.Delay(20);
            }

            Assert.True(events is >= 300 and < Records, $"{events} events before the kill: the test needs the kill to land mid-stream");
            first.Kill();
            output.WriteLine($"killed after {events} events were persisted");
        }
        finally
        {
            first.Dispose();
        }

        using var second = await JunctionProcess.StartAsync(_data.Path, settings);
        var done = Stopwatch.StartNew();
        while (done.Elapsed < TimeSpan.FromSeconds(120)
               && (await ScalarAsync("SELECT COUNT(*) FROM events") < Records || await ScalarAsync("SELECT COUNT(*) FROM deliveries WHERE state <> 'Delivered'") > 0))
        {
            await Task.Delay(200);
        }

        var sink = _kafka.Consume("crash-sink", int.MaxValue, TimeSpan.FromSeconds(15))
            .Select(m => JsonNode.Parse(m.Message.Value)!["data"]!)
            .Select(d => (Partition: d["Partition"]!.GetValue<int>(), Offset: d["offset"]!.GetValue<long>(), Body: d["msgBody"]!.GetValue<string>()))
            .ToList();
        var distinct = sink.Select(r => r.Body).Distinct().Count();
        var duplicates = sink.Count - distinct;
        output.WriteLine($"{sink.Count} messages on the sink, {distinct} distinct records, {duplicates} duplicates");
        Assert.Equal(Records, distinct);
        Assert.True(duplicates <= 2 * Batch + Concurrency, $"{duplicates} duplicates: more than two uncommitted batches and the deliveries in flight");
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM deliveries WHERE state <> 'Delivered' OR lease_owner IS NOT NULL"));
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "junction.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<JsonObject> OkAsync(TencentClient client, string action, object body)
    {
        var answer = await TencentClient.ResponseAsync(await client.SendAsync(action, JsonSerializer.Serialize(body)));
        Assert.True(TencentClient.ErrorCode(answer) is null, $"{action}: {answer.ToJsonString()}");
        return answer;
    }
}
