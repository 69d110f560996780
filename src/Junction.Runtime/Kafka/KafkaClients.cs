using Confluent.Kafka;
using Junction.Runtime.Egress;

namespace Junction.Runtime.Kafka;

/// <summary>
/// The only place Kafka clients are built (BannedSymbols.Outbound.txt bans the builders elsewhere). Every client gets
/// the connect-time egress check first (<see cref="KafkaEgress"/>), then the endpoint's security settings, mapped once
/// for probes, producers and consumers alike.
/// </summary>
public sealed class KafkaClients(EgressGuard egress)
{
    /// <summary>The guard every client of this factory connects through.</summary>
    public EgressGuard Egress => egress;

    public IAdminClient BuildAdmin(KafkaEndpoint endpoint, TimeSpan timeout, string clientId, Action<Error> onError, Action<LogMessage> onLog)
    {
        var config = Configure(new AdminClientConfig(), endpoint, timeout, clientId);
        return new AdminClientBuilder(config)
            .SetErrorHandler((_, error) => onError(error))
            .SetLogHandler((_, log) => onLog(log))
            .Build();
    }

    /// <summary>A producer; <paramref name="configure"/> sets what the caller owns (acks, idempotence, linger).</summary>
    public IProducer<byte[]?, byte[]> BuildProducer(
        KafkaEndpoint endpoint, TimeSpan timeout, string clientId, Action<ProducerConfig> configure, Action<Error> onError, Action<LogMessage> onLog)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var config = Configure(new ProducerConfig(), endpoint, timeout, clientId);
        configure(config);
        return new ProducerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, error) => onError(error))
            .SetLogHandler((_, log) => onLog(log))
            .Build();
    }

    /// <summary>A consumer; <paramref name="configure"/> sets what the caller owns (group, offsets, commit mode).</summary>
    public IConsumer<byte[]?, byte[]> BuildConsumer(
        KafkaEndpoint endpoint, TimeSpan timeout, string clientId, Action<ConsumerConfig> configure, Action<Error> onError, Action<LogMessage> onLog)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var config = Configure(new ConsumerConfig(), endpoint, timeout, clientId);
        configure(config);
        return new ConsumerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, error) => onError(error))
            .SetLogHandler((_, log) => onLog(log))
            .Build();
    }

    private T Configure<T>(T config, KafkaEndpoint endpoint, TimeSpan timeout, string clientId)
        where T : ClientConfig
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        KafkaEgress.Guard(config, egress);
        var ms = (int)Math.Max(100, timeout.TotalMilliseconds);
        config.BootstrapServers = endpoint.BootstrapServers;
        config.SecurityProtocol = endpoint.SecurityProtocol switch
        {
            "SASL_SSL" => SecurityProtocol.SaslSsl,
            "SASL_PLAINTEXT" => SecurityProtocol.SaslPlaintext,
            "SSL" => SecurityProtocol.Ssl,
            _ => SecurityProtocol.Plaintext,
        };
        config.SocketTimeoutMs = ms;
        config.SocketConnectionSetupTimeoutMs = ms;
        config.ReconnectBackoffMs = 100;
        config.ReconnectBackoffMaxMs = 1000;
        config.ClientId = clientId;
        config.LogConnectionClose = false;
        // Only connect to the brokers a request needs, not to every advertised broker.
        config.Set("enable.sparse.connections", "true");
        if (endpoint.SecurityProtocol.StartsWith("SASL_", StringComparison.Ordinal))
        {
            config.SaslMechanism = endpoint.SaslMechanism switch
            {
                "SCRAM-SHA-512" => SaslMechanism.ScramSha512,
                "SCRAM-SHA-256" => SaslMechanism.ScramSha256,
                _ => SaslMechanism.Plain,
            };
            config.SaslUsername = endpoint.UserName;
            config.SaslPassword = endpoint.Password;
        }

        return config;
    }
}
