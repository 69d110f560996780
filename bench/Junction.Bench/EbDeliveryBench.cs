using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Junction.Runtime.Kafka;
using Junction.Testing;

namespace Junction.Bench;

/// <summary>
/// Tencent EB end to end through a real Junction process on SQLite: PutEvents (TC3-signed, batches of 20) → a rule →
/// a ckafka target on the mock cluster with acks=all, beside a raw Confluent.Kafka producer writing the same messages;
/// and a ckafka connector → bus → rule → ckafka target, beside a raw consume-then-produce loop over the same records,
/// with the time the pipeline needs to drain a burst (its lag).
/// </summary>
internal static class EbDeliveryBench
{
    private const string Uin = JunctionProcess.AccountId;
    /// <summary>
    /// The burst's topic: the mock cluster keeps about 5 MB per partition and drops the oldest beyond it (a run with 3
    /// partitions and unkeyed records, which the sticky partitioner piles onto one, lost 2,687-13,435 of 30,000 before
    /// anything read them); 16 partitions and keyed records hold a burst of 100,000 ~400-byte records.
    /// </summary>
    private const int SourcePartitions = 16;

    private const string Instance = $"qcs::ckafka:ap-guangzhou:uin/{Uin}:ckafkaId/uin/{Uin}/ckafka-bench001";

