using System.Text.Json.Nodes;
using Junction.Delivery;
using Junction.Delivery.Sources;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.TencentEb;

/// <summary>
/// A ckafka connector is a live source: records produced to its topic on the mock cluster become connector:ckafka
/// events in its bus, and a rule's ckafka target carries them to another topic. Offsets are committed only after the
/// events are persisted, so a consumer stopped and started again loses nothing.
/// </summary>
public sealed class EbConnectorSourceTests : IAsyncLifetime
{
    private const string Uin = JunctionFactory.AccountId;
    private const string Instance = $"qcs::ckafka:ap-guangzhou:uin/{Uin}:ckafkaId/uin/{Uin}/ckafka-mock0001";

    private readonly MockKafkaCluster _kafka = new();
    private JunctionFactory _factory = null!;
    private TencentClient _client = null!;

    public Task InitializeAsync()
    {
        _factory = new JunctionFactory()
            .With("Junction:Tencent:RequestsPerSecond", "0")
            .With("Junction:Eb:ConnectorBatch", "4")
            .With("Junction:Instances:Kafka:0:Id", "ckafka-mock0001")
            .With("Junction:Instances:Kafka:0:BootstrapServers", _kafka.Bootstrap)
            .With("Junction:Instances:Kafka:0:Tenant", "junction");
        _client = _factory.CreateTencentClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Sources.StopAllAsync();
        await _factory.DisposeAsync();
        _kafka.Dispose();
    }

    private CkafkaConnectorSources Sources => _factory.Services.GetRequiredService<CkafkaConnectorSources>();

    [Fact]
    public async Task Earliest_ReplaysTheTopic_IntoTheBus_AndOnToACkafkaTarget_AcrossARestart()
    {
        _kafka.CreateTopic("src-a", partitions: 2);
        _kafka.CreateTopic("sink-a");
        _kafka.Produce("src-a", Enumerable.Range(1, 6).Select(i => ((string?)$"k{i}", $"{{\"n\":{i}}}")));
        var (bus, connector) = await ConnectorAsync("src-a", "earliest");
        await RouteAsync(bus, "sink-a");

        await Sources.RefreshAsync(CancellationToken.None);
        Assert.Contains(connector, Sources.Running);
        await DeliverUntilAsync("sink-a", 6);

        // Stopped and started again: the committed offsets hold, so only new records come (and nothing is lost).
        await Sources.StopAllAsync();
        _kafka.Produce("src-a", Enumerable.Range(7, 5).Select(i => ((string?)null, $"{{\"n\":{i}}}")));
        await Sources.RefreshAsync(CancellationToken.None);
        var all = await DeliverUntilAsync("sink-a", 11);
        var numbers = all.Select(m => JsonNode.Parse(JsonNode.Parse(m)!["data"]!["msgBody"]!.GetValue<string>())!["n"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(1, 11), numbers.Distinct().Order());
        Assert.True(numbers.Count - 11 <= 4, $"{numbers.Count - 11} duplicates; at most one batch may come again");

        var first = all.Select(m => JsonNode.Parse(m)!).First(m => m["data"]!["msgKey"]!.GetValue<string>() == "k1");
        Assert.Equal("ckafka.cloud.tencent", first["source"]!.GetValue<string>());
        Assert.Equal("connector:ckafka", first["type"]!.GetValue<string>());
        Assert.Equal($"qcs::ckafka:ap-guangzhou:uin/{Uin}:ckafkaId/uin/{Uin}/ckafka-mock0001", first["subject"]!.GetValue<string>());
        Assert.Equal("src-a", first["data"]!["topic"]!.GetValue<string>());
        Assert.Equal("""{"n":1}""", first["data"]!["msgBody"]!.GetValue<string>());
        Assert.Equal("1", first["specversion"]!.GetValue<string>()[..1]);
    }

    [Fact]
    public async Task Latest_SkipsWhatWasThere_AndDisablingStopsTheConsumer()
    {
        _kafka.CreateTopic("sink-b");
        _kafka.Produce("src-b", [("old", "{\"n\":0}")]);
        var (bus, connector) = await ConnectorAsync("src-b", "latest");
        await RouteAsync(bus, "sink-b");
        await Sources.RefreshAsync(CancellationToken.None);

        // The group joins, then what is produced from then on flows; the record from before never does.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> received;
        var n = 1;
        do
        {
            _kafka.Produce("src-b", [(null, $"{{\"n\":{n++}}}")]);
            await Task.Delay(500);
            await Deliver();
            received = (await new AdminClient(_factory.CreateClient()).GetAsync("/deliveries?state=Delivered&limit=1")).Body!["total"]!.GetValue<int>() > 0
                ? [.. _kafka.Consume("sink-b", int.MaxValue, TimeSpan.FromSeconds(8)).Select(m => System.Text.Encoding.UTF8.GetString(m.Message.Value))]
                : [];
        }
        while (received.Count == 0 && DateTime.UtcNow < deadline);

        Assert.NotEmpty(received);
        Assert.DoesNotContain(received, m => JsonNode.Parse(m)!["data"]!["msgKey"]!.GetValue<string>() == "old");

        var answer = await TencentClient.ResponseAsync(await _client.SendAsync("UpdateConnection", $$"""{"EventBusId":"{{bus}}","ConnectionId":"{{connector}}","Enable":false}"""));
        Assert.Null(TencentClient.ErrorCode(answer));
        await Sources.RefreshAsync(CancellationToken.None);
        Assert.DoesNotContain(connector, Sources.Running);
    }

    [Fact]
    public async Task TimestampOffset_StartsAtTheFirstRecordAtOrAfterIt()
    {
        _kafka.CreateTopic("src-c", partitions: 2);
        _kafka.CreateTopic("sink-c");
        _kafka.Produce("src-c", Enumerable.Range(0, 4).Select(i => ((string?)$"old-{i}", $"{{\"old\":{i}}}")));
        await Task.Delay(1500);
        var since = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _kafka.Produce("src-c", Enumerable.Range(0, 3).Select(i => ((string?)$"new-{i}", $"{{\"new\":{i}}}")));
        var (bus, _) = await ConnectorAsync("src-c", since.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await RouteAsync(bus, "sink-c");

        await Sources.RefreshAsync(CancellationToken.None);
        var delivered = await DeliverUntilAsync("sink-c", 3);

        var keys = delivered.Select(m => JsonNode.Parse(m)!["data"]!["msgKey"]!.GetValue<string>()).Distinct().Order().ToList();
        Assert.Equal(["new-0", "new-1", "new-2"], keys);
    }

    private Task<int> Deliver() => _factory.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);

    /// <summary>Delivers what is due until the sink topic holds <paramref name="count"/> distinct records; answers every message on it.</summary>
    private async Task<List<string>> DeliverUntilAsync(string topic, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await Deliver();
            var deliveries = (await new AdminClient(_factory.CreateClient()).GetAsync("/deliveries?state=Delivered&limit=1")).Body!["total"]!.GetValue<int>();
            if (deliveries >= count || DateTime.UtcNow > deadline)
            {
                // A fresh consumer group needs a few seconds to join the mock cluster: read until nothing more comes.
                var messages = _kafka.Consume(topic, int.MaxValue, TimeSpan.FromSeconds(8)).Select(m => System.Text.Encoding.UTF8.GetString(m.Message.Value)).ToList();
                var distinct = messages.Select(m => JsonNode.Parse(m)!["data"]!["offset"]!.GetValue<long>() * 10 + JsonNode.Parse(m)!["data"]!["Partition"]!.GetValue<int>()).Distinct().Count();
                Assert.True(distinct >= count, $"{distinct} of {count} records reached {topic} ({messages.Count} messages, {deliveries} deliveries)");
                return messages;
            }

            await Task.Delay(200);
        }
    }

