using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Junction.Core.Verification;
using Junction.Verification.Egress;

namespace Junction.Verification.Probes;

/// <summary>What to reach: the bootstrap list and security settings of a Kafka cluster, and optionally a topic that must exist.</summary>
public sealed record KafkaProbeRequest(
    string BootstrapServers,
    string SecurityProtocol,
    string? SaslMechanism = null,
    string? UserName = null,
    string? Password = null,
    string? Topic = null);

public interface IKafkaProbe
{
    Task<VerificationResult> ProbeAsync(KafkaProbeRequest request, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// Fetches cluster metadata with the connection's own security settings (Confluent.Kafka over the system librdkafka).
/// Every bootstrap address passes the egress guard before the client is created; the brokers the cluster advertises
/// are checked again afterwards. Failures carry a stable code and say which broker and which step failed, from the
/// client's own error and log events.
/// </summary>
public sealed class KafkaProbe(EgressGuard egress) : IKafkaProbe
{
    public async Task<VerificationResult> ProbeAsync(KafkaProbeRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (host, port) in Endpoints(request.BootstrapServers))
        {
            var decision = await egress.CheckAsync(host, port, cancellationToken);
            if (!decision.Allowed)
            {
                return decision.Refusal!;
            }
        }

        var events = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<Error>();
        var config = BuildConfig(request, timeout);
        Metadata metadata;
        try
        {
            using var admin = new AdminClientBuilder(config)
                .SetErrorHandler((_, error) => errors.Enqueue(error))
                .SetLogHandler((_, log) =>
                {
                    if (log.Level <= SyslogLevel.Warning)
                    {
                        events.Enqueue(log.Message);
                    }
                })
                .Build();
            // GetMetadata blocks; keep it off the caller's thread and bounded by the probe timeout.
            metadata = await Task.Run(() => admin.GetMetadata(timeout), cancellationToken);
        }
        catch (KafkaException exception)
        {
            return Classify(request, exception.Error, errors, events);
        }
        catch (ArgumentException exception)
        {
            return VerificationResult.Failure(VerificationCodes.KafkaError, $"the Kafka client rejected the configuration: {exception.Message}");
        }

        foreach (var broker in metadata.Brokers)
        {
            var decision = await egress.CheckAsync(broker.Host, broker.Port, cancellationToken);
            if (!decision.Allowed)
            {
                return VerificationResult.Failure(VerificationCodes.EgressRefused,
                    $"the cluster advertises broker {broker.BrokerId} at {broker.Host}:{broker.Port}, which the egress policy refuses",
                    decision.Refusal!.Message);
            }
        }

        var brokers = string.Join(", ", metadata.Brokers.Select(b => $"{b.BrokerId}@{b.Host}:{b.Port}"));
        if (request.Topic is not null)
        {
            var topic = metadata.Topics.FirstOrDefault(t => t.Topic == request.Topic);
            if (topic is null || topic.Error.IsError)
            {
                return VerificationResult.Failure(VerificationCodes.KafkaTopicMissing,
                    $"topic '{request.Topic}' does not exist on the cluster at {request.BootstrapServers}",
                    $"brokers: {brokers}; topics: {metadata.Topics.Count}");
            }

            return VerificationResult.Success(
                $"reached the cluster ({metadata.Brokers.Count} broker(s)); topic '{request.Topic}' has {topic.Partitions.Count} partition(s)",
                $"brokers: {brokers}");
        }

        return VerificationResult.Success($"reached the cluster: {metadata.Brokers.Count} broker(s), {metadata.Topics.Count} topic(s)", $"brokers: {brokers}");
    }

    internal static IEnumerable<(string Host, int Port)> Endpoints(string bootstrap)
    {
        foreach (var entry in bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            var port = colon > 0 && int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 9092;
            yield return (colon > 0 ? entry[..colon] : entry, port);
        }
    }

    private static AdminClientConfig BuildConfig(KafkaProbeRequest request, TimeSpan timeout)
    {
        var ms = (int)Math.Max(100, timeout.TotalMilliseconds);
        var config = new AdminClientConfig
        {
            BootstrapServers = request.BootstrapServers,
            SecurityProtocol = request.SecurityProtocol switch
            {
                "SASL_SSL" => SecurityProtocol.SaslSsl,
                "SASL_PLAINTEXT" => SecurityProtocol.SaslPlaintext,
                "SSL" => SecurityProtocol.Ssl,
                _ => SecurityProtocol.Plaintext,
            },
            SocketTimeoutMs = ms,
            SocketConnectionSetupTimeoutMs = ms,
            ReconnectBackoffMs = 100,
            ReconnectBackoffMaxMs = 1000,
            ClientId = "junction-verifier",
            LogConnectionClose = false,
        };
        // Only connect to the brokers a request needs, not to every advertised broker.
        config.Set("enable.sparse.connections", "true");
        if (request.SecurityProtocol.StartsWith("SASL_", StringComparison.Ordinal))
        {
            config.SaslMechanism = request.SaslMechanism switch
            {
                "SCRAM-SHA-512" => SaslMechanism.ScramSha512,
                "SCRAM-SHA-256" => SaslMechanism.ScramSha256,
                _ => SaslMechanism.Plain,
            };
            config.SaslUsername = request.UserName;
            config.SaslPassword = request.Password;
        }

        return config;
    }

    /// <summary>Turns the client's error and what it logged on the way into a code and a message naming broker and step.</summary>
    private static VerificationResult Classify(KafkaProbeRequest request, Error final, IEnumerable<Error> errors, IEnumerable<string> events)
    {
        var all = errors.Append(final).ToList();
        var log = events.ToList();
        var evidence = string.Join(" | ", all.Select(e => e.Reason).Concat(log).Distinct().TakeLast(6));
        var where = $"bootstrap {request.BootstrapServers} ({request.SecurityProtocol})";

        bool Any(ErrorCode code) => all.Any(e => e.Code == code);
        bool Says(string text) => all.Any(e => e.Reason.Contains(text, StringComparison.OrdinalIgnoreCase))
            || log.Any(l => l.Contains(text, StringComparison.OrdinalIgnoreCase));

        if (Any(ErrorCode.Local_Authentication) || Any(ErrorCode.SaslAuthenticationFailed) || Says("SASL"))
        {
            return VerificationResult.Failure(VerificationCodes.KafkaAuthFailed,
                $"authentication failed at {where}: the SASL stage did not complete (mechanism {request.SaslMechanism ?? "PLAIN"}, user '{request.UserName}')", evidence);
        }

        if (Any(ErrorCode.Local_Ssl) || Says("SSL handshake") || Says("certificate"))
        {
            return VerificationResult.Failure(VerificationCodes.KafkaTlsFailed, $"the TLS handshake failed at {where}", evidence);
        }

        if (Any(ErrorCode.Local_Resolve) || Says("resolve"))
        {
            return VerificationResult.Failure(VerificationCodes.DnsFailed, $"a broker name could not be resolved at {where}", evidence);
        }

        if (Says("Connection refused") || Any(ErrorCode.Local_AllBrokersDown) || (Any(ErrorCode.Local_Transport) && !Says("timed out")))
        {
            var broker = log.Concat(all.Select(e => e.Reason)).FirstOrDefault(l => l.Contains("Connect to", StringComparison.Ordinal)) ?? evidence;
            return VerificationResult.Failure(VerificationCodes.KafkaUnreachable,
                $"no broker answered at {where}: connecting failed", broker);
        }

        if (final.Code == ErrorCode.Local_TimedOut || Says("timed out"))
        {
            return VerificationResult.Failure(VerificationCodes.KafkaTimeout,
                $"the cluster at {where} did not answer the metadata request within the probe timeout", evidence);
        }

        return VerificationResult.Failure(VerificationCodes.KafkaError, $"the metadata request to {where} failed: {final.Reason}", evidence);
    }
}
