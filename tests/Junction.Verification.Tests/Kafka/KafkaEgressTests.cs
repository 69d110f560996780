using System.Net;
using Confluent.Kafka;
using Junction.Core.Verification;
using Junction.Runtime.Egress;
using Junction.Runtime.Kafka;
using Junction.Testing;
using Junction.Verification.Tests.Egress;

namespace Junction.Verification.Tests.Kafka;

/// <summary>
/// Every connect a Kafka client makes is checked at connect time (Runtime's egress plugin), against hostile clusters on
/// loopback: a refused address is a canary listener on 127.0.0.2 that counts connects, so a wrong connect is seen and
/// never leaves the machine. Each hostile case has a permissive twin that shows the canary would have been reached.
/// </summary>
public sealed class KafkaEgressTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(2);
    private readonly MockKafkaCluster _cluster = new(brokers: 1);
    private readonly CanaryListener _canary = new(IPAddress.Parse("127.0.0.2"));

    public void Dispose()
    {
        _canary.Dispose();
        _cluster.Dispose();
    }

    [Fact]
    public async Task Produce_BrokerAdvertisesRefusedAddress_NeverConnectsThere()
    {
        _cluster.SetAdvertised(1, "127.0.0.2", _canary.Port);
        var guard = TestEgress.Guard(allow: ["127.0.0.1/32"]);
        var since = System.Diagnostics.Stopwatch.GetTimestamp();

        var delivered = await TryProduceAsync(guard, _cluster.Bootstrap);

        Assert.False(delivered);
        Assert.Equal(0, _canary.Accepted);
        var refusal = Assert.Single(KafkaEgress.RefusalsSince(guard, since).DistinctBy(r => r.Message));
        Assert.Equal(VerificationCodes.EgressRefused, refusal.Code);
        Assert.Contains($"127.0.0.2:{_canary.Port}", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Produce_BrokerAdvertisesAllowedCanary_ConnectsThere()
    {
        // The twin of the test above: with the canary allowed, the same client does connect to it.
        _cluster.SetAdvertised(1, "127.0.0.2", _canary.Port);

        await TryProduceAsync(TestEgress.Guard(allow: ["127.0.0.0/8"]), _cluster.Bootstrap);

        Assert.True(_canary.Accepted > 0);
    }

    [Fact]
    public async Task Client_NameResolvingToRefusedAddress_IsCheckedAfterResolution()
    {
        // No pre-check here: the client itself resolves "localhost" and connects; the plugin sees the resolved address.
        using var canary = new CanaryListener(IPAddress.Loopback);
        var bootstrap = $"localhost:{canary.Port}";

        await TryProduceAsync(TestEgress.Guard(allow: ["127.0.0.2/32"]), bootstrap);
        Assert.Equal(0, canary.Accepted);

        await TryProduceAsync(TestEgress.Guard(allow: ["127.0.0.0/8", "::1/128"]), bootstrap);
        Assert.True(canary.Accepted > 0);
    }

    [Fact]
    public async Task Probe_PoolIsBounded()
    {
        using var probe = TestEgress.Kafka();
        for (var i = 0; i < Verification.Probes.KafkaProbe.MaxPooled + 4; i++)
        {
            // Each user name is its own pool key (PLAINTEXT ignores it on the wire).
            var result = await probe.ProbeAsync(new Verification.Probes.KafkaProbeRequest(_cluster.Bootstrap, "PLAINTEXT", UserName: $"u{i}"), s_timeout, CancellationToken.None);
            Assert.True(result.Ok, result.Message);
            Assert.True(probe.PooledCount <= Verification.Probes.KafkaProbe.MaxPooled, $"{probe.PooledCount} clients pooled");
        }
    }

    private static async Task<bool> TryProduceAsync(EgressGuard guard, string bootstrap)
    {
        using var producer = new KafkaClients(guard).BuildProducer(
            new KafkaEndpoint(bootstrap, "PLAINTEXT"), s_timeout, "test", c => c.MessageTimeoutMs = 2000, _ => { }, _ => { });
        try
        {
            await producer.ProduceAsync("orders", new Message<byte[]?, byte[]> { Value = [1] });
            return true;
        }
        catch (KafkaException)
        {
            return false;
        }
    }
}