    private async Task<(string Bus, string Connector)> ConnectorAsync(string topic, string offset)
    {
        var bus = (await Ok("CreateEventBus", new { EventBusName = $"bus-{topic}" }))["EventBusId"]!.GetValue<string>();
        var connector = (await Ok("CreateConnection", new
        {
            EventBusId = bus,
            ConnectionName = $"from-{topic}",
            ConnectionDescription = new { ResourceDescription = Instance, CkafkaParams = new { Offset = offset, TopicName = topic } },
        }))["ConnectionId"]!.GetValue<string>();
        return (bus, connector);
    }

    private async Task RouteAsync(string bus, string sink)
    {
        var rule = (await Ok("CreateRule", new { EventBusId = bus, RuleName = "from-kafka", EventPattern = """{"source":["ckafka.cloud.tencent"],"type":["connector:ckafka"]}""" }))["RuleId"]!.GetValue<string>();
        await Ok("CreateTarget", new
        {
            EventBusId = bus,
            RuleId = rule,
            Type = "ckafka",
            TargetDescription = new
            {
                ResourceDescription = Instance,
                CkafkaTargetParams = new { TopicName = sink, RetryPolicy = new { RetryInterval = 1, MaxRetryAttempts = 3 } },
            },
        });
    }

    private async Task<JsonObject> Ok(string action, object body)
    {
        var answer = await TencentClient.ResponseAsync(await _client.SendAsync(action, System.Text.Json.JsonSerializer.Serialize(body)));
        Assert.True(TencentClient.ErrorCode(answer) is null, $"{action}: {answer.ToJsonString()}");
        return answer;
    }
}
