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
/// broker's acknowledgement at the connection's <c>acks</c>.
/// </summary>
public sealed class KafkaSink(KafkaClients kafka, ISecretProtector protector, DeliveryOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Pooled>> _producers = new(StringComparer.Ordinal);

    public async Task<AttemptOutcome> SendAsync(Connection connection, string topic, SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(message);
        if (connection.Kafka is not { } target || target.ResolvedByInstance)
        {
            return AttemptOutcome.Terminal("JUNCTION.NOT_KAFKA", $"connection '{connection.Name}' is not a KAFKA connection with an address");
        }

        string? password = null;
        if (connection.ProtectedSecret is not null && (password = protector.Unprotect(connection.ProtectedSecret)) is null)
        {
            return AttemptOutcome.Retryable(VerificationCodes.SecretUnavailable,
                $"the password of connection '{connection.Name}' cannot be decrypted (the data-protection key ring changed); update the connection");
        }

        var endpoint = new KafkaEndpoint(target.BootstrapServers, target.SecurityProtocol, target.SaslMechanism, target.UserName, password);
        foreach (var (host, port) in endpoint.Bootstraps())
        {
            var decision = await kafka.Egress.CheckAsync(host, port, cancellationToken);
            if (!decision.Allowed)
            {
                return AttemptOutcome.Terminal(decision.Refusal!.Code, decision.Refusal.Message);
            }
        }

        Pooled producer;
        try
        {
            producer = Producer(connection, endpoint, target.Acks);
        }
        catch (ArgumentException exception)
        {
            return AttemptOutcome.Terminal(VerificationCodes.KafkaError, $"the Kafka client rejected the configuration of connection '{connection.Name}': {exception.Message}");
        }

        var kafkaMessage = new Message<byte[]?, byte[]> { Key = message.Key, Value = message.Body.ToArray(), Headers = [] };
        foreach (var (name, value) in message.Headers)
        {
            kafkaMessage.Headers.Add(name, System.Text.Encoding.UTF8.GetBytes(value));
        }

        var since = Stopwatch.GetTimestamp();
        try
        {
            var result = await producer.Producer.ProduceAsync(topic, kafkaMessage, cancellationToken);
            return AttemptOutcome.Success($"KAFKA_{result.Status}".ToUpperInvariant());
        }
        catch (ProduceException<byte[]?, byte[]> exception)
        {
            var failure = KafkaErrorClassifier.Classify(endpoint, exception.Error, [], [], KafkaEgress.RefusalsSince(kafka.Egress, since));
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

    private Pooled Producer(Connection connection, KafkaEndpoint endpoint, string acks)
    {
        var stamp = $"{connection.UpdatedAt.ToUnixTimeMilliseconds()}|{connection.ProtectedSecret?.GetHashCode(StringComparison.Ordinal)}";
        var lazy = _producers.GetOrAdd(connection.Id, _ => new Lazy<Pooled>(() => Build(connection, endpoint, acks, stamp)));
        var pooled = lazy.Value;
        if (pooled.Stamp == stamp)
        {
            return pooled;
        }

        var fresh = new Lazy<Pooled>(() => Build(connection, endpoint, acks, stamp));
        if (_producers.TryUpdate(connection.Id, fresh, lazy))
        {
            _ = Task.Delay(options.AttemptTimeout * 2).ContinueWith(_ => pooled.Producer.Dispose(), TaskScheduler.Default);
        }

        return _producers[connection.Id].Value;
    }

    private Pooled Build(Connection connection, KafkaEndpoint endpoint, string acks, string stamp)
    {
        var producer = kafka.BuildProducer(endpoint, options.AttemptTimeout, $"junction-delivery-{connection.Id}", config =>
        {
            config.Acks = acks switch
            {
                "0" => Acks.None,
                "all" or "-1" => Acks.All,
                _ => Acks.Leader,
            };
            config.EnableIdempotence = config.Acks == Acks.All;
            config.LingerMs = 2;
            config.MessageTimeoutMs = (int)options.AttemptTimeout.TotalMilliseconds;
        }, _ => { }, _ => { });
        return new Pooled(producer, stamp);
    }

    public void Dispose()
    {
        foreach (var lazy in _producers.Values.Where(l => l.IsValueCreated))
        {
            lazy.Value.Producer.Flush(TimeSpan.FromSeconds(2));
            lazy.Value.Producer.Dispose();
        }

        _producers.Clear();
    }

    private sealed record Pooled(IProducer<byte[]?, byte[]> Producer, string Stamp);
}
