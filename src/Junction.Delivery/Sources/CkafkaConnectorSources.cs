using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Junction.Core.Connections;
using Junction.Core.EventBuses;
using Junction.Core.Instances;
using Junction.Core.Tenancy;
using Junction.Core.Verification;
using Junction.Runtime.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Junction.Delivery.Sources;

/// <summary>
/// Tencent EB ckafka connectors as live sources (spec/dataplane.md §3.3): every enabled ckafka connector's topic is
/// consumed from its registered CKafka instance, each record published into the connector's bus as a
/// <c>connector:ckafka</c> event, and the offsets committed only after the events are persisted (at-least-once: a
/// restart resumes from the last commit, so what was in flight may come again).
/// </summary>
/// <remarks>
/// Every node runs a consumer per connector in the consumer group <c>junction-eb-{connector id}</c>, so Kafka's group
/// assignment gives each partition to one node at a time: several nodes never consume one record twice except across
/// a rebalance or a crash, and then only what was not yet committed. A consumer that cannot reach its topic or cluster
/// asks verification to check the connector at once (which marks it Failed with the reason, and Ready again once it
/// passes) and retries with back-off, so it recovers by itself. <c>Enable: false</c> stops the consumer; a changed
/// connector is restarted. Runs where the delivery worker runs (<c>Junction:Delivery:Enabled</c>).
/// </remarks>
public sealed partial class CkafkaConnectorSources(
    IConnectionStore connections, IEventBusStore buses, InstanceRegistry instances, CredentialService credentials, KafkaClients kafka,
    EbPublisher publisher, IVerificationStore verifications, IOptions<DeliveryOptions> delivery, IOptions<EbDataPlaneOptions> eb,
    TimeProvider time, ILogger<CkafkaConnectorSources> logger) : BackgroundService
{
    private readonly Dictionary<string, Runner> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refresh = new(1, 1);

    /// <summary>The connectors consumed on this node now, by id; for tests and the status output.</summary>
    public IReadOnlyCollection<string> Running
    {
        get
        {
            lock (_running)
            {
                return [.. _running.Keys];
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!delivery.Value.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogRefreshFailed(logger, exception);
            }

            try
            {
                await Task.Delay(eb.Value.ConnectorRefresh, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await StopAllAsync();
    }

    /// <summary>Starts a consumer for every enabled ckafka connector not consumed yet, restarts changed ones, stops the rest.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var wanted = new Dictionary<string, Connection>(StringComparer.Ordinal);
            for (var offset = 0; ; offset += 500)
            {
                var page = await connections.ListAllAsync(new AllConnectionsQuery(offset, 500, Face: "eb"), cancellationToken);
                foreach (var connection in page.Items.Where(c => c.Kind == "ckafka" && c.Enabled && c.Kafka is not null))
                {
                    wanted[connection.Id] = connection;
                }

                if (page.Items.Count < 500)
                {
                    break;
                }
            }

            List<Runner> stopping;
            lock (_running)
            {
                stopping = [.. _running.Values.Where(r => !wanted.TryGetValue(r.Connection.Id, out var c) || c.UpdatedAt != r.Connection.UpdatedAt)];
                foreach (var runner in stopping)
                {
                    _running.Remove(runner.Connection.Id);
                }

                foreach (var connection in wanted.Values.Where(c => !_running.ContainsKey(c.Id)))
                {
                    _running[connection.Id] = Runner.Start(connection, Run);
                }
            }

            await Task.WhenAll(stopping.Select(r => r.StopAsync()));
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Stops every consumer of this node (their uncommitted records are consumed again by whoever takes over).</summary>
    public async Task StopAllAsync()
    {
        List<Runner> all;
        lock (_running)
        {
            all = [.. _running.Values];
            _running.Clear();
        }

        await Task.WhenAll(all.Select(r => r.StopAsync()));
    }

    /// <summary>
    /// One connector's consume → publish → commit loop, rebuilt with back-off after any failure. It runs on a thread of
    /// its own and blocks it (Consume blocks; the database calls are waited for), so many connectors never hold the
    /// thread pool.
    /// </summary>
    private void Run(Connection connection, CancellationToken stop)
    {
        var backoff = TimeSpan.FromSeconds(1);
        DateTimeOffset? lastRecheck = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Consume(connection, stop);
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogConsumerFailed(logger, connection.Id, exception.Message);
                var now = time.GetUtcNow();
                if (lastRecheck is null || now - lastRecheck > TimeSpan.FromMinutes(1))
                {
                    // Verification says what is wrong (the topic, the cluster, the instance) in the connector's status.
                    lastRecheck = now;
                    try
                    {
                        verifications.RecheckAsync([connection.Id], now, CancellationToken.None).GetAwaiter().GetResult();
                    }
                    catch (Exception recheck) when (recheck is not OutOfMemoryException)
                    {
                        // The database is away too: the next failure asks again.
                        LogConsumerFailed(logger, connection.Id, $"asking for a recheck failed: {recheck.Message}");
                    }
                }
            }

            try
            {
                Task.Delay(backoff, time, stop).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    private void Consume(Connection connection, CancellationToken stop)
    {
        var target = connection.Kafka!;
        var busId = connection.Scope[Scopes.TencentEbPrefix.Length..];
        var bus = buses.FindAsync(connection.TenantId, busId, stop).GetAwaiter().GetResult() ?? throw new InvalidOperationException($"event bus {busId} is gone");
        var tenant = credentials.GetTenantAsync(connection.TenantId, stop).GetAwaiter().GetResult() ?? throw new InvalidOperationException("the tenant is gone");
        var instance = instances.FindKafkaFor(target.InstanceId, tenant.DomainName)
            ?? throw new InvalidOperationException($"CKafka instance '{target.InstanceId}' is not registered with Junction for this account");
        var topic = target.Topic ?? throw new InvalidOperationException("the connector names no topic");
        var offset = Offset(connection);
        var endpoint = new KafkaEndpoint(instance.BootstrapServers, instance.SecurityProtocol, instance.SaslMechanism, instance.UserName, instance.Password);
        Error? fatal = null;
        using var consumer = kafka.BuildConsumer(endpoint, TimeSpan.FromSeconds(10), $"junction-eb-{connection.Id}", config =>
        {
            config.GroupId = $"junction-eb-{connection.Id}";
            config.EnableAutoCommit = false;
            config.EnableAutoOffsetStore = false;
            // A timestamp reads from the start and skips what is older (below): it needs no timestamp index on the broker.
            config.AutoOffsetReset = offset == "latest" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest;
            config.AllowAutoCreateTopics = false;
            // A node that dies without leaving the group gives its partitions up after 10 s, not Kafka's default 45 s.
            config.SessionTimeoutMs = 10_000;
            config.HeartbeatIntervalMs = 2_000;
        }, error => fatal = error.IsFatal || error.Code is ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Authentication ? error : fatal, _ => { });
        // A timestamp (epoch ms): records older than it are skipped, and committed past like the others.
        _ = long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var since);
        consumer.Subscribe(topic);

        try
        {
            Pump(connection, consumer, bus, tenant, instance, since, () => fatal, stop);
        }
        finally
        {
            // Leaves the group at once, so that whoever takes the partitions over does not wait out the session timeout.
            consumer.Close();
        }
    }

    private void Pump(
        Connection connection, IConsumer<byte[]?, byte[]> consumer, EventBus bus, Tenant tenant, KafkaInstance instance, long since, Func<Error?> fatal,
        CancellationToken stop)
    {
        var subject = $"qcs::ckafka:{bus.Region}:uin/{tenant.AccountId}:ckafkaId/uin/{tenant.AccountId}/{instance.Id}";
        var settings = eb.Value;
        while (!stop.IsCancellationRequested)
        {
            // Consume blocks this connector's own thread for at most 200 ms.
            var batch = Poll(consumer, settings.ConnectorBatch, stop);
            if (fatal() is { } error)
            {
                throw new KafkaException(error);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            var envelopes = new List<EbEnvelopeBody>(batch.Count);
            foreach (var record in batch.Where(r => r.Message.Timestamp.UnixTimestampMs >= since))
            {
                var data = new JsonObject
                {
                    ["topic"] = record.Topic,
                    ["Partition"] = record.Partition.Value,
                    ["offset"] = record.Offset.Value,
                    ["msgKey"] = record.Message.Key is null ? "" : Encoding.UTF8.GetString(record.Message.Key),
                    ["msgBody"] = Encoding.UTF8.GetString(record.Message.Value ?? []),
                };
                var envelope = EbEnvelope.Build(
                    new EbIncomingEvent("ckafka.cloud.tencent", data.ToJsonString(), "connector:ckafka", subject, record.Message.Timestamp.UnixTimestampMs),
                    bus, tenant.AccountId, time.GetUtcNow());
                if (envelope.Body.Length > settings.MaxEventBytes)
                {
                    LogRecordTooLarge(logger, connection.Id, record.Topic, record.Partition.Value, record.Offset.Value, settings.MaxEventBytes);
                    continue;
                }

                envelopes.Add(envelope);
            }

            if (envelopes.Count > 0)
            {
                publisher.PublishAsync(bus, envelopes, stop).GetAwaiter().GetResult();
            }

            // Persisted: only now does the group move past these records.
            consumer.Commit(batch.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1)));
        }
    }

    /// <summary>Up to <paramref name="max"/> records: waits up to 200 ms for the first, then takes what is already there.</summary>
    private static List<ConsumeResult<byte[]?, byte[]>> Poll(IConsumer<byte[]?, byte[]> consumer, int max, CancellationToken stop)
    {
        var batch = new List<ConsumeResult<byte[]?, byte[]>>();
        var wait = TimeSpan.FromMilliseconds(200);
        while (batch.Count < max && !stop.IsCancellationRequested)
        {
            var result = consumer.Consume(wait);
            if (result is null || result.IsPartitionEOF)
            {
                break;
            }

            batch.Add(result);
            wait = TimeSpan.Zero;
        }

        return batch;
    }

    /// <summary>The connector's <c>CkafkaParams.Offset</c>: <c>latest</c> (the default), <c>earliest</c>, or epoch milliseconds.</summary>
    private static string Offset(Connection connection)
    {
        var value = connection.Detail is null ? null : JsonNode.Parse(connection.Detail)?["CkafkaParams"]?["Offset"]?.GetValue<string>();
        return string.IsNullOrEmpty(value) ? "latest" : value;
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Listing the ckafka connectors to consume failed; trying again")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "The consumer of connector {ConnectorId} stopped: {Reason}; retrying with back-off")]
    private static partial void LogConsumerFailed(ILogger logger, string connectorId, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning,
        Message = "Connector {ConnectorId} skipped record {Topic}/{Partition}@{Offset}: as an event it is larger than {Limit} bytes (Junction:Eb:MaxEventBytes)")]
    private static partial void LogRecordTooLarge(ILogger logger, string connectorId, string topic, int partition, long offset, int limit);

    /// <summary>One connector's running loop, on a thread of its own, and the way to stop it.</summary>
    private sealed class Runner
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Runner(Connection connection) => Connection = connection;

        public Connection Connection { get; }

        public static Runner Start(Connection connection, Action<Connection, CancellationToken> run)
        {
            var runner = new Runner(connection);
            var token = runner._stop.Token;
            new Thread(() =>
            {
                try
                {
                    run(connection, token);
                }
                finally
                {
                    runner._done.TrySetResult();
                }
            })
            { IsBackground = true, Name = $"junction-eb-{connection.Id}" }.Start();
            return runner;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _done.Task;
            _stop.Dispose();
        }
    }
}
