using System.Text;
using Junction.Server.Api.HuaweiEg;
using Junction.Server.Api.Wire;

namespace Junction.Server.Tests.Api.HuaweiEg;

/// <summary>EG validation rules on their own, without HTTP.</summary>
public sealed class EgRequestsTests
{
    [Theory]
    [InlineData("127.0.0.1:9092")]
    [InlineData("broker-1.kafka.internal:9093, broker-2.kafka.internal:9093")]
    [InlineData("[::1]:9092")]
    public void AddressProblems_ValidLists_None(string addr) => Assert.Empty(EgRequests.AddressProblems(addr));

    [Theory]
    [InlineData("127.0.0.1", "must be host:port")]
    [InlineData("127.0.0.1:0", "not a number from 1 to 65535")]
    [InlineData("127.0.0.1:abc", "not a number from 1 to 65535")]
    [InlineData("127.0.0.1:9092,", "empty entry")]
    [InlineData("bad_host:9092", "not a host name or IP address")]
    [InlineData(":9092", "must be host:port")]
    [InlineData("[:::::]:9092", "brackets hold no IPv6 address")]
    [InlineData("[1.2.3.4]:9092", "brackets hold no IPv6 address")]
    [InlineData("broker\n:9092", "not a host name or IP address")]
    public void AddressProblems_InvalidLists_NameTheEntry(string addr, string expected) =>
        Assert.Contains(EgRequests.AddressProblems(addr), p => p.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void ParseCreate_Kafka_DefaultsAndNormalisation()
    {
        var create = Parse("""{"name":"k","vpc_id":"v","subnet_id":"s","type":"kafka","kafka_detail":{"instance_id":"i","addr":" 127.0.0.1:9092 , 127.0.0.2:9092","sasl_ssl":true,"username":"u","password":"p","sasl_mechanism":"scram-sha-512"}}""", out var problems);

        Assert.Empty(problems);
        Assert.NotNull(create);
        Assert.Equal("KAFKA", create.Type);
        Assert.Equal("127.0.0.1:9092,127.0.0.2:9092", create.Kafka!.BootstrapServers);
        Assert.Equal("SASL_SSL", create.Kafka.SecurityProtocol);
        Assert.Equal("SCRAM-SHA-512", create.Kafka.SaslMechanism);
        Assert.Equal("1", create.Kafka.Acks);
        Assert.Equal("p", create.Password);
    }

    [Fact]
    public void ParseCreate_CollectsEveryProblem()
    {
        var create = Parse("""{"name":"default","description":5,"type":"KAFKA","kafka_detail":{"addr":"x","acks":"2"}}""", out var problems);

        Assert.Null(create);
        Assert.Contains(problems, p => p.Contains("'default'", StringComparison.Ordinal));
        Assert.Contains("description must be a string, not a number", problems);
        Assert.Contains("vpc_id is required", problems);
        Assert.Contains("subnet_id is required", problems);
        Assert.Contains("kafka_detail.instance_id is required", problems);
        Assert.Contains(problems, p => p.StartsWith("kafka_detail.addr entry 'x'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("kafka_detail.acks must be", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"name":"a","vpc_id":"v","subnet_id":"s","type":{}}""", "WEBHOOK")]
    [InlineData("""{"name":"a","vpc_id":"v","subnet_id":"s","type":null}""", "WEBHOOK")]
    [InlineData("""{"name":"a","vpc_id":"v","subnet_id":"s","type":"Webhook"}""", "WEBHOOK")]
    [InlineData("""{"name":"a","vpc_id":"v","subnet_id":"s","kafka_detail":{}}""", "WEBHOOK")]
    public void ParseCreate_TypeDefaultsToWebhook(string body, string type)
    {
        var create = Parse(body, out var problems);

        Assert.Empty(problems);
        Assert.Equal(type, create?.Type);
    }

    private static EgCreate? Parse(string body, out IReadOnlyList<string> problems)
    {
        var fields = JsonFields.Parse(Encoding.UTF8.GetBytes(body), out var error);
        Assert.Null(error);
        var create = EgRequests.ParseCreate(fields!);
        problems = fields!.Problems;
        return create;
    }
}
