using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Junction.Core.Verification;
using Junction.Testing;
using Junction.Verification.Probes;
using Junction.Verification.Tests.Egress;

namespace Junction.Verification.Tests.Probes;

/// <summary>The Kafka probe against a real Kafka-protocol broker: librdkafka's mock cluster on loopback.</summary>
public sealed class KafkaProbeTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);
    private readonly MockKafkaCluster _cluster = new(brokers: 3);
    private readonly KafkaProbe _probe = TestEgress.Kafka();

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Probe_ReachableCluster_Succeeds()
    {
        var result = await _probe.ProbeAsync(new KafkaProbeRequest(_cluster.Bootstrap, "PLAINTEXT"), s_timeout, CancellationToken.None);

        Assert.True(result.Ok, result.Message + " " + result.Detail);
        Assert.Contains("3 broker(s)", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_NothingListening_FailsUnreachableNamingTheAddress()
    {
        var address = $"127.0.0.1:{UnusedPort()}";

        var result = await _probe.ProbeAsync(new KafkaProbeRequest(address, "PLAINTEXT"), s_timeout, CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(VerificationCodes.KafkaUnreachable, result.Code);
        Assert.Contains(address, result.Message + result.Detail, StringComparison.Ordinal);
    }

    /// <summary>Issue 20: a broker that accepts the connection and never answers is a timeout, not "unreachable".</summary>
    [Fact]
    public async Task Probe_SilentBroker_FailsWithTimeout_NotUnreachable()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptTcpClientAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var address = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";

        var result = await _probe.ProbeAsync(new KafkaProbeRequest(address, "PLAINTEXT"), TimeSpan.FromSeconds(1), CancellationToken.None);

        await stop.CancelAsync();
        await accepting;
        accepted.ForEach(c => c.Dispose());
        Assert.False(result.Ok);
        Assert.True(result.Code == VerificationCodes.KafkaTimeout, $"{result.Code}: {result.Message} | {result.Detail}");
    }

    [Fact]
    public async Task Probe_AllBrokersDown_Fails()
    {
        _cluster.SetAllBrokersDown();

        var result = await _probe.ProbeAsync(new KafkaProbeRequest(_cluster.Bootstrap, "PLAINTEXT"), s_timeout, CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Contains(result.Code, new[] { VerificationCodes.KafkaUnreachable, VerificationCodes.KafkaTimeout });
    }

    [Fact]
    public async Task Probe_RoundTripLongerThanTimeout_FailsWithTimeout()
    {
        for (var id = 1; id <= _cluster.BrokerCount; id++)
        {
            _cluster.SetRtt(id, 5000);
        }

        var watch = Stopwatch.StartNew();
        var result = await _probe.ProbeAsync(new KafkaProbeRequest(_cluster.Bootstrap, "PLAINTEXT"), TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.True(result.Code == VerificationCodes.KafkaTimeout, $"{result.Code}: {result.Message} | {result.Detail}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4.5), $"the probe took {watch.Elapsed}, longer than its timeout allows");
    }

    [Fact]
    public async Task Probe_SaslAgainstBrokerWithoutSasl_FailsAtAuthenticationStage()
    {
        var result = await _probe.ProbeAsync(
            new KafkaProbeRequest(_cluster.Bootstrap, "SASL_PLAINTEXT", "PLAIN", "alice", "secret"), s_timeout, CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(VerificationCodes.KafkaAuthFailed, result.Code);
        Assert.Contains("SASL", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.Message + result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_TopicPresentAndAbsent()
    {
        _cluster.CreateTopic("orders", partitions: 3);

        var present = await _probe.ProbeAsync(new KafkaProbeRequest(_cluster.Bootstrap, "PLAINTEXT", Topic: "orders"), s_timeout, CancellationToken.None);
        var absent = await _probe.ProbeAsync(new KafkaProbeRequest(_cluster.Bootstrap, "PLAINTEXT", Topic: "payments"), s_timeout, CancellationToken.None);

        Assert.True(present.Ok, present.Message);
        Assert.Contains("3 partition(s)", present.Message, StringComparison.Ordinal);
        Assert.False(absent.Ok);
        Assert.Equal(VerificationCodes.KafkaTopicMissing, absent.Code);
    }

    [Theory]
    [InlineData("192.168.0.1:9092")]
    [InlineData("169.254.169.254:9092")]
    [InlineData("10.1.2.3:9092")]
    public async Task Probe_AddressOutsidePolicy_RefusedWithoutConnecting(string address)
    {
        var watch = Stopwatch.StartNew();

        var result = await _probe.ProbeAsync(new KafkaProbeRequest(address, "PLAINTEXT"), s_timeout, CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(VerificationCodes.EgressRefused, result.Code);
        Assert.Contains("outside the allowed networks", result.Message, StringComparison.Ordinal);
        // Refused before a client exists: no connect attempt, so no connect timeout either.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Probe_NameResolvingToRefusedAddress_Refused()
    {
        var probe = TestEgress.Kafka(TestEgress.Guard(names: new() { ["kafka.internal"] = [IPAddress.Loopback, IPAddress.Parse("10.0.0.8")] }));

        var result = await probe.ProbeAsync(new KafkaProbeRequest("kafka.internal:9092", "PLAINTEXT"), s_timeout, CancellationToken.None);

        Assert.Equal(VerificationCodes.EgressRefused, result.Code);
        Assert.Contains("10.0.0.8", result.Message, StringComparison.Ordinal);
        Assert.Contains("kafka.internal resolves to it", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_UnresolvableName_FailsWithDnsCode()
    {
        var result = await _probe.ProbeAsync(new KafkaProbeRequest("no-such-broker.invalid:9092", "PLAINTEXT"), s_timeout, CancellationToken.None);

        Assert.Equal(VerificationCodes.DnsFailed, result.Code);
        Assert.Contains("no-such-broker.invalid", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_ClusterAdvertisingRefusedAddress_Refused()
    {
        // Only 127.0.0.2 is allowed; a relay there forwards to the mock broker, whose metadata advertises 127.0.0.1.
        var target = _cluster.Bootstrap.Split(',')[0];
        using var relay = new TcpRelay(IPAddress.Parse("127.0.0.2"), IPEndPoint.Parse(target));
        var probe = TestEgress.Kafka(TestEgress.Guard(allow: ["127.0.0.2/32"]));

        var result = await probe.ProbeAsync(new KafkaProbeRequest($"127.0.0.2:{relay.Port}", "PLAINTEXT"), s_timeout, CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal(VerificationCodes.EgressRefused, result.Code);
        Assert.Contains("advertises broker", result.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", result.Message, StringComparison.Ordinal);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
