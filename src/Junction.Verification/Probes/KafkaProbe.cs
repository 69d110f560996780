using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Junction.Core.Verification;
using Junction.Runtime.Kafka;

namespace Junction.Verification.Probes;

/// <summary>What to reach: the bootstrap list and security settings of a Kafka cluster, and optionally a topic that must exist.</summary>
public sealed record KafkaProbeRequest(
    string BootstrapServers,
    string SecurityProtocol,
    string? SaslMechanism = null,
    string? UserName = null,
    string? Password = null,
    string? Topic = null)
{
    /// <summary>The cluster of a KAFKA connection's target, with its decrypted password.</summary>
    public static KafkaProbeRequest For(Junction.Core.Connections.KafkaTarget target, string? password)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new(target.BootstrapServers, target.SecurityProtocol, target.SaslMechanism, target.UserName, password);
    }
}

public interface IKafkaProbe
{
    Task<VerificationResult> ProbeAsync(KafkaProbeRequest request, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Closes the pooled client of this cluster and credentials, if there is one (its connection was deleted).</summary>
    void Forget(KafkaProbeRequest request);
}

/// <summary>Closes the probe's pooled client of a KAFKA connection deleted on this node.</summary>
public sealed class KafkaProbeRetirement(IKafkaProbe probe, Junction.Core.Security.ISecretProtector protector) : Junction.Core.Connections.IConnectionRetirement
{
    public void Retired(Junction.Core.Connections.Connection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.Kafka is { ResolvedByInstance: false } target)
        {
            var password = connection.ProtectedSecret is null ? null : protector.Unprotect(connection.ProtectedSecret);
            probe.Forget(KafkaProbeRequest.For(target, password));
        }
    }
}

/// <summary>
/// Fetches cluster metadata with the connection's own security settings. Every connect the client makes is checked
/// against the egress policy when it is made (Runtime's Kafka egress plugin); the bootstrap addresses and the brokers
/// the cluster advertises are also checked here, before and after, so that the status can say which address was
/// refused. Failures carry a stable code and say which broker and which step failed, from the client's own error and
/// log events.
/// Clients are pooled per cluster and credentials: disposing a librdkafka client takes about 200 ms (its poll loop),
/// which would otherwise dominate every probe; a healthy client is reused (each probe still sends a real metadata
/// request), a client whose probe failed is dropped so the next probe starts from a fresh connection. The pool holds at
/// most <see cref="MaxPooled"/> clients (each costs librdkafka threads and buffers): the least recently used goes
/// first, a client idle for two minutes is closed by a timer, and a connection deleted on this node has its client closed
/// at once (<see cref="KafkaProbeRetirement"/>).
/// </summary>
public sealed class KafkaProbe : IKafkaProbe, IDisposable
{
    /// <summary>Clients kept at most; the least recently used is closed to make room.</summary>
    public const int MaxPooled = 32;

    private static readonly TimeSpan s_idle = TimeSpan.FromMinutes(2);
    private readonly ConcurrentDictionary<string, Lazy<PooledClient>> _clients = new(StringComparer.Ordinal);
    private readonly KafkaClients _kafka;
    private readonly Timer _sweeper;

    public KafkaProbe(KafkaClients kafka)
    {
        _kafka = kafka;
        _sweeper = new Timer(_ => EvictIdle(), null, s_idle, s_idle);
    }

    /// <summary>Clients pooled now; for tests.</summary>
    internal int PooledCount => _clients.Count;

    public async Task<VerificationResult> ProbeAsync(KafkaProbeRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpoint = new KafkaEndpoint(request.BootstrapServers, request.SecurityProtocol, request.SaslMechanism, request.UserName, request.Password);
        foreach (var (host, port) in endpoint.Bootstraps())
        {
            var decision = await _kafka.Egress.CheckAsync(host, port, cancellationToken);
            if (!decision.Allowed)
            {
                return VerificationResult.Failure(decision.Refusal!);
            }
        }

        EvictIdle();
        // Taken before the client may be built: a new client starts connecting (and logging) at once.
        var since = Stopwatch.GetTimestamp();
        var key = Key(request);
        if (!_clients.ContainsKey(key))
        {
            EvictOverflow();
        }

        PooledClient client;
        try
        {
            client = _clients.GetOrAdd(key, _ => new Lazy<PooledClient>(() => new PooledClient(_kafka, endpoint, timeout))).Value;
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
            return VerificationResult.Failure(KafkaErrorClassifier.Classify(endpoint, exception.Error, errors, events, KafkaEgress.RefusalsSince(_kafka.Egress, since)));
        }

        foreach (var broker in metadata.Brokers)
        {
            var decision = await _kafka.Egress.CheckAsync(broker.Host, broker.Port, cancellationToken);
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
        _sweeper.Dispose();
        foreach (var key in _clients.Keys)
        {
            if (_clients.TryRemove(key, out var lazy) && lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }
    }

    public void Forget(KafkaProbeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = Key(request);
        if (_clients.TryGetValue(key, out var lazy) && lazy.IsValueCreated)
        {
            Drop(key, lazy.Value);
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

    /// <summary>Closes the least recently used clients while the pool is full.</summary>
    private void EvictOverflow()
    {
        while (_clients.Count >= MaxPooled)
        {
            var oldest = _clients.Where(c => c.Value.IsValueCreated).OrderByDescending(c => c.Value.Value.IdleFor).FirstOrDefault();
            if (oldest.Key is null)
            {
                return;
            }

            Drop(oldest.Key, oldest.Value.Value);
        }
    }

    /// <summary>One pooled admin client, with the errors and warnings it reported, time-stamped so a probe reads only its own.</summary>
    private sealed class PooledClient : IDisposable
    {
        private const int MaxEvents = 256;
        private readonly ConcurrentQueue<(long At, Error? Error, string? Log)> _events = new();
        private long _lastUsed = Stopwatch.GetTimestamp();

        public PooledClient(KafkaClients kafka, KafkaEndpoint endpoint, TimeSpan timeout)
        {
            Admin = kafka.BuildAdmin(endpoint, timeout, "junction-verifier", error => Add(error, null), log =>
            {
                if (log.Level <= SyslogLevel.Warning)
                {
                    Add(null, log.Message);
                }
            });
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
}
