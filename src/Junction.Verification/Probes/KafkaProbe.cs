using System.Collections.Concurrent;
using System.Diagnostics;
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
/// Every bootstrap address passes the egress guard before a client is used; the brokers the cluster advertises are
/// checked again afterwards. Failures carry a stable code and say which broker and which step failed, from the
/// client's own error and log events.
/// Clients are pooled per cluster and credentials: disposing a librdkafka client takes about 200 ms (its poll loop),
/// which would otherwise dominate every probe; a healthy client is reused (each probe still sends a real metadata
/// request), a client whose probe failed is dropped so the next probe starts from a fresh connection.
/// </summary>
public sealed class KafkaProbe(EgressGuard egress) : IKafkaProbe, IDisposable
{
    private static readonly TimeSpan s_idle = TimeSpan.FromMinutes(2);
    private readonly ConcurrentDictionary<string, Lazy<PooledClient>> _clients = new(StringComparer.Ordinal);

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

        EvictIdle();
        // Taken before the client may be built: a new client starts connecting (and logging) at once.
        var since = Stopwatch.GetTimestamp();
        var key = Key(request);
        PooledClient client;
        try
        {
            client = _clients.GetOrAdd(key, _ => new Lazy<PooledClient>(() => new PooledClient(BuildConfig(request, timeout)))).Value;
        }
        catch (ArgumentException exception)
        {
            _clients.TryRemove(key, out _);
            return VerificationResult.Failure(VerificationCodes.KafkaError, $"the Kafka client rejected the configuration: {exception.Message}");
        }

        Metadata metadata;
        try
        {
            // GetMetadata blocks; keep it off the caller's thread and bounded by the probe timeout.
            metadata = await Task.Run(() => client.Admin.GetMetadata(timeout), cancellationToken);
            client.Touch();
        }
        catch (KafkaException exception)
        {
            Drop(key, client);
            var (errors, events) = client.EventsSince(since);
            return Classify(request, exception.Error, errors, events);
        }

        foreach (var broker in metadata.Brokers)
        {
            var decision = await egress.CheckAsync(broker.Host, broker.Port, cancellationToken);
            if (!decision.Allowed)
            {
                Drop(key, client);
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

    public void Dispose()
    {
        foreach (var key in _clients.Keys)
        {
            if (_clients.TryRemove(key, out var lazy) && lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }
    }

    /// <summary>The pool key: cluster and credentials, with the password hashed so it is not kept as a key.</summary>
    private static string Key(KafkaProbeRequest r) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join('\n', r.BootstrapServers, r.SecurityProtocol, r.SaslMechanism, r.UserName, r.Password))));

    private void Drop(string key, PooledClient client)
    {
        if (_clients.TryGetValue(key, out var lazy) && lazy.IsValueCreated && ReferenceEquals(lazy.Value, client)
            && _clients.TryRemove(new KeyValuePair<string, Lazy<PooledClient>>(key, lazy)))
        {
            client.DisposeInBackground();
        }
    }

    private void EvictIdle()
    {
        foreach (var (key, lazy) in _clients)
        {
            if (lazy.IsValueCreated && lazy.Value.IdleFor > s_idle)
            {
                Drop(key, lazy.Value);
            }
        }
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

    /// <summary>One pooled admin client, with the errors and warnings it reported, time-stamped so a probe reads only its own.</summary>
    private sealed class PooledClient : IDisposable
    {
        private const int MaxEvents = 256;
        private readonly ConcurrentQueue<(long At, Error? Error, string? Log)> _events = new();
        private long _lastUsed = Stopwatch.GetTimestamp();

        public PooledClient(AdminClientConfig config)
        {
            Admin = new AdminClientBuilder(config)
                .SetErrorHandler((_, error) => Add(error, null))
                .SetLogHandler((_, log) =>
                {
                    if (log.Level <= SyslogLevel.Warning)
                    {
                        Add(null, log.Message);
                    }
                })
                .Build();
        }

        public IAdminClient Admin { get; }

        public TimeSpan IdleFor => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastUsed));

        public void Touch() => Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());

        public (List<Error> Errors, List<string> Events) EventsSince(long since)
        {
            var recent = _events.Where(e => e.At >= since).ToList();
            return (recent.Where(e => e.Error is not null).Select(e => e.Error!).ToList(), recent.Where(e => e.Log is not null).Select(e => e.Log!).ToList());
        }

        /// <summary>librdkafka's destroy takes ~200 ms; nobody should wait for it.</summary>
        public void DisposeInBackground() => _ = Task.Run(Dispose);

        public void Dispose() => Admin.Dispose();

        private void Add(Error? error, string? log)
        {
            _events.Enqueue((Stopwatch.GetTimestamp(), error, log));
            while (_events.Count > MaxEvents && _events.TryDequeue(out _))
            {
            }
        }
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
