using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.HuaweiEg;

/// <summary>
/// Events published through EG reach real targets: a Kestrel receiver on loopback and the librdkafka mock cluster.
/// Retries, terminal failures, dead letters and redrive are driven with the worker's clock.
/// </summary>
public sealed class EgDeliveryTests : IAsyncLifetime
{
    private EgDataPlaneFixture _eg = null!;

    public async Task InitializeAsync() => _eg = await EgDataPlaneFixture.StartAsync();

    public async Task DisposeAsync() => await _eg.DisposeAsync();

    [Fact]
    public async Task Webhook_ReceivesTheMatchingEvent_AsStructuredCloudEvent()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget()],
            filter: new { source = new[] { new { op = "StringIn", values = new[] { "shop" } } }, data = new { amount = new[] { new { op = "NumberGreaterThan", value = 5 } } } });

        var answer = await _eg.PutAsync(channel,
            EgDataPlaneFixture.Event("e-1"),
            EgDataPlaneFixture.Event("e-2", data: new { amount = 1 }),
            EgDataPlaneFixture.Event("e-3", source: "unknown"));

        Assert.Equal(1, answer["failed_count"]!.GetValue<int>());
        var results = answer["events"]!.AsArray();
        Assert.Equal(["e-1", "e-2", "e-3"], results.Select(r => r!["event_id"]!.GetValue<string>()));
        Assert.Null(results[0]!["error_code"]);
        Assert.Contains("'unknown' is not a running event source", results[2]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(1, await _eg.DeliverAsync());
        var received = Assert.Single(_eg.Receiver.Received);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/hook", received.Path);
        Assert.StartsWith("application/cloudevents+json", received.Headers["Content-Type"], StringComparison.Ordinal);
        var body = JsonNode.Parse(received.Text)!;
        Assert.Equal("e-1", body["id"]!.GetValue<string>());
        Assert.Equal(10, body["data"]!["amount"]!.GetValue<int>());

        var delivery = (await _eg.DeliveriesAsync())["items"]!.AsArray().Single()!;
        Assert.Equal("Delivered", delivery["state"]!.GetValue<string>());
        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Routes_FollowEveryResourceChange_AtTheNextPublish()
    {
        // Each publish below first sees the channel as the one before it left it (the view kept under the tenant's
        // generation); every change in between must show at once.
        var channel = await _eg.ChannelAsync();
        var refused = await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-0"));
        Assert.Contains("'shop' is not a running event source", refused["events"]![0]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);

        await _eg.SourceAsync(channel);
        Assert.Equal(0, (await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1")))["failed_count"]!.GetValue<int>());
        Assert.Equal(0, await _eg.DeliverAsync());

        var id = (await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget()]))["id"]!.GetValue<string>();
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-2"));
        Assert.Equal(1, await _eg.DeliverAsync());

        await _eg.OkAsync(HttpMethod.Post, "/subscriptions/operation", new { subscription_ids = new[] { id }, operation = "DISABLE" });
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-3"));
        Assert.Equal(0, await _eg.DeliverAsync());

        await _eg.OkAsync(HttpMethod.Post, "/subscriptions/operation", new { subscription_ids = new[] { id }, operation = "ENABLE" });
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-4"));
        Assert.Equal(1, await _eg.DeliverAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await _eg.SendAsync(HttpMethod.Delete, $"/subscriptions/{id}")).Status);
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-5"));
        Assert.Equal(0, await _eg.DeliverAsync());
        Assert.Equal(["e-2", "e-4"], _eg.Receiver.Received.Select(r => JsonNode.Parse(r.Text)!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Webhook_VariableTransform_DeliversTheRenderedTemplate()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget(transform: new { type = "VARIABLE", value = "{\"order\":\"$.data.order\"}", template = "{\"ref\":\"${order}\"}" })]);

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-9"));
        await _eg.DeliverAsync();

        var received = Assert.Single(_eg.Receiver.Received);
        Assert.Equal("{\"ref\":\"e-9\"}", received.Text);
        Assert.StartsWith("application/json", received.Headers["Content-Type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_ServerErrorsAndThrottling_AreRetriedUntilDelivered_HonouringRetryAfter()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget(retryTimes: 3)]);
        _eg.Receiver.Script(new ReceiverAnswer(500), new ReceiverAnswer(429, 120));

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await _eg.DeliverAsync();
        Assert.Equal("Pending", (await _eg.DeliveriesAsync())["items"]![0]!["state"]!.GetValue<string>());

        await _eg.LaterAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(2, _eg.Receiver.Received.Count);
        var pending = (await _eg.DeliveriesAsync())["items"]![0]!;
        Assert.Equal("Pending", pending["state"]!.GetValue<string>());
        // The 429 asked for 120 s: the next attempt is due then, not at the exponential back-off's few seconds.
        var next = pending["next_at"]!.GetValue<DateTimeOffset>();
        Assert.InRange(next - _eg.Factory.Time.GetUtcNow(), TimeSpan.FromSeconds(119), TimeSpan.FromSeconds(121));
        Assert.Equal(0, await _eg.LaterAsync(TimeSpan.FromSeconds(60)));

        await _eg.LaterAsync(TimeSpan.FromSeconds(61));
        Assert.Equal(3, _eg.Receiver.Received.Count);
        var delivered = (await _eg.DeliveriesAsync())["items"]![0]!;
        Assert.Equal("Delivered", delivered["state"]!.GetValue<string>());
        Assert.Equal(3, delivered["attempts"]!.GetValue<int>());
        Assert.All(_eg.Receiver.Received, r => Assert.Equal("e-1", JsonNode.Parse(r.Text)!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Webhook_RetriesRunOut_JobFails_AndRedriveDeliversIt()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget(retryTimes: 1)]);
        _eg.Receiver.Default = new(503);

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await _eg.DeliverAsync();
        await _eg.LaterAsync();
        await _eg.LaterAsync();

        Assert.Equal(2, _eg.Receiver.Received.Count);
        var failed = (await _eg.DeliveriesAsync("?state=Failed"))["items"]!.AsArray().Single()!;
        Assert.Contains("HTTP_503", failed["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("gave up after 2 attempts", failed["last_error"]!.GetValue<string>(), StringComparison.Ordinal);

        _eg.Receiver.Default = new(204);
        var (status, redriven) = await _eg.Admin.PostAsync("/deliveries/redrive", $"{{\"ids\":[{failed["id"]}]}}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, redriven!["redriven"]!.GetValue<int>());
        await _eg.DeliverAsync();

        Assert.Equal(3, _eg.Receiver.Received.Count);
        var detail = (await _eg.Admin.GetAsync($"/deliveries/{failed["id"]}")).Body!;
        Assert.Equal("Delivered", detail["delivery"]!["state"]!.GetValue<string>());
        Assert.Equal(["Retryable", "Retryable", "Success"], detail["attempts"]!.AsArray().Select(a => a!["outcome"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Webhook_ClientError_IsTerminal_NotRetried()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget(retryTimes: 5)]);
        _eg.Receiver.Default = new(404);

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await _eg.DeliverAsync();
        await _eg.LaterAsync();

        Assert.Single(_eg.Receiver.Received);
        var failed = (await _eg.DeliveriesAsync())["items"]!.AsArray().Single()!;
        Assert.Equal("Failed", failed["state"]!.GetValue<string>());
        Assert.Contains("terminal, not retried", failed["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_AddressOutsideTheEgressPolicy_IsRefused_WithoutSending()
    {
        // Only 127.0.0.1 is allowed; a canary listens on 127.0.0.2 and counts every connection it is offered.
        await using var eg = await EgDataPlaneFixture.StartAsync(f => f.With("Junction:Egress:Allow:0", "127.0.0.1/32"));
        using var canary = new CanaryListener(System.Net.IPAddress.Parse("127.0.0.2"));
        var channel = await eg.ChannelAsync();
        await eg.SourceAsync(channel);
        var target = new { name = "HTTPS", provider_type = "CUSTOM", detail = new { url = $"http://127.0.0.2:{canary.Port}/hook" }, retry_times = 3, transform = new { type = "ORIGINAL" } };
        await eg.SubscriptionAsync(channel, "shop", [target]);

        await eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await eg.DeliverAsync();

        var failed = (await eg.DeliveriesAsync())["items"]!.AsArray().Single()!;
        Assert.Equal("Failed", failed["state"]!.GetValue<string>());
        Assert.Contains("JUNCTION.EGRESS_REFUSED", failed["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("127.0.0.2 is outside the allowed networks", failed["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, canary.Accepted);
    }

    [Fact]
    public async Task Webhook_ThatNeverAnswers_TimesOut_AndIsRetried()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget()]);
        _eg.Receiver.Script(new ReceiverAnswer(Hang: true));

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        var delivering = _eg.DeliverAsync();
        Assert.True(await _eg.Receiver.WaitForAsync(1, TimeSpan.FromSeconds(20)));
        // The attempt timeout (10 s) runs on the worker's clock: one step past it ends the hanging attempt. The retry
        // (due within a second, full jitter) may run in the same round or the next.
        _eg.Factory.Time.Advance(TimeSpan.FromSeconds(10));
        await delivering;
        await _eg.LaterAsync();

        var delivery = (await _eg.DeliveriesAsync())["items"]![0]!;
        Assert.Equal("Delivered", delivery["state"]!.GetValue<string>());
        var attempts = (await _eg.Admin.GetAsync($"/deliveries/{delivery["id"]}")).Body!["attempts"]!.AsArray();
        Assert.Equal(["Retryable", "Success"], attempts.Select(a => a!["outcome"]!.GetValue<string>()));
        Assert.Equal("no answer within the attempt timeout of 10 s", attempts[0]!["message"]!.GetValue<string>());
        Assert.Equal("JUNCTION.HTTP_TIMEOUT", attempts[0]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhook_WhoseConnectionWasDeleted_FailsWithoutFallingBackToThePublicNetwork()
    {
        var hook = (await _eg.OkAsync(HttpMethod.Post, "/connections", new { name = "private", vpc_id = "vpc-1", subnet_id = "subnet-1" }))["id"]!.GetValue<string>();
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [new { name = "HTTPS", provider_type = "CUSTOM", connection_id = hook, detail = new { url = _eg.Receiver.Url + "/p" }, transform = new { type = "ORIGINAL" } }]);
        Assert.Equal(HttpStatusCode.NoContent, (await _eg.SendAsync(HttpMethod.Delete, $"/connections/{hook}")).Status);

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await _eg.DeliverAsync();

        Assert.Empty(_eg.Receiver.Received);
        var failed = (await _eg.DeliveriesAsync())["items"]![0]!;
        Assert.Equal("Failed", failed["state"]!.GetValue<string>());
        Assert.Contains("JUNCTION.CONNECTION_DELETED", failed["last_error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kafka_TargetReceivesTheEvent_WithTheConstantKey()
    {
        _eg.Kafka.CreateTopic("orders");
        var connection = await _eg.KafkaConnectionAsync();
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [new
        {
            name = "HC.Kafka",
            provider_type = "OFFICIAL",
            connection_id = connection,
            kafka_detail = new { topic = "orders", key_transform = new { type = "CONSTANT", value = "k-1" } },
            retry_times = 3,
            transform = new { type = "ORIGINAL" },
        }]);

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"), EgDataPlaneFixture.Event("e-2"));
        Assert.Equal(2, await _eg.DeliverAsync());

        var messages = _eg.Kafka.Consume("orders", 2, TimeSpan.FromSeconds(20));
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal("k-1", Encoding.UTF8.GetString(m.Message.Key!)));
        Assert.Equal(["e-1", "e-2"], messages.Select(m => JsonNode.Parse(m.Message.Value)!["id"]!.GetValue<string>()).Order());
        Assert.All((await _eg.DeliveriesAsync())["items"]!.AsArray(), d => Assert.Equal("Delivered", d!["state"]!.GetValue<string>()));
    }

    /// <summary>Topic "orders", a KAFKA connection, a channel and a subscription with one HC.Kafka target through it.</summary>
    private async Task<(string Connection, string Channel)> KafkaRouteAsync()
    {
        _eg.Kafka.CreateTopic("orders");
        var connection = await _eg.KafkaConnectionAsync();
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [new
        {
            name = "HC.Kafka", provider_type = "OFFICIAL", connection_id = connection, kafka_detail = new { topic = "orders" },
            retry_times = 3, transform = new { type = "ORIGINAL" },
        }]);
        return (connection, channel);
    }

    [Fact]
    public async Task Kafka_IdleProducer_IsClosed_AndRebuiltForTheNextEvent()
    {
        var (_, channel) = await KafkaRouteAsync();
        var sink = _eg.Factory.Services.GetRequiredService<Junction.Delivery.Sinks.KafkaSink>();

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await _eg.DeliverAsync();
        Assert.Equal(1, sink.PooledCount);

        _eg.Factory.Time.Advance(Junction.Delivery.Sinks.KafkaSink.Idle + TimeSpan.FromMinutes(3));
        Assert.Equal(0, sink.PooledCount);

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-2"));
        await _eg.DeliverAsync();
        Assert.Equal(1, sink.PooledCount);
        Assert.Equal(2, _eg.Kafka.Consume("orders", 2, TimeSpan.FromSeconds(20)).Count);
    }

    [Fact]
    public async Task Kafka_DeletedConnection_ClosesItsProducerAndProbeClient_AtOnce()
    {
        var (connection, channel) = await KafkaRouteAsync();
        var sink = _eg.Factory.Services.GetRequiredService<Junction.Delivery.Sinks.KafkaSink>();
        var probe = (Junction.Verification.Probes.KafkaProbe)_eg.Factory.Services.GetRequiredService<Junction.Verification.Probes.IKafkaProbe>();
        await _eg.Factory.Services.GetRequiredService<Junction.Verification.Engine.VerificationWorker>().RunOnceAsync(CancellationToken.None);
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await _eg.DeliverAsync();
        Assert.Equal(1, sink.PooledCount);
        Assert.Equal(1, probe.PooledCount);

        var (status, _) = await _eg.SendAsync(HttpMethod.Delete, $"/connections/{connection}");
        Assert.Equal(HttpStatusCode.NoContent, status);

        // No clock advanced: closed because the connection went, not because it idled.
        Assert.Equal(0, sink.PooledCount);
        Assert.Equal(0, probe.PooledCount);
    }

    [Fact]
    public async Task Kafka_BrokersDown_AttemptIsRetried_AndDeliveredWhenTheyComeBack()
    {
        await using var eg = await EgDataPlaneFixture.StartAsync(f => f.With("Junction:Delivery:AttemptTimeout", "00:00:02").With("Junction:Delivery:LeaseDuration", "00:00:10"));
        eg.Kafka.CreateTopic("orders");
        var connection = await eg.KafkaConnectionAsync();
        var channel = await eg.ChannelAsync();
        await eg.SourceAsync(channel);
        await eg.SubscriptionAsync(channel, "shop", [new
        {
            name = "HC.Kafka", provider_type = "OFFICIAL", connection_id = connection, kafka_detail = new { topic = "orders" },
            retry_times = 3, transform = new { type = "ORIGINAL" },
        }]);
        eg.Kafka.SetAllBrokersDown();

        await eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        // The producer's own delivery timeout (the attempt timeout, 2 s) runs on the real clock and ends the attempt.
        await eg.DeliverAsync();
        var pending = (await eg.DeliveriesAsync())["items"]![0]!;
        Assert.Equal("Pending", pending["state"]!.GetValue<string>());
        Assert.Contains("JUNCTION.KAFKA_", pending["last_error"]!.GetValue<string>(), StringComparison.Ordinal);

        eg.Kafka.SetAllBrokersUp();
        var state = "Pending";
        for (var round = 0; round < 5 && state == "Pending"; round++)
        {
            await eg.LaterAsync();
            state = (await eg.DeliveriesAsync())["items"]![0]!["state"]!.GetValue<string>();
        }

        Assert.Equal("Delivered", state);
        Assert.Equal("e-1", JsonNode.Parse(Assert.Single(eg.Kafka.Consume("orders", 1, TimeSpan.FromSeconds(20))).Message.Value)!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeadLetter_TerminalFailure_GoesToTheDlqTopic_WithEgHeaders()
    {
        _eg.Kafka.CreateTopic("dlq");
        var connection = await _eg.KafkaConnectionAsync("dlq-conn");
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        var subscription = await _eg.SubscriptionAsync(channel, "shop",
            [_eg.WebhookTarget(deadLetter: new { type = "KAFKA", instance_id = "mock", connection_id = connection, topic = "dlq" })]);
        _eg.Receiver.Default = new(400);

        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await _eg.DeliverAsync();

        var dead = Assert.Single(_eg.Kafka.Consume("dlq", 1, TimeSpan.FromSeconds(20)));
        Assert.Equal("e-1", JsonNode.Parse(dead.Message.Value)!["id"]!.GetValue<string>());
        string Header(string name) => Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes(name));
        Assert.Equal(subscription["id"]!.GetValue<string>(), Header("eg-subscription-id"));
        Assert.Equal(subscription["targets"]![0]!["id"]!.GetValue<string>(), Header("eg-target-id"));
        Assert.Equal("HTTP_400", Header("eg-error-code"));
        Assert.Equal("1", Header("eg-attempts"));
        Assert.True(DateTimeOffset.TryParse(Header("eg-first-failure-time"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _));
        Assert.Equal("DeadLettered", (await _eg.DeliveriesAsync())["items"]![0]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Retention_DeletesFinishedEventsAfterItsPeriod_KeepsFailedOnes()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget(retryTimes: 0)]);
        _eg.Receiver.Script(new ReceiverAnswer(200), new ReceiverAnswer(404));
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("kept-for-a-week"));
        await _eg.DeliverAsync();
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("failed"));
        await _eg.DeliverAsync();
        var sweeper = _eg.Factory.Services.GetRequiredService<Junction.Delivery.RetentionSweeper>();

        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        _eg.Factory.Time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await sweeper.SweepAsync(CancellationToken.None));

        var (status, _) = await _eg.SendAsync(HttpMethod.Get, $"/events/trace/detail/kept-for-a-week?channel_id={channel}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("failed", (await _eg.DeliveriesAsync())["items"]!.AsArray().Single()!["event_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Trace_ShowsTheDeliveryAndItsAttempts()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget()], name: "traced");
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-7"));
        await _eg.DeliverAsync();

        var now = _eg.Factory.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var list = await _eg.OkAsync(HttpMethod.Get, $"/traced-events?channel_id={channel}&start_time={now - 60_000}&end_time={now + 60_000}");
        var row = list["result"]!.AsArray().Single()!;
        Assert.Equal("e-7", row["event_id"]!.GetValue<string>());
        Assert.Equal("traced", row["subscription_name"]!.GetValue<string>());

        var detail = await _eg.OkAsync(HttpMethod.Get, $"/events/trace/detail/e-7?channel_id={channel}");
        var deliver = detail["deliverList"]![0]!;
        Assert.Equal(1, deliver["successCounts"]!.GetValue<int>());
        var target = deliver["deliverTargetList"]![0]!;
        Assert.Equal("SUCCESS", target["deliverStatus"]!.GetValue<string>());
        Assert.Equal("200", target["deliverDetailList"]![0]!["deliverRspCode"]!.GetValue<string>());
    }
}
