using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Delivery;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.TencentEb;

/// <summary>
/// Events flow through Tencent EB: rules, targets and transformations through TC3-signed actions, PutEvents, then the
/// delivery worker to real targets — the librdkafka mock cluster (a registered CKafka instance) and a Kestrel receiver
/// on loopback standing for an SCF function. Retries and dead letters are driven with the worker's clock.
/// </summary>
public sealed class EbDataPlaneTests : IAsyncLifetime
{
    private const string Uin = JunctionFactory.AccountId;
    private const string Instance = $"qcs::ckafka:ap-guangzhou:uin/{Uin}:ckafkaId/uin/{Uin}/ckafka-mock0001";
    private const string Function = $"qcs::scf:ap-guangzhou:uin/{Uin}:namespace/default/function/orders/$LATEST";

    private readonly MockKafkaCluster _kafka = new();
    private WebhookReceiver _receiver = null!;
    private JunctionFactory _factory = null!;
    private TencentClient _client = null!;
    private AdminClient _admin = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _factory = new JunctionFactory()
            .With("Junction:Tencent:RequestsPerSecond", "0")
            .With("Junction:Instances:Kafka:0:Id", "ckafka-mock0001")
            .With("Junction:Instances:Kafka:0:BootstrapServers", _kafka.Bootstrap)
            .With("Junction:Instances:Kafka:0:Tenant", "junction")
            .With("Junction:Instances:Kafka:1:Id", "ckafka-other001")
            .With("Junction:Instances:Kafka:1:BootstrapServers", _kafka.Bootstrap)
            .With("Junction:Instances:Kafka:1:Tenant", "someone-else");
        _client = _factory.CreateTencentClient();
        _admin = new AdminClient(_factory.CreateClient());
        var (status, body) = await _admin.PostAsync("/functions", $$"""{"namespace":"default","name":"orders","url":"{{_receiver.Url}}/fn","tenant":"junction"}""");
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _factory.DisposeAsync();
        _kafka.Dispose();
    }

    [Fact]
    public async Task PutEvents_ReachesCkafkaAndScfTargets_OnlyWhenTheRuleMatches()
    {
        var bus = await BusAsync();
        var rule = await RuleAsync(bus, """{"source":["shop.orders"],"data":{"amount":[{"numeric":[">",5]}]}}""");
        await CkafkaTargetAsync(bus, rule, "orders");
        await ScfTargetAsync(bus, rule);

        await OkAsync("PutEvents", new
        {
            EventBusId = bus,
            EventList = new object[]
            {
                new { Source = "shop.orders", Data = """{"order":"o-1","amount":10}""", Type = "order:created", Subject = "qcs::shop:o-1", Id = "e-1", Time = 1765000000000L },
                new { Source = "shop.orders", Data = """{"order":"o-2","amount":1}""", Type = "order:created", Subject = "qcs::shop:o-2" },
                new { Source = "elsewhere", Data = """{"order":"o-3","amount":99}""", Type = "order:created", Subject = "qcs::shop:o-3" },
            },
        });

        Assert.Equal(2, await DeliverAsync());
        var produced = Assert.Single(_kafka.Consume("orders", 2, TimeSpan.FromSeconds(5)));
        var envelope = JsonNode.Parse(produced.Message.Value)!;
        Assert.Equal("1.0", envelope["specversion"]!.GetValue<string>());
        Assert.Equal("e-1", envelope["id"]!.GetValue<string>());
        Assert.Equal("1765000000000", envelope["time"]!.GetValue<string>());
        Assert.Equal("ap-guangzhou", envelope["region"]!.GetValue<string>());
        Assert.Equal("qcs::shop:o-1", envelope["subject"]!.GetValue<string>());
        Assert.Equal($"qcs::eb:ap-guangzhou:uid{Uin}:{bus}/{rule}", envelope["resource"]![0]!.GetValue<string>());
        Assert.Equal(10, envelope["data"]!["amount"]!.GetValue<int>());

        var posted = Assert.Single(_receiver.Received);
        Assert.Equal("/fn", posted.Path);
        Assert.Equal("e-1", JsonNode.Parse(posted.Text)!["id"]!.GetValue<string>());
        var deliveries = (await _admin.GetAsync("/deliveries")).Body!["items"]!.AsArray();
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal("Delivered", d!["state"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Routes_FollowEveryRuleAndTargetChange_AtTheNextPublish()
    {
        // Each publish below first sees the bus as the one before it left it (the routes kept under the tenant's EB
        // generation); every change in between must show at once.
        var bus = await BusAsync();
        async Task<int> PublishAsync(string id)
        {
            await OkAsync("PutEvents", new { EventBusId = bus, EventList = new[] { new { Source = "shop.orders", Data = """{"amount":10}""", Type = "t", Subject = "s", Id = id } } });
            return await DeliverAsync();
        }

        Assert.Equal(0, await PublishAsync("e-0"));
        var rule = await RuleAsync(bus, """{"source":["shop.orders"]}""");
        Assert.Equal(0, await PublishAsync("e-1"));
        var target = await ScfTargetAsync(bus, rule);
        Assert.Equal(1, await PublishAsync("e-2"));

        await OkAsync("UpdateRule", new { EventBusId = bus, RuleId = rule, Enable = false });
        Assert.Equal(0, await PublishAsync("e-3"));
        await OkAsync("UpdateRule", new { EventBusId = bus, RuleId = rule, Enable = true });
        Assert.Equal(1, await PublishAsync("e-4"));
        await OkAsync("UpdateRule", new { EventBusId = bus, RuleId = rule, EventPattern = """{"source":["elsewhere"]}""" });
        Assert.Equal(0, await PublishAsync("e-5"));
        await OkAsync("UpdateRule", new { EventBusId = bus, RuleId = rule, EventPattern = """{"source":["shop.orders"]}""" });
        Assert.Equal(1, await PublishAsync("e-6"));

        await OkAsync("DeleteTarget", new { EventBusId = bus, RuleId = rule, TargetId = target });
        Assert.Equal(0, await PublishAsync("e-7"));
        Assert.Equal(["e-2", "e-4", "e-6"], _receiver.Received.Select(r => JsonNode.Parse(r.Text)!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Transformation_IsAppliedBeforeEveryTargetOfItsRule_AndDataKeyDeliversOnlyData()
    {
        var bus = await BusAsync();
        var transformed = await RuleAsync(bus, """{"source":["shop.orders"]}""", "transformed");
        var transformation = (await OkAsync("CreateTransformation", new
        {
            EventBusId = bus,
            RuleId = transformed,
            Transformations = new[]
            {
                new
                {
                    Extraction = new { ExtractionInputPath = "$.data", Format = "JSON" },
                    Transform = new { OutputStructs = new[] { new { Key = "ref", Value = "$.order", ValueType = "JSONPATH" }, new { Key = "kind", Value = "order", ValueType = "STRING" } } },
                },
            },
        }))["TransformationId"]!.GetValue<string>();
        Assert.Matches("^tsfm-[a-z0-9]{8}$", transformation);
        await ScfTargetAsync(bus, transformed);
        var dataOnly = await RuleAsync(bus, """{"source":["shop.orders"]}""", "data-only");
        await CkafkaTargetAsync(bus, dataOnly, "data-only", format: "CloudEventDataKey");

        await OkAsync("PutEvents", new { EventBusId = bus, EventList = new[] { new { Source = "shop.orders", Data = """{"order":"o-7","amount":3}""", Type = "t", Subject = "s" } } });

        Assert.Equal(2, await DeliverAsync());
        Assert.Equal("""{"ref":"o-7","kind":"order"}""", Assert.Single(_receiver.Received).Text);
        Assert.Equal("""{"order":"o-7","amount":3}""", Encoding.UTF8.GetString(Assert.Single(_kafka.Consume("data-only", 1, TimeSpan.FromSeconds(5))).Message.Value));
    }

    [Fact]
    public async Task FailingScfTarget_IsRetriedThenKeptAsFailed_AndRedriveDeliversIt()
    {
        var bus = await BusAsync();
        var rule = await RuleAsync(bus, "{}");
        await ScfTargetAsync(bus, rule);
        _receiver.Script(new ReceiverAnswer(503), new ReceiverAnswer(503), new ReceiverAnswer(503), new ReceiverAnswer(503));

        await OkAsync("PutEvents", new { EventBusId = bus, EventList = new[] { new { Source = "a", Data = "not json, kept as a string", Type = "t", Subject = "s" } } });
        Assert.Equal(1, await DeliverAsync());
        for (var i = 0; i < 3; i++)
        {
            _factory.Time.Advance(TimeSpan.FromMinutes(6));
            Assert.Equal(1, await DeliverAsync());
        }

        Assert.Equal(4, _receiver.Received.Count);
        Assert.Equal("not json, kept as a string", JsonNode.Parse(_receiver.Received[0].Text)!["data"]!.GetValue<string>());
        var failed = (await _admin.GetAsync("/deliveries?state=Failed")).Body!["items"]!.AsArray().Single()!;
        Assert.Equal(4, failed["attempts"]!.GetValue<int>());
        Assert.Contains("HTTP_503", failed["last_error"]!.GetValue<string>(), StringComparison.Ordinal);

        var redriven = await _admin.PostAsync("/deliveries/redrive", """{"all":true}""");
        Assert.Equal(1, redriven.Body!["redriven"]!.GetValue<int>());
        Assert.Equal(1, await DeliverAsync());
        Assert.Equal(5, _receiver.Received.Count);
        Assert.Equal("Delivered", (await _admin.GetAsync("/deliveries")).Body!["items"]![0]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task TerminalFailure_GoesToTheRulesDeadLetterTopic_WithHeadersNamingWhy()
    {
        var bus = await BusAsync();
        var rule = await RuleAsync(bus, "{}", deadLetter: new { DisposeMethod = "DLQ", CkafkaDeliveryParams = new { TopicName = "eb-dlq", ResourceDescription = Instance } });
        await ScfTargetAsync(bus, rule);
        _receiver.Default = new ReceiverAnswer(404);

        await OkAsync("PutEvents", new { EventBusId = bus, EventList = new[] { new { Source = "a", Data = "{}", Type = "t", Subject = "s", Id = "dead-1" } } });
        // The target's attempt, then (due at once) the dead letter's.
        Assert.Equal(2, await DeliverAsync() + await DeliverAsync());

        var dead = Assert.Single(_kafka.Consume("eb-dlq", 1, TimeSpan.FromSeconds(5)));
        Assert.Equal("dead-1", JsonNode.Parse(dead.Message.Value)!["id"]!.GetValue<string>());
        string Header(string name) => Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes(name));
        Assert.Equal(rule, Header("eb-rule-id"));
        Assert.Equal("HTTP_404", Header("eb-error-code"));
        Assert.Equal("1", Header("eb-attempts"));
        Assert.Equal("DeadLettered", (await _admin.GetAsync("/deliveries")).Body!["items"]![0]!["state"]!.GetValue<string>());
        var rules = await OkAsync("ListRules", new { EventBusId = bus });
        Assert.Equal("DLQ", rules["Rules"]![0]!["DeadLetterConfig"]!["DisposeMethod"]!.GetValue<string>());
    }

    [Fact]
    public async Task DropRule_DropsAGivenUpEvent_AndUnsupportedTargetsFailWithAReason()
    {
        var bus = await BusAsync();
        var dropping = await RuleAsync(bus, """{"source":["a"]}""", "dropping", deadLetter: new { DisposeMethod = "DROP" });
        await ScfTargetAsync(bus, dropping);
        var logs = await RuleAsync(bus, """{"source":["a"]}""", "logs");
        await OkAsync("CreateTarget", new { EventBusId = bus, RuleId = logs, Type = "cls", TargetDescription = new { ResourceDescription = $"qcs::cls:ap-guangzhou:uin/{Uin}:topic/t-1" } });
        _receiver.Default = new ReceiverAnswer(400);

        await OkAsync("PutEvents", new { EventBusId = bus, EventList = new[] { new { Source = "a", Data = "{}", Type = "t", Subject = "s" } } });
        Assert.Equal(2, await DeliverAsync());

        var items = (await _admin.GetAsync("/deliveries")).Body!["items"]!.AsArray();
        var dropped = items.Single(d => d!["subscription_id"]!.GetValue<string>() == dropping)!;
        Assert.Equal("Dropped", dropped["state"]!.GetValue<string>());
        var cls = items.Single(d => d!["subscription_id"]!.GetValue<string>() == logs)!;
        Assert.Equal("Failed", cls["state"]!.GetValue<string>());
        Assert.Contains("not supported by Junction", cls["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletedTarget_DropsTheEventsItWasStillOwed()
    {
        var bus = await BusAsync();
        var rule = await RuleAsync(bus, "{}");
        var target = await ScfTargetAsync(bus, rule);
        await OkAsync("PutEvents", new { EventBusId = bus, EventList = new[] { new { Source = "a", Data = "{}", Type = "t", Subject = "s" } } });
        await OkAsync("DeleteTarget", new { EventBusId = bus, RuleId = rule, TargetId = target });

        Assert.Equal(1, await DeliverAsync());
        Assert.Empty(_receiver.Received);
        var job = (await _admin.GetAsync("/deliveries")).Body!["items"]![0]!;
        Assert.Equal("Dropped", job["state"]!.GetValue<string>());
        Assert.Contains("deleted", job["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void CkafkaTarget_RetriesAtItsFixedInterval_OtherTargetsByTheDefaultPolicy()
    {
        var face = _factory.Services.GetRequiredService<EbFaceDelivery>();
        var options = _factory.Services.GetRequiredService<DeliveryOptions>();
        Core.Delivery.DeliveryWork Work(string type, string description) => new(
            1, "t", 1, "rule-1", "target-1", "k", Core.Delivery.DeliveryPhase.Target, null, null, 0, [], null, null, null, Core.Delivery.DeliveryFaces.Eb,
            null, new Core.EventBuses.EbTarget
            {
                Id = "target-1", TenantId = "t", BusId = "eb-1", RuleId = "rule-1", Type = type, Description = description,
                CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
            });

        var ckafka = face.Policy(Work("ckafka", """{"ResourceDescription":"x","CkafkaTargetParams":{"TopicName":"t","RetryPolicy":{"RetryInterval":60,"MaxRetryAttempts":360}}}"""), options);
        Assert.True(ckafka.Fixed);
        Assert.Equal(TimeSpan.FromSeconds(60), ckafka.InitialDelay);
        Assert.Equal(32, ckafka.RetryTimes); // capped by Junction:Delivery:MaxRetryTimes
        var retry = Core.Delivery.DeliveryDecision.Decide(Core.Delivery.AttemptOutcome.Retryable("KAFKA", "down"), 5, ckafka, DateTimeOffset.UnixEpoch, 0.01);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(60), Assert.IsType<Core.Delivery.DeliveryDecision.RetryAt>(retry).At);

        var scf = face.Policy(Work("scf", """{"ResourceDescription":"x"}"""), options);
        Assert.False(scf.Fixed);
        Assert.Equal(EbFaceDelivery.DefaultRetryTimes, scf.RetryTimes);
    }

    [Theory]
    [InlineData("CreateRule", """{"EventBusId":"BUS","RuleName":"r1","EventPattern":"{\"source\":"}""", "InvalidParameterValue.EventPattern")]
    [InlineData("CreateRule", """{"EventBusId":"BUS","RuleName":"1bad","EventPattern":"{}"}""", "InvalidParameterValue.RuleName")]
    [InlineData("CreateRule", """{"EventBusId":"eb-00000000","RuleName":"r1","EventPattern":"{}"}""", "ResourceNotFound.EventBus")]
    [InlineData("CreateRule", """{"EventBusId":"BUS","RuleName":"r1","EventPattern":"{}","DeadLetterConfig":{"DisposeMethod":"KEEP"}}""", "InvalidParameterValue.DeadLetterConfig")]
    [InlineData("CreateRule", """{"EventBusId":"BUS","RuleName":"r1","EventPattern":"{}","DeadLetterConfig":{"DisposeMethod":"DLQ","CkafkaDeliveryParams":{"TopicName":"d","ResourceDescription":"qcs::ckafka:ap-guangzhou:uin/100000000001:ckafkaId/uin/100000000001/ckafka-other001"}}}""", "InvalidParameterValue.DeadLetterConfig")]
    [InlineData("GetRule", """{"EventBusId":"BUS","RuleId":"rule-00000000"}""", "ResourceNotFound.Rule")]
    [InlineData("GetRule", """{"EventBusId":"BUS","RuleId":"r"}""", "InvalidParameterValue.RuleId")]
    [InlineData("CreateTarget", """{"EventBusId":"BUS","RuleId":"RULE","Type":"sns","TargetDescription":{"ResourceDescription":"qcs::sns:ap-guangzhou:uin/100000000001:x"}}""", "InvalidParameterValue.Type")]
    [InlineData("CreateTarget", """{"EventBusId":"BUS","RuleId":"RULE","Type":"ckafka","TargetDescription":{"ResourceDescription":"qcs::ckafka:ap-guangzhou:uin/100000000001:ckafkaId/uin/100000000001/ckafka-other001","CkafkaTargetParams":{"TopicName":"t","RetryPolicy":{"RetryInterval":1,"MaxRetryAttempts":1}}}}""", "InvalidParameterValue.TargetDescription")]
    [InlineData("CreateTarget", """{"EventBusId":"BUS","RuleId":"RULE","Type":"ckafka","TargetDescription":{"ResourceDescription":"qcs::ckafka:ap-guangzhou:uin/999:ckafkaId/uin/999/ckafka-mock0001","CkafkaTargetParams":{"TopicName":"t","RetryPolicy":{"RetryInterval":1,"MaxRetryAttempts":1}}}}""", "InvalidParameterValue.TargetDescription")]
    [InlineData("CreateTarget", """{"EventBusId":"BUS","RuleId":"RULE","Type":"ckafka","TargetDescription":{"ResourceDescription":"qcs::ckafka:ap-guangzhou:uin/100000000001:ckafkaId/uin/100000000001/ckafka-mock0001","CkafkaTargetParams":{"TopicName":"","RetryPolicy":{"RetryInterval":1,"MaxRetryAttempts":1}}}}""", "InvalidParameterValue.CKafkaTargetParams")]
    [InlineData("CreateTarget", """{"EventBusId":"BUS","RuleId":"RULE","Type":"scf","TargetDescription":{"ResourceDescription":"qcs::scf:ap-guangzhou:uin/100000000001:namespace/default/function/unknown/$LATEST"}}""", "InvalidParameterValue.TargetDescription")]
    [InlineData("CreateTarget", """{"EventBusId":"BUS","RuleId":"RULE","Type":"scf","BatchTimeout":61,"TargetDescription":{"ResourceDescription":"qcs::scf:ap-guangzhou:uin/100000000001:namespace/default/function/orders/$LATEST"}}""", "InvalidParameterValue.BatchTimeout")]
    [InlineData("CreateTarget", """{"EventBusId":"BUS","RuleId":"rule-00000000","Type":"scf","TargetDescription":{"ResourceDescription":"qcs::scf:ap-guangzhou:uin/100000000001:namespace/default/function/orders/$LATEST"}}""", "ResourceNotFound.Rule")]
    [InlineData("CreateTransformation", """{"EventBusId":"BUS","RuleId":"RULE","Transformations":[]}""", "InvalidParameterValue.Transformations")]
    [InlineData("CreateTransformation", """{"EventBusId":"BUS","RuleId":"RULE","Transformations":[{"Transform":{"OutputStructs":[{"Key":"a","Value":"x","ValueType":"COLOUR"}]}}]}""", "InvalidParameterValue.Transformations")]
    [InlineData("GetTransformation", """{"EventBusId":"BUS","RuleId":"RULE","TransformationId":"tsfm-00000000"}""", "ResourceNotFound.Transformation")]
    [InlineData("DeleteTarget", """{"EventBusId":"BUS","RuleId":"RULE","TargetId":"target-00000000"}""", "ResourceNotFound.Target")]
    [InlineData("PutEvents", """{"EventBusId":"BUS","EventList":[{"Source":"a","Data":{"not":"a string"},"Type":"t","Subject":"s"}]}""", "InvalidParameterValue.InvalidEvent")]
    [InlineData("PutEvents", """{"EventBusId":"BUS","EventList":[{"Data":"{}","Type":"t","Subject":"s"}]}""", "InvalidParameterValue.InvalidEvent")]
    [InlineData("PutEvents", """{"EventBusId":"BUS","EventList":[{"Source":"a","Data":"{}","Time":"yesterday"}]}""", "InvalidParameterValue.InvalidEvent")]
    [InlineData("PutEvents", """{"EventBusId":"BUS","EventList":[]}""", "InvalidParameter")]
    [InlineData("PutEvents", """{"EventBusId":"BUS","EventList":[{"Source":"a","Data":"{}","Colour":"red"}]}""", "UnknownParameter")]
    [InlineData("PutEvents", """{"EventBusId":"eb-00000000","EventList":[{"Source":"a","Data":"{}"}]}""", "ResourceNotFound.EventBus")]
    [InlineData("PutEvents", """{"EventBusId":"BUS","EventList":[{"Source":"a","Data":"{\"a\":\"\\ud800\"}"}]}""", "InvalidParameterValue.InvalidEvent")]
    [InlineData("PutEvents", """{"EventBusId":"BUS","EventList":[{"Source":"a","Data":"\"\\u0000\""}]}""", "InvalidParameterValue.InvalidEvent")]
    public async Task BadInput_GetsTencentsCode(string action, string body, string code)
    {
        var bus = await BusAsync();
        var rule = await RuleAsync(bus, "{}");
        var answer = await TencentClient.ResponseAsync(await _client.SendAsync(action, body.Replace("BUS", bus, StringComparison.Ordinal).Replace("\"RULE\"", $"\"{rule}\"", StringComparison.Ordinal)));
        Assert.Equal(code, TencentClient.ErrorCode(answer));
        Assert.False(string.IsNullOrEmpty(answer["Error"]!["Message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task PutEvents_IsAllOrNothing_AndRefusesAnOversizedEvent()
    {
        var bus = await BusAsync();
        var rule = await RuleAsync(bus, "{}");
        await ScfTargetAsync(bus, rule);
        var big = new string('x', 70_000);
        var answer = await SendAsync("PutEvents", new
        {
            EventBusId = bus,
            EventList = new[] { new { Source = "a", Data = "{}", Type = "t", Subject = "s" }, new { Source = "a", Data = $"\"{big}\"", Type = "t", Subject = "s" } },
        });

        Assert.Equal("InvalidParameterValue.InvalidEvent", TencentClient.ErrorCode(answer));
        Assert.Contains("EventList.1", answer["Error"]!["Message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await DeliverAsync());
        Assert.Equal(0, (await _admin.GetAsync("/deliveries")).Body!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task RulesAndTargets_AnswerAsTencentDoes()
    {
        var bus = await BusAsync();
        var rule = await RuleAsync(bus, """{"source":"apigw.cloud.tencent","type":["connector:apigw"]}""", description: "orders to kafka");
        var got = await OkAsync("GetRule", new { EventBusId = bus, RuleId = rule });
        Assert.Equal("r-main", got["RuleName"]!.GetValue<string>());
        Assert.Equal("Active", got["Status"]!.GetValue<string>());
        Assert.True(got["Enable"]!.GetValue<bool>());
        Assert.Equal("orders to kafka", got["Description"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", got["AddTime"]!.GetValue<string>());

        var listed = await OkAsync("ListRules", new { EventBusId = bus });
        Assert.Equal(1, listed["TotalCount"]!.GetValue<int>());
        Assert.Null(listed["Rules"]![0]!["Targets"]);
        Assert.Null(listed["Rules"]![0]!["DeadLetterConfig"]);

        var target = await CkafkaTargetAsync(bus, rule, "t1");
        await ScfTargetAsync(bus, rule);
        await OkAsync("UpdateTarget", new { EventBusId = bus, RuleId = rule, TargetId = target, EnableBatchDelivery = true, BatchTimeout = 5 });
        var targets = await OkAsync("ListTargets", new { EventBusId = bus, RuleId = rule, OrderBy = "created_at", Order = "ASC" });
        Assert.Equal(2, targets["TotalCount"]!.GetValue<int>());
        // Both were created in the same second (Tencent's times have seconds): find the ckafka one by id.
        var ckafka = targets["Targets"]!.AsArray().Single(t => t!["TargetId"]!.GetValue<string>() == target)!;
        Assert.Equal(target, ckafka["TargetId"]!.GetValue<string>());
        Assert.True(ckafka["EnableBatchDelivery"]!.GetValue<bool>());
        Assert.Equal(5, ckafka["BatchTimeout"]!.GetValue<int>());
        Assert.Equal("t1", ckafka["TargetDescription"]!["CkafkaTargetParams"]!["TopicName"]!.GetValue<string>());
        // Every parameter block is present, zero-valued where it does not apply (Tencent's ListTargets example).
        Assert.Equal("", targets["Targets"]!.AsArray().Single(t => t!["Type"]!.GetValue<string>() == "scf")!["TargetDescription"]!["CkafkaTargetParams"]!["TopicName"]!.GetValue<string>());
        Assert.Equal("", ckafka["TargetDescription"]!["ESTargetParams"]!["NetMode"]!.GetValue<string>());
        Assert.Equal(2, (await OkAsync("ListRules", new { EventBusId = bus }))["Rules"]![0]!["Targets"]!.AsArray().Count);
        var briefs = (await OkAsync("ListEventBuses", new { Filters = new[] { new { Name = "EventBusId", Values = new[] { bus } } } }))["EventBuses"]![0]!["TargetBriefs"]!.AsArray();
        Assert.Equal(["ckafka", "scf"], briefs.Select(b => b!["Type"]!.GetValue<string>()).Order());
        Assert.Contains(briefs, b => b!["TargetId"]!.GetValue<string>() == target);

        Assert.Equal("ResourceInUse.Rule", TencentClient.ErrorCode(await SendAsync("DeleteRule", new { EventBusId = bus, RuleId = rule })));
        Assert.Equal("ResourceInUse.EventBus", TencentClient.ErrorCode(await SendAsync("DeleteEventBus", new { EventBusId = bus })));
        foreach (var t in targets["Targets"]!.AsArray())
        {
            await OkAsync("DeleteTarget", new { EventBusId = bus, RuleId = rule, TargetId = t!["TargetId"]!.GetValue<string>() });
        }

        await OkAsync("UpdateRule", new { EventBusId = bus, RuleId = rule, Enable = false, RuleName = "renamed" });
        got = await OkAsync("GetRule", new { EventBusId = bus, RuleId = rule });
        Assert.Equal("renamed", got["RuleName"]!.GetValue<string>());
        Assert.False(got["Enable"]!.GetValue<bool>());
        await OkAsync("DeleteRule", new { EventBusId = bus, RuleId = rule });
        Assert.Equal("ResourceNotFound.Rule", TencentClient.ErrorCode(await SendAsync("GetRule", new { EventBusId = bus, RuleId = rule })));
        await OkAsync("DeleteEventBus", new { EventBusId = bus });
    }

    [Fact]
    public async Task Quotas_AndOneTransformationPerRule_AreEnforced()
    {
        await using var factory = new JunctionFactory().With("Junction:Tencent:RequestsPerSecond", "0").With("Junction:Eb:MaxRulesPerBus", "2")
            .With("Junction:Eb:MaxTargetsPerRule", "1").With("Junction:Eb:RejectEventsWithoutRules", "true");
        var client = factory.CreateTencentClient();
        async Task<JsonObject> Send(string action, object body) =>
            await TencentClient.ResponseAsync(await client.SendAsync(action, System.Text.Json.JsonSerializer.Serialize(body)));
        var bus = (await Send("CreateEventBus", new { EventBusName = "quota-bus" }))["EventBusId"]!.GetValue<string>();
        Assert.Equal("ResourceNotFound.EventBusNotFound", TencentClient.ErrorCode(await Send("PutEvents", new { EventBusId = bus, EventList = new[] { new { Source = "a", Data = "{}" } } })));

        var rule = (await Send("CreateRule", new { EventBusId = bus, RuleName = "r1", EventPattern = "{}" }))["RuleId"]!.GetValue<string>();
        Assert.Equal("InvalidParameterValue.RuleName", TencentClient.ErrorCode(await Send("CreateRule", new { EventBusId = bus, RuleName = "r1", EventPattern = "{}" })));
        Assert.Null(TencentClient.ErrorCode(await Send("CreateRule", new { EventBusId = bus, RuleName = "r2", EventPattern = "{}" })));
        Assert.Equal("LimitExceeded.Rule", TencentClient.ErrorCode(await Send("CreateRule", new { EventBusId = bus, RuleName = "r3", EventPattern = "{}" })));

        var cls = new { EventBusId = bus, RuleId = rule, Type = "cls", TargetDescription = new { ResourceDescription = $"qcs::cls:ap-guangzhou:uin/{Uin}:topic/t" } };
        Assert.Null(TencentClient.ErrorCode(await Send("CreateTarget", cls)));
        Assert.Equal("LimitExceeded.Target", TencentClient.ErrorCode(await Send("CreateTarget", cls)));

        var transformation = new[] { new { Transform = new { OutputStructs = new[] { new { Key = "a", Value = "b", ValueType = "STRING" } } } } };
        var id = (await Send("CreateTransformation", new { EventBusId = bus, RuleId = rule, Transformations = transformation }))["TransformationId"]!.GetValue<string>();
        Assert.Equal("InvalidParameterValue.Transformations", TencentClient.ErrorCode(await Send("CreateTransformation", new { EventBusId = bus, RuleId = rule, Transformations = transformation })));
        var read = await Send("GetTransformation", new { EventBusId = bus, RuleId = rule, TransformationId = id });
        Assert.Equal("a", read["Transformations"]![0]!["Transform"]!["OutputStructs"]![0]!["Key"]!.GetValue<string>());
        Assert.Null(TencentClient.ErrorCode(await Send("DeleteTransformation", new { EventBusId = bus, RuleId = rule, TransformationId = id })));
        Assert.Equal("ResourceNotFound.Transformation", TencentClient.ErrorCode(await Send("GetTransformation", new { EventBusId = bus, RuleId = rule, TransformationId = id })));
        Assert.Null(TencentClient.ErrorCode(await Send("PublishEvent", new { EventBusId = bus, EventList = new[] { new { Source = "a", Data = "{}" } } })));
    }

    [Fact]
    public async Task ApigwIngress_TurnsARequestIntoAnEvent_MatchedByARule_OnlyWithTheConnectorsToken()
    {
        var bus = await BusAsync();
        var created = await OkAsync("CreateConnection", new
        {
            EventBusId = bus,
            ConnectionName = "gateway",
            ConnectionDescription = new { ResourceDescription = $"qcs::apigw:ap-guangzhou:uin/{Uin}:serviceid/service-abc", APIGWParams = new { Protocol = "HTTP", Method = "POST" } },
        });
        var path = created["IngressPath"]!.GetValue<string>();
        var token = created["IngressToken"]!.GetValue<string>();
        Assert.Equal($"/junction/eb/apigw/{created["ConnectionId"]!.GetValue<string>()}", path);
        var rule = await RuleAsync(bus, """{"source":"apigw.cloud.tencent","type":["connector:apigw"]}""");
        await ScfTargetAsync(bus, rule);
        using var http = _factory.CreateClient();

        async Task<HttpResponseMessage> Send(string url, string? presented, string body = """{"order":"o-9"}""", string method = "POST")
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (presented is not null)
            {
                request.Headers.Add("X-Junction-Token", presented);
            }

            request.Headers.Add("X-Shop", "north");
            return await http.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(path + "/orders", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(path + "/orders", token + "x")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send("/junction/eb/apigw/connection-00000000/orders", token)).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await Send(path + "/orders", token, method: "PUT")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Send(path + "/orders", token, new string('x', 70_000))).StatusCode);
        Assert.Equal(0, await DeliverAsync());

        var accepted = await Send(path + "/orders/new?channel=web", token);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var eventId = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["eventId"]!.GetValue<string>();
        Assert.Equal(1, await DeliverAsync());
        var delivered = JsonNode.Parse(Assert.Single(_receiver.Received).Text)!;
        Assert.Equal(eventId, delivered["id"]!.GetValue<string>());
        Assert.Equal("connector:apigw", delivered["type"]!.GetValue<string>());
        var data = delivered["data"]!;
        Assert.Equal("""{"order":"o-9"}""", data["body"]!.GetValue<string>());
        Assert.Equal("/orders/new", data["path"]!.GetValue<string>());
        Assert.Equal("web", data["queryString"]!["channel"]!.GetValue<string>());
        Assert.Equal("POST", data["httpMethod"]!.GetValue<string>());
        Assert.Equal("north", data["headers"]!["x-shop"]!.GetValue<string>());
        Assert.DoesNotContain(token, delivered.ToJsonString(), StringComparison.Ordinal);

        // The token is shown once: never in a listing, an admin view or an event.
        var listed = await OkAsync("ListConnections", new { EventBusId = bus });
        Assert.DoesNotContain(token, listed.ToJsonString(), StringComparison.Ordinal);
        var view = (await _admin.GetAsync($"/connections/{created["ConnectionId"]!.GetValue<string>()}")).Body!;
        Assert.Equal(path, view["ingress"]!.GetValue<string>());
        Assert.DoesNotContain(token, view.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminApi_SetsAndClearsARulesDeadLetterConfig_ByTheSameRules()
    {
        var bus = await BusAsync();
        var rule = await RuleAsync(bus, "{}");
        AdminClient.AssertError(await _admin.PutAsync($"/eb/rules/{rule}/dead-letter", """{"dispose_method":"KEEP"}"""),
            HttpStatusCode.BadRequest, "Junction.InvalidParameter", "DisposeMethod must be DLQ, DROP or IGNORE_ERROR");
        var foreign = $"qcs::ckafka:ap-guangzhou:uin/{Uin}:ckafkaId/uin/{Uin}/ckafka-other001";
        AdminClient.AssertError(await _admin.PutAsync($"/eb/rules/{rule}/dead-letter", $$"""{"dispose_method":"DLQ","topic_name":"d","resource_description":"{{foreign}}"}"""),
            HttpStatusCode.BadRequest, "Junction.InvalidParameter", "not registered with Junction for this account");
        AdminClient.AssertError(await _admin.PutAsync("/eb/rules/rule-00000000/dead-letter", """{"dispose_method":"DROP"}"""),
            HttpStatusCode.NotFound, "Junction.NotFound", "does not exist");

        var (status, set) = await _admin.PutAsync($"/eb/rules/{rule}/dead-letter", $$"""{"dispose_method":"DLQ","topic_name":"eb-dlq","resource_description":"{{Instance}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("eb-dlq", set!["dead_letter_config"]!["topic_name"]!.GetValue<string>());
        var listed = await OkAsync("ListRules", new { EventBusId = bus });
        Assert.Equal("eb-dlq", listed["Rules"]![0]!["DeadLetterConfig"]!["CkafkaDeliveryParams"]!["TopicName"]!.GetValue<string>());

        var cleared = await _admin.DeleteAsync($"/eb/rules/{rule}/dead-letter");
        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        Assert.Null((await _admin.GetAsync($"/eb/rules/{rule}")).Body!["dead_letter_config"]);
    }

    [Fact]
    public async Task FunctionRegistry_ChecksItsInput_AndAnotherTenantsFunctionIsRefused()
    {
        AdminClient.AssertError(await _admin.PostAsync("/functions", """{"namespace":"ns","name":"f","url":"ftp://x","shared":true}"""),
            HttpStatusCode.BadRequest, "Junction.InvalidParameter", "absolute http or https URL");
        AdminClient.AssertError(await _admin.PostAsync("/functions", $$"""{"namespace":"ns","name":"f","url":"{{_receiver.Url}}","shared":true,"tenant":"junction"}"""),
            HttpStatusCode.BadRequest, "Junction.InvalidParameter", "not both or neither");
        AdminClient.AssertError(await _admin.PostAsync("/functions", $$"""{"namespace":"default","name":"orders","url":"{{_receiver.Url}}","shared":true}"""),
            HttpStatusCode.Conflict, "Junction.Conflict", "already registered");
        var (status, _) = await _admin.PutAsync("/functions/default/orders", $$"""{"url":"{{_receiver.Url}}/other","tenant":"junction"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{_receiver.Url}/other", (await _admin.GetAsync("/functions/default/orders")).Body!["url"]!.GetValue<string>());

        var tenant = await _admin.PostAsync("/tenants", """{"domain_name":"someone-else"}""");
        Assert.Equal(HttpStatusCode.Created, tenant.Status);
        await _admin.PutAsync("/functions/default/orders", $$"""{"url":"{{_receiver.Url}}/fn","tenant":"someone-else"}""");
        var bus = await BusAsync();
        var rule = await RuleAsync(bus, "{}");
        var answer = await SendAsync("CreateTarget", new { EventBusId = bus, RuleId = rule, Type = "scf", TargetDescription = new { ResourceDescription = Function } });
        Assert.Equal("InvalidParameterValue.TargetDescription", TencentClient.ErrorCode(answer));
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync("/functions/default/orders")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("/functions/default/orders")).Status);
    }

    private Task<int> DeliverAsync() => _factory.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);

    private async Task<JsonObject> SendAsync(string action, object body) =>
        await TencentClient.ResponseAsync(await _client.SendAsync(action, System.Text.Json.JsonSerializer.Serialize(body)));

    private async Task<JsonObject> OkAsync(string action, object body)
    {
        var answer = await SendAsync(action, body);
        Assert.True(TencentClient.ErrorCode(answer) is null, $"{action}: {answer.ToJsonString()}");
        return answer;
    }

    private async Task<string> BusAsync() =>
        (await OkAsync("CreateEventBus", new { EventBusName = "bus-" + Guid.NewGuid().ToString("N")[..8] }))["EventBusId"]!.GetValue<string>();

    private async Task<string> RuleAsync(string bus, string pattern, string name = "r-main", object? deadLetter = null, string? description = null) =>
        (await OkAsync("CreateRule", deadLetter is null
            ? new { EventBusId = bus, RuleName = name, EventPattern = pattern, Description = description }
            : (object)new { EventBusId = bus, RuleName = name, EventPattern = pattern, Description = description, DeadLetterConfig = deadLetter }))["RuleId"]!.GetValue<string>();

    private async Task<string> CkafkaTargetAsync(string bus, string rule, string topic, string format = "CloudEvent", int interval = 60, int attempts = 3) =>
        (await OkAsync("CreateTarget", new
        {
            EventBusId = bus,
            RuleId = rule,
            Type = "ckafka",
            TargetDescription = new
            {
                ResourceDescription = Instance,
                CkafkaTargetParams = new { TopicName = topic, RetryPolicy = new { RetryInterval = interval, MaxRetryAttempts = attempts }, EventDeliveryFormat = format },
            },
        }))["TargetId"]!.GetValue<string>();

    private async Task<string> ScfTargetAsync(string bus, string rule) =>
        (await OkAsync("CreateTarget", new { EventBusId = bus, RuleId = rule, Type = "scf", TargetDescription = new { ResourceDescription = Function } }))["TargetId"]!.GetValue<string>();
}
