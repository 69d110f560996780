using System.CommandLine;
using Junction.Runtime.Kafka;

namespace Junction.Cli;

/// <summary>
/// <c>junction kafka-mock</c>: a Kafka-protocol broker on loopback (librdkafka's mock cluster, in memory, no SASL or
/// TLS) for trying Junction's Kafka connections and targets without a cluster. Prints <c>bootstrap: HOST:PORT</c>
/// and serves until SIGINT/SIGTERM.
/// </summary>
internal static class KafkaMockCommand
{
    public static Command Create()
    {
        var brokers = new Option<int>("--brokers") { Description = "How many brokers (1-8).", DefaultValueFactory = _ => 1 };
        var topics = new Option<string[]>("--topic") { Description = "Create this topic first (repeatable); others are created when first produced to.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("kafka-mock", "Run an in-memory Kafka-protocol broker on loopback (librdkafka's mock cluster) until stopped.") { brokers, topics };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(brokers);
            if (count is < 1 or > 8)
            {
                await Console.Error.WriteLineAsync("junction: --brokers must be from 1 to 8");
                return ExitCodes.Usage;
            }

            using var cluster = new KafkaMockCluster(count);
            foreach (var topic in parse.GetValue(topics) ?? [])
            {
                cluster.CreateTopic(topic, partitions: 1, replicationFactor: 1);
            }

            await Console.Out.WriteLineAsync($"bootstrap: {cluster.Bootstrap}");
            await Console.Out.FlushAsync(cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
