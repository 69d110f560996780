using System.Runtime.InteropServices;
using System.Text;
namespace Junction.Runtime.Kafka;

/// <summary>
/// A real Kafka-protocol broker in this process: librdkafka's built-in mock cluster, started through P/Invoke on
/// loopback (design.md §4). It serves metadata, produce, fetch and consumer groups, and injects faults (broker down,
/// added round-trip time). It has no SASL or TLS and keeps messages in memory. The test kit's broker, and the one
/// <c>junction kafka-mock</c> starts for trying Junction without a Kafka cluster.
/// </summary>
public partial class KafkaMockCluster : IDisposable
{
    private const string Library = "librdkafka";
    private IntPtr _client;
    private IntPtr _cluster;

    // The same librdkafka file as the clients under test use (KafkaNative explains which, and why) — Confluent.Kafka's
    // too, before anyone builds a client next to the cluster: a producer built first would bind its calls to whatever
    // librdkafka the loader finds (Debian's, say) and the process would hold two copies (heap corruption, seen).
    static KafkaMockCluster()
    {
        KafkaNative.UseFor(typeof(KafkaMockCluster).Assembly);
        KafkaNative.EnsureLoaded();
    }

    public KafkaMockCluster(int brokers = 1)
    {
        var conf = rd_kafka_conf_new();
        // The mock cluster hangs off a client handle; keep that handle quiet.
        var error = new StringBuilder(512);
        _ = rd_kafka_conf_set(conf, "log_level", "0", error, (UIntPtr)error.Capacity);
        _client = rd_kafka_new(0, conf, error, (UIntPtr)error.Capacity);
        if (_client == IntPtr.Zero)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {error}");
        }

        _cluster = rd_kafka_mock_cluster_new(_client, brokers);
        if (_cluster == IntPtr.Zero)
        {
            rd_kafka_destroy(_client);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }

        Bootstrap = Marshal.PtrToStringAnsi(rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("the mock cluster has no bootstrap address");
        BrokerCount = brokers;
    }

    /// <summary>The bootstrap list, <c>127.0.0.1:port[,...]</c>.</summary>
    public string Bootstrap { get; }

    public int BrokerCount { get; }

    /// <summary>Broker ids are 1..BrokerCount.</summary>
    public void SetBrokerDown(int brokerId) => Check(rd_kafka_mock_broker_set_down(_cluster, brokerId), "set_down");

    public void SetBrokerUp(int brokerId) => Check(rd_kafka_mock_broker_set_up(_cluster, brokerId), "set_up");

    public void SetAllBrokersDown()
    {
        for (var id = 1; id <= BrokerCount; id++)
        {
            SetBrokerDown(id);
        }
    }

    public void SetAllBrokersUp()
    {
        for (var id = 1; id <= BrokerCount; id++)
        {
            SetBrokerUp(id);
        }
    }

    /// <summary>Makes a broker advertise another address in metadata (it keeps listening where it is).</summary>
    public void SetAdvertised(int brokerId, string host, int port) => rd_kafka_mock_broker_set_host_port(_cluster, brokerId, host, port);

    /// <summary>Adds round-trip time to every response of a broker.</summary>
    public void SetRtt(int brokerId, int milliseconds) => Check(rd_kafka_mock_broker_set_rtt(_cluster, brokerId, milliseconds), "set_rtt");

    public void CreateTopic(string topic, int partitions = 1, int replicationFactor = 1) =>
        Check(rd_kafka_mock_topic_create(_cluster, topic, partitions, replicationFactor), "topic_create");

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_cluster != IntPtr.Zero)
        {
            rd_kafka_mock_cluster_destroy(_cluster);
            _cluster = IntPtr.Zero;
        }

        if (_client != IntPtr.Zero)
        {
            rd_kafka_destroy(_client);
            _client = IntPtr.Zero;
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_{what} failed with error {error}");
        }
    }

#pragma warning disable CA2101, SYSLIB1054 // Plain ANSI strings into librdkafka's C API.
    [DllImport(Library)]
    private static extern IntPtr rd_kafka_conf_new();

    [DllImport(Library, CharSet = CharSet.Ansi)]
    private static extern int rd_kafka_conf_set(IntPtr conf, string name, string value, StringBuilder errstr, UIntPtr errstrSize);

    [DllImport(Library, CharSet = CharSet.Ansi)]
    private static extern IntPtr rd_kafka_new(int type, IntPtr conf, StringBuilder errstr, UIntPtr errstrSize);

    [DllImport(Library)]
    private static extern void rd_kafka_destroy(IntPtr rk);

    [DllImport(Library)]
    private static extern IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [DllImport(Library)]
    private static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [DllImport(Library)]
    private static extern void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [DllImport(Library)]
    private static extern int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [DllImport(Library)]
    private static extern int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [DllImport(Library, CharSet = CharSet.Ansi)]
    private static extern void rd_kafka_mock_broker_set_host_port(IntPtr cluster, int brokerId, string host, int port);

    [DllImport(Library)]
    private static extern int rd_kafka_mock_broker_set_rtt(IntPtr cluster, int brokerId, int rttMs);

    [DllImport(Library, CharSet = CharSet.Ansi)]
    private static extern int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitionCount, int replicationFactor);
#pragma warning restore CA2101, SYSLIB1054
}
