using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Junction.Core.Connections;
using Junction.Core.Delivery;
using Junction.Core.Security;
using Junction.Core.Verification;
using Junction.Runtime.Kafka;

namespace Junction.Delivery.Sinks;

/// <summary>
/// Delivers to a Kafka topic through a KAFKA connection (spec/dataplane.md §2.8): one producer per connection, built
/// from its <c>kafka_detail</c> — bootstrap servers, <c>acks</c> (idempotence on with <c>all</c>), SASL with the stored
/// password — on Junction.Runtime's Kafka clients, so every broker connect passes the egress check. Success is the
/// broker's acknowledgement at the connection's <c>acks</c>. EB's ckafka targets produce to a registered instance the
/// same way (one producer per instance).
/// </summary>
public sealed class KafkaSink : IDisposable
{
    /// <summary>A producer unused this long is closed (its connection may be gone); the next attempt builds a new one.</summary>
    public static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Lazy<Pooled>> _producers = new(StringComparer.Ordinal);
    private readonly KafkaClients _kafka;
    private readonly ISecretProtector _protector;
    private readonly Junction.Core.Networks.NetworkRegistry _networks;
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;

    public KafkaSink(KafkaClients kafka, ISecretProtector protector, Junction.Core.Networks.NetworkRegistry networks, DeliveryOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _kafka = kafka;
        _protector = protector;
        _networks = networks;
        _options = options;
        _time = time;
        _sweeper = time.CreateTimer(_ => EvictIdle(), null, Idle / 5, Idle / 5);
    }

    /// <summary>Producers open now; for tests.</summary>
    internal int PooledCount => _producers.Count;

    /// <summary>Closes the producers not used for <see cref="Idle"/>.</summary>
    internal void EvictIdle()
    {
        var now = _time.GetTimestamp();
        foreach (var (key, lazy) in _producers)
        {
            if (lazy.IsValueCreated && _time.GetElapsedTime(lazy.Value.LastUsed, now) > Idle)
            {
                Close(key, lazy);
            }
        }
    }

    /// <summary>Closes the producer of a connection deleted on this node.</summary>
    internal void Forget(string connectionId)
    {
        if (_producers.TryGetValue(connectionId, out var lazy) && lazy.IsValueCreated)
        {
            Close(connectionId, lazy);
        }
    }

    private void Close(string key, Lazy<Pooled> lazy)
    {
        if (_producers.TryRemove(new KeyValuePair<string, Lazy<Pooled>>(key, lazy)))
        {
            // An attempt may still be using it: close it after the longest attempt could take.
            _ = Task.Delay(_options.AttemptTimeout * 2, _time).ContinueWith(_ => lazy.Value.Producer.Dispose(), TaskScheduler.Default);
        }
    }

    public async Task<AttemptOutcome> SendAsync(Connection connection, string topic, SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(message);
        if (connection.Kafka is not { } target || target.ResolvedByInstance)
        {
            return AttemptOutcome.Terminal("JUNCTION.NOT_KAFKA", $"connection '{connection.Name}' is not a KAFKA connection with an address");
        }

        string? password = null;
        if (connection.ProtectedSecret is not null && (password = _protector.Unprotect(connection.ProtectedSecret)) is null)
        {
            return AttemptOutcome.Retryable(VerificationCodes.SecretUnavailable,
                $"the password of connection '{connection.Name}' cannot be decrypted (the data-protection key ring changed); update the connection");
        }

        var endpoint = new KafkaEndpoint(target.BootstrapServers, target.SecurityProtocol, target.SaslMechanism, target.UserName, password);
        // The bootstrap addresses pass the egress policy and the connection's own network rules (another tenant's
        // networks never, strict mode only its own); the brokers it then connects to pass the policy at connect time.
        var confine = _networks.Confine(connection.VpcId, connection.SubnetId, connection.Name, connection.TenantId);
        var stamp = $"{connection.UpdatedAt.ToUnixTimeMilliseconds()}|{connection.ProtectedSecret?.GetHashCode(StringComparison.Ordinal)}";
        return await ProduceAsync(connection.Id, stamp, $"connection '{connection.Name}'", endpoint, target.Acks, confine, topic, message, cancellationToken);
    }

    /// <summary>
    /// Delivers to a topic of a Kafka instance the operator registered (a Tencent CKafka id): one producer per instance,
    /// <c>acks=all</c> with idempotence, every broker connect egress-checked.
    /// </summary>
    public async Task<AttemptOutcome> SendAsync(Core.Instances.KafkaInstance instance, string topic, SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(message);
        if (instance.PasswordUnreadable)
        {
            return AttemptOutcome.Retryable(VerificationCodes.SecretUnavailable,
                $"the stored password of Kafka instance '{instance.Id}' cannot be decrypted (the data-protection key ring changed); set it again with 'junction instances update'");
        }

        var endpoint = new KafkaEndpoint(instance.BootstrapServers, instance.SecurityProtocol, instance.SaslMechanism, instance.UserName, instance.Password);
        var stamp = $"{instance.BootstrapServers}|{instance.SecurityProtocol}|{instance.SaslMechanism}|{instance.UserName}|{instance.Password?.GetHashCode(StringComparison.Ordinal)}";
        return await ProduceAsync("instance:" + instance.Id, stamp, $"Kafka instance '{instance.Id}'", endpoint, "all", null, topic, message, cancellationToken);
    }

