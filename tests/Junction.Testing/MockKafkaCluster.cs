using Confluent.Kafka;
using Junction.Runtime.Kafka;

namespace Junction.Testing;

/// <summary>The test kit's Kafka broker: the mock cluster (<see cref="KafkaMockCluster"/>) and a way to read a topic back.</summary>
public sealed class MockKafkaCluster(int brokers = 1) : KafkaMockCluster(brokers)
{
    /// <summary>Reads <paramref name="topic"/> from the start until <paramref name="count"/> messages arrived or the timeout passed.</summary>
    public IReadOnlyList<ConsumeResult<byte[]?, byte[]>> Consume(string topic, int count, TimeSpan timeout)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "junction-test-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            LogConnectionClose = false,
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        var messages = new List<ConsumeResult<byte[]?, byte[]>>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (messages.Count < count && watch.Elapsed < timeout)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false, Message: not null } result)
            {
                messages.Add(result);
            }
        }

        consumer.Close();
        return messages;
    }

    /// <summary>Produces <paramref name="values"/> to <paramref name="topic"/> (acks=all) and waits for every acknowledgement.</summary>
    public void Produce(string topic, IEnumerable<(string? Key, string Value)> values)
    {
        var config = new ProducerConfig { BootstrapServers = Bootstrap, Acks = Acks.All, LogConnectionClose = false };
        using var producer = new ProducerBuilder<byte[]?, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        foreach (var (key, value) in values)
        {
            producer.Produce(topic, new Message<byte[]?, byte[]>
            {
                Key = key is null ? null : System.Text.Encoding.UTF8.GetBytes(key),
                Value = System.Text.Encoding.UTF8.GetBytes(value),
            });
        }

        if (producer.Flush(TimeSpan.FromSeconds(10)) > 0)
        {
            throw new TimeoutException($"the mock cluster did not acknowledge every message to {topic}");
        }
    }

}