    public static async Task RunAsync(int events, int records, int clients)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"PutEvents: {events} events, {clients} concurrent clients, batches of 20; connector: a burst of {records} records");
        Console.WriteLine();
        KafkaNative.EnsureLoaded();
        using var cluster = new KafkaMockCluster();
        foreach (var topic in new[] { "raw-sink", "put-sink", "loop-sink", "connector-sink" })
        {
            cluster.CreateTopic(topic, partitions: 3);
        }

        cluster.CreateTopic("source", partitions: SourcePartitions);

        var message = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Envelope("baseline")));
        // A warm-up round of the same work first, for the raw producer and for Junction (see DeliveryBench).
        var warm = Math.Min(events, 10_000);
        DeliveryBench.RawProducer(cluster.Bootstrap, warm, message, "raw-sink");
        var raw = await DeliveryBench.MedianAsync("raw producer", () => Task.FromResult(DeliveryBench.RawProducer(cluster.Bootstrap, events, message, "raw-sink")));

        using var data = new TempDirectory();
        using var node = await JunctionProcess.StartAsync(data.Path, new Dictionary<string, string>
        {
            ["Junction__Instances__Kafka__0__Id"] = "ckafka-bench001",
            ["Junction__Instances__Kafka__0__BootstrapServers"] = cluster.Bootstrap,
            ["Junction__Instances__Kafka__0__Shared"] = "true",
            ["Junction__Tencent__RequestsPerSecond"] = "0",
            ["Junction__Eb__ConnectorRefresh"] = "00:00:00.500",
        });
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = new Uri(node.Url) };
        var client = new TencentClient(http, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey);
        var db = Path.Combine(data.Path, "junction.db");

        // PutEvents → rule → ckafka target (acks=all).
        var bus = await RouteAsync(client, "put-bus", """{"source":["bench.orders"]}""", "put-sink");
        async Task PutAsync(int count, string round, List<double> latencies) =>
            await DeliveryBench.TimeAsync(count / 20, clients, async i =>
            {
                var list = Enumerable.Range(0, 20).Select(n => new { Source = "bench.orders", Data = JsonSerializer.Serialize(new { order = $"{round}{i}-{n}", amount = 42 }), Type = "order:created", Subject = "bench" });
                var sent = Stopwatch.GetTimestamp();
                await CallAsync(client, "PutEvents", new { EventBusId = bus, EventList = list });
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
            });

        // Warm-up rounds until the server's JIT has settled, as in DeliveryBench.
        using var putSink = new TopicCount(cluster.Bootstrap, "put-sink", partitions: 3);
        using var connectorSink = new TopicCount(cluster.Bootstrap, "connector-sink", partitions: 3);
        var warmRounds = await DeliveryBench.WarmAsync(http, "PutEvents → ckafka", async round =>
        {
            await PutAsync(warm, $"w{round}-", []);
            await UntilAsync(putSink, (round + 1) * warm, db, (round + 1) * warm, node);
        });
        // Three measured rounds, the median counts (as for the raw producer); CPU over all three, latencies pooled.
        var puts = new List<double>();
        var cpuBefore = DeliveryBench.CpuSeconds(node.Pid);
        var writerBefore = await DeliveryBench.WriterAsync(http);
        var rounds = 0;
        var put = await DeliveryBench.MedianAsync("Junction PutEvents → ckafka", async () =>
        {
            var round = rounds++;
            var watch = Stopwatch.StartNew();
            await PutAsync(events, $"m{round}-", puts);
            var total = (warmRounds * warm) + ((round + 1) * events);
            await UntilAsync(putSink, total, db, total, node);
            return watch.Elapsed;
        });
        var putRate = events / put.TotalSeconds;
        var putCpu = (DeliveryBench.CpuSeconds(node.Pid) - cpuBefore) / (3.0 * events) * 1e6;
        var putWriter = (await DeliveryBench.WriterAsync(http)).Since(writerBefore);

        // The raw loop: consume the burst and produce each record on, acks=all.
        DeliveryBench.RawProducer(cluster.Bootstrap, records, message, "source", keyed: true);
        var loop = RawLoop(cluster.Bootstrap, records);

        // The connector: a burst produced to its topic flows through the bus to the sink; drained when all are delivered.
        var connectorBus = await RouteAsync(client, "connector-bus", """{"source":["ckafka.cloud.tencent"]}""", "connector-sink");
        var before = await DeliveredAsync(db);
        var watch = Stopwatch.StartNew();
        await CallAsync(client, "CreateConnection", new
        {
            EventBusId = connectorBus, ConnectionName = "bench-source",
            ConnectionDescription = new { ResourceDescription = Instance, CkafkaParams = new { Offset = "earliest", TopicName = "source" } },
        });
        await UntilAsync(connectorSink, records, db, before + records, node);
        var connector = watch.Elapsed;
        var rss = DeliveryBench.ResidentMegabytes(node.Pid);

        var sorted = puts.Order().ToList();
        var rawRate = events / raw.TotalSeconds;
        var loopRate = records / loop.TotalSeconds;
        var connectorRate = records / connector.TotalSeconds;
        Console.WriteLine("| figure | Junction | baseline (same run) | ratio |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| PutEvents → ckafka target (acks=all): events/s published and delivered | {putRate:0} /s | {rawRate:0} /s (raw Confluent.Kafka producer, acks=all, idempotent) | {putRate / rawRate:0.00}× |");
        Console.WriteLine($"| PutEvents (20 events) p50 / p99 at {clients} clients | {DeliveryBench.Percentile(sorted, 0.5):0.0} / {DeliveryBench.Percentile(sorted, 0.99):0.0} ms | | |");
        Console.WriteLine($"| ckafka connector → bus → ckafka target: records/s for a burst of {records} | {connectorRate:0} /s | {loopRate:0} /s (raw consume-then-produce loop) | {connectorRate / loopRate:0.00}× |");
        Console.WriteLine($"| lag: from the connector's creation to the burst's last delivery | {connector.TotalSeconds:0.0} s | {loop.TotalSeconds:0.0} s | |");
        Console.WriteLine($"| resident memory of the server afterwards | {rss:0} MB | | |");
        Console.WriteLine($"| server CPU per event published and delivered (PutEvents → ckafka) | {putCpu:0} µs | | |");
        Console.WriteLine($"| the SQLite writer over the three PutEvents → ckafka rounds: busy share of the time, writes per transaction | {putWriter.Busy:P0}, {putWriter.PerTransaction:0.0} | | |");
    }

    private static object Envelope(string id) => new
    {
        specversion = "1.0", id, type = "order:created", source = "bench.orders", subject = "bench", time = "1765000000000",
        region = "ap-guangzhou", datacontenttype = "application/json;charset=utf-8", resource = new[] { "qcs::eb:ap-guangzhou:uid1:eb-1/rule-1" },
        data = new { order = id, amount = 42, note = "a typical small business event of a couple of hundred bytes" },
    };

    private static async Task<string> RouteAsync(TencentClient client, string name, string pattern, string sink)
    {
        var bus = (await CallAsync(client, "CreateEventBus", new { EventBusName = name }))["EventBusId"]!.GetValue<string>();
        var rule = (await CallAsync(client, "CreateRule", new { EventBusId = bus, RuleName = name + "-rule", EventPattern = pattern }))["RuleId"]!.GetValue<string>();
        await CallAsync(client, "CreateTarget", new
        {
            EventBusId = bus, RuleId = rule, Type = "ckafka",
            TargetDescription = new { ResourceDescription = Instance, CkafkaTargetParams = new { TopicName = sink, RetryPolicy = new { RetryInterval = 1, MaxRetryAttempts = 3 } } },
        });
        return bus;
    }

    private static async Task<JsonObject> CallAsync(TencentClient client, string action, object body)
    {
        using var response = await client.SendAsync(action, JsonSerializer.Serialize(body));
        var answer = await TencentClient.ResponseAsync(response);
        return response.StatusCode == HttpStatusCode.OK && TencentClient.ErrorCode(answer) is null
            ? answer
            : throw new InvalidOperationException($"{action}: {answer.ToJsonString()}");
    }

    /// <summary>
    /// Waits until <paramref name="topic"/> holds <paramref name="produced"/> messages and then until the database records
    /// <paramref name="delivered"/> deliveries done (see <see cref="TopicCount"/>); gives up (with the server's log) after
    /// 60 s without progress.
    /// </summary>
    private static async Task UntilAsync(TopicCount topic, long produced, string db, long delivered, JunctionProcess node)
    {
        await UntilAsync(() => Task.FromResult(topic.Now()), produced, node);
        await UntilAsync(() => DeliveredAsync(db), delivered, node);
    }

    private static async Task UntilAsync(Func<Task<long>> count, long target, JunctionProcess node)
    {
        var stalled = Stopwatch.StartNew();
        var last = -1L;
        long now;
        while ((now = await count()) < target)
        {
            if (now != last)
            {
                (last, stalled) = (now, Stopwatch.StartNew());
            }
            else if (stalled.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"deliveries stalled at {now} of {target}; the server's log ends:\n{string.Join('\n', node.Output.Split('\n').TakeLast(40))}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Consumes <paramref name="count"/> records of <c>source</c> from the start and produces each to <c>loop-sink</c> (acks=all).</summary>
    private static TimeSpan RawLoop(string bootstrap, int count)
    {
        var consumerConfig = new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "raw-loop", AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false, LogConnectionClose = false,
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(consumerConfig).SetLogHandler((_, _) => { }).Build();
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, EnableIdempotence = true, LingerMs = 2 })
            .SetLogHandler((_, _) => { }).Build();
        var watch = Stopwatch.StartNew();
        // In a group, as the connector is: both pay the group's join.
        consumer.Subscribe("source");
        var pending = new List<Task>(count);
        while (pending.Count < count && watch.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false, Message: not null } record)
            {
                pending.Add(producer.ProduceAsync("loop-sink", new Message<byte[]?, byte[]> { Key = record.Message.Key, Value = record.Message.Value }));
                if (pending.Count % 500 == 0)
                {
                    consumer.Commit(record);
                }
            }
        }

        if (pending.Count < count)
        {
            var where = string.Join(", ", Enumerable.Range(0, SourcePartitions).Select(p =>
            {
                var tp = new TopicPartition("source", p);
                var marks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5));
                return $"partition {p}: at {consumer.Position(tp)} of {marks.Low}..{marks.High}";
            }));
            throw new TimeoutException($"the raw loop consumed only {pending.Count} of {count} records in 2 minutes ({where})");
        }

        Task.WaitAll([.. pending]);
        consumer.Close();
        Console.Error.WriteLine($"raw loop: {count} records in {watch.Elapsed.TotalSeconds:0.0} s");
        return watch.Elapsed;
    }

    private static Task<long> DeliveredAsync(string db) => DeliveryBench.ScalarAsync(db, "SELECT COUNT(*) FROM deliveries WHERE state = 'Delivered'");
}