    private async Task<AttemptOutcome> ProduceAsync(
        string key, string stamp, string name, KafkaEndpoint endpoint, string acks, Func<System.Net.IPAddress, int, Core.Networks.OutboundFailure?>? confine,
        string topic, SinkMessage message, CancellationToken cancellationToken)
    {
        foreach (var (host, port) in endpoint.Bootstraps())
        {
            var decision = await _kafka.Egress.CheckAsync(host, port, cancellationToken);
            if (!decision.Allowed)
            {
                return AttemptOutcome.Terminal(decision.Refusal!.Code, decision.Refusal.Message);
            }

            if (confine is not null && decision.Addresses.Select(a => confine(a, port)).FirstOrDefault(f => f is not null) is { } refused)
            {
                return AttemptOutcome.Terminal(refused.Code, refused.Message);
            }
        }

        Pooled producer;
        try
        {
            producer = Producer(key, stamp, endpoint, acks);
        }
        catch (ArgumentException exception)
        {
            return AttemptOutcome.Terminal(VerificationCodes.KafkaError, $"the Kafka client rejected the configuration of {name}: {exception.Message}");
        }

        var kafkaMessage = new Message<byte[]?, byte[]> { Key = message.Key, Value = message.Body.ToArray(), Headers = [] };
        foreach (var (header, value) in message.Headers)
        {
            kafkaMessage.Headers.Add(header, System.Text.Encoding.UTF8.GetBytes(value));
        }

        var since = Stopwatch.GetTimestamp();
        try
        {
            var result = await producer.Producer.ProduceAsync(topic, kafkaMessage, cancellationToken);
            return AttemptOutcome.Success($"KAFKA_{result.Status}".ToUpperInvariant());
        }
        catch (ProduceException<byte[]?, byte[]> exception)
        {
            var failure = KafkaErrorClassifier.Classify(endpoint, exception.Error, [], [], KafkaEgress.RefusalsSince(_kafka.Egress, since));
            return Terminal(exception.Error.Code)
                ? AttemptOutcome.Terminal(failure.Code, $"topic '{topic}': {failure.Message}")
                : AttemptOutcome.Retryable(failure.Code, $"topic '{topic}': {failure.Message}");
        }
        catch (KafkaException exception)
        {
            return AttemptOutcome.Retryable(VerificationCodes.KafkaError, $"topic '{topic}' at {endpoint}: {exception.Error.Reason}");
        }
    }

    /// <summary>Broker answers that the same message cannot change by waiting.</summary>
    private static bool Terminal(ErrorCode code) => code is ErrorCode.MsgSizeTooLarge
        or ErrorCode.InvalidMsg or ErrorCode.InvalidRecord or ErrorCode.TopicAuthorizationFailed or ErrorCode.TopicException
        or ErrorCode.Local_InvalidArg or ErrorCode.InvalidRequiredAcks;

    private Pooled Producer(string key, string stamp, KafkaEndpoint endpoint, string acks)
    {
        var lazy = _producers.GetOrAdd(key, _ => new Lazy<Pooled>(() => Build(key, endpoint, acks, stamp)));
        var pooled = lazy.Value;
        if (pooled.Stamp == stamp)
        {
            pooled.LastUsed = _time.GetTimestamp();
            return pooled;
        }

        var fresh = new Lazy<Pooled>(() => Build(key, endpoint, acks, stamp));
        if (_producers.TryUpdate(key, fresh, lazy))
        {
            _ = Task.Delay(_options.AttemptTimeout * 2).ContinueWith(_ => pooled.Producer.Dispose(), TaskScheduler.Default);
        }

        return _producers[key].Value;
    }

    private Pooled Build(string key, KafkaEndpoint endpoint, string acks, string stamp)
    {
        var producer = _kafka.BuildProducer(endpoint, _options.AttemptTimeout, $"junction-delivery-{key.Replace(':', '-')}", config =>
        {
            config.Acks = acks switch
            {
                "0" => Acks.None,
                "all" or "-1" => Acks.All,
                _ => Acks.Leader,
            };
            config.EnableIdempotence = config.Acks == Acks.All;
            config.LingerMs = 2;
            config.MessageTimeoutMs = (int)_options.AttemptTimeout.TotalMilliseconds;
        }, _ => { }, _ => { });
        return new Pooled(producer, stamp) { LastUsed = _time.GetTimestamp() };
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var lazy in _producers.Values.Where(l => l.IsValueCreated))
        {
            lazy.Value.Producer.Flush(TimeSpan.FromSeconds(2));
            lazy.Value.Producer.Dispose();
        }

        _producers.Clear();
    }

    private sealed record Pooled(IProducer<byte[]?, byte[]> Producer, string Stamp)
    {
        public long LastUsed { get; set; }
    }
}

/// <summary>Closes the delivery producer of a KAFKA connection deleted on this node.</summary>
public sealed class KafkaSinkRetirement(KafkaSink sink) : IConnectionRetirement
{
    public void Retired(Connection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        sink.Forget(connection.Id);
    }
}
