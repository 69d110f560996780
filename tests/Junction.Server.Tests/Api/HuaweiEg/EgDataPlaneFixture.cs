using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Delivery;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.HuaweiEg;

/// <summary>
/// A Junction server in memory with a real webhook receiver and a real Kafka-protocol broker on loopback, and the
/// steps the data-plane tests share: channel → source → subscription → PutEvents → run the delivery worker.
/// </summary>
public sealed class EgDataPlaneFixture : IAsyncDisposable
{
    public const string Base = $"/v1/{JunctionFactory.ProjectId}";

    private EgDataPlaneFixture(JunctionFactory factory, WebhookReceiver receiver)
    {
        Factory = factory;
        Receiver = receiver;
        Client = factory.CreateHuaweiClient();
        Admin = new AdminClient(factory.CreateClient());
    }

    public JunctionFactory Factory { get; }

    public WebhookReceiver Receiver { get; }

    public MockKafkaCluster Kafka { get; } = new();

    public HuaweiClient Client { get; }

    public AdminClient Admin { get; }

    public static async Task<EgDataPlaneFixture> StartAsync(Action<JunctionFactory>? configure = null)
    {
        var factory = new JunctionFactory();
        configure?.Invoke(factory);
        return new EgDataPlaneFixture(factory, await WebhookReceiver.StartAsync());
    }

    /// <summary>Sends a signed request and answers the status and the JSON body (null when empty).</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var response = await Client.SendAsync(method, Base + path, body is null ? null : body as string ?? JsonSerializer.Serialize(body));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<JsonNode> OkAsync(HttpMethod method, string path, object? body = null)
    {
        var (status, json) = await SendAsync(method, path, body);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path} answered {(int)status}: {json?.ToJsonString()}");
        return json!;
    }

    public async Task<string> ChannelAsync(string name = "orders") =>
        (await OkAsync(HttpMethod.Post, "/channels", new { name }))["id"]!.GetValue<string>();

    public async Task SourceAsync(string channelId, string name = "shop") =>
        await OkAsync(HttpMethod.Post, "/sources", new { name, channel_id = channelId, type = "APPLICATION" });

    /// <summary>A subscription of <paramref name="source"/> on <paramref name="channelId"/> with the given targets; answers it.</summary>
    public async Task<JsonNode> SubscriptionAsync(string channelId, string source, object[] targets, object? filter = null, string name = "sub") =>
        await OkAsync(HttpMethod.Post, "/subscriptions", new
        {
            name,
            channel_id = channelId,
            sources = new[] { new { name = source, provider_type = "CUSTOM", filter = filter ?? new { source = new[] { new { op = "StringIn", values = new[] { source } } } } } },
            targets,
        });

    public object WebhookTarget(string path = "/hook", int retryTimes = 3, object? transform = null, object? deadLetter = null) => new
    {
        name = "HTTPS",
        provider_type = "CUSTOM",
        detail = new { url = Receiver.Url + path },
        retry_times = retryTimes,
        transform = transform ?? new { type = "ORIGINAL" },
        dead_letter_queue = deadLetter,
    };

    /// <summary>A KAFKA connection to the mock cluster; answers its id.</summary>
    public async Task<string> KafkaConnectionAsync(string name = "kafka", string acks = "all")
    {
        var created = await OkAsync(HttpMethod.Post, "/connections", new
        {
            name,
            vpc_id = "vpc-1",
            subnet_id = "subnet-1",
            type = "KAFKA",
            kafka_detail = new { instance_id = "mock", addr = Kafka.Bootstrap, security_protocol = "PLAINTEXT", acks },
        });
        return created["id"]!.GetValue<string>();
    }

    public static object Event(string id, string source = "shop", object? data = null, string type = "order:created") => new
    {
        id,
        source,
        specversion = "1.0",
        type,
        datacontenttype = "application/json",
        time = "2026-12-06T08:00:00Z",
        data = data ?? new { order = id, amount = 10 },
    };

    public Task<JsonNode> PutAsync(string channelId, params object[] events) =>
        OkAsync(HttpMethod.Post, $"/channels/{channelId}/events", new { events });

    /// <summary>Runs the delivery worker until nothing is due now.</summary>
    public Task<int> DeliverAsync() => Factory.Services.GetRequiredService<DeliveryWorker>().RunOnceAsync(CancellationToken.None);

    /// <summary>Moves the clock past any retry delay and delivers what is then due.</summary>
    public async Task<int> LaterAsync(TimeSpan? by = null)
    {
        Factory.Time.Advance(by ?? TimeSpan.FromMinutes(6));
        return await DeliverAsync();
    }

    public async Task<JsonNode> DeliveriesAsync(string query = "")
    {
        var (status, body) = await Admin.GetAsync("/deliveries" + query);
        Assert.Equal(HttpStatusCode.OK, status);
        return body!;
    }

    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Factory.DisposeAsync();
        Kafka.Dispose();
    }
}
