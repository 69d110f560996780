using Confluent.Kafka;
using Junction.Runtime.Kafka;

namespace Junction.Bench;

/// <summary>
/// How many messages a topic of the mock cluster holds: the sum of its partitions' high watermarks, one small request
/// per partition. The benchmarks wait on this instead of counting delivered rows in the server's database every 20 ms
/// (a scan of a table that grows by 10,000s of rows per phase, made by a process sharing the server's two cores, and a
/// cost the raw producer it is compared with never pays); the database is asked once the topic holds them all.
/// </summary>
internal sealed class TopicCount : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]> _consumer;
    private readonly string _topic;
    private readonly int _partitions;

    public TopicCount(string bootstrap, string topic, int partitions)
    {
        KafkaNative.EnsureLoaded();
        _consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-count-" + topic })
            .SetLogHandler((_, _) => { }).Build();
        _topic = topic;
        _partitions = partitions;
    }

    public long Now()
    {
        var sum = 0L;
        for (var partition = 0; partition < _partitions; partition++)
        {
            sum += _consumer.QueryWatermarkOffsets(new TopicPartition(_topic, partition), TimeSpan.FromSeconds(10)).High.Value;
        }

        return sum;
    }

    /// <summary>
    /// A completion test for <paramref name="count"/> more messages than now that are also recorded delivered in the
    /// database (<paramref name="delivered"/> reaching <paramref name="deliveredTarget"/>), asking the database only once
    /// the topic holds them.
    /// </summary>
    public Func<bool> Holds(long count, Func<long> delivered, long deliveredTarget)
    {
        var target = Now() + count;
        var produced = false;
        return () => (produced || (produced = Now() >= target)) && delivered() >= deliveredTarget;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
