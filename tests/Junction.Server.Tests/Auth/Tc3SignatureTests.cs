using System.Text;
using Junction.Server.Auth;

namespace Junction.Server.Tests.Auth;

/// <summary>TC3-HMAC-SHA256 against the official documentation vector and a request the Node SDK really sent (spec/tencent-eb.md §2.1).</summary>
public sealed class Tc3SignatureTests
{
    [Fact]
    public void Sign_OfficialDocumentationVector()
    {
        const string payload = """{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}""";
        var hash = Tc3Signature.Sha256Hex(Encoding.UTF8.GetBytes(payload));
        var canonical = Tc3Signature.CanonicalRequest("POST", "/", "",
            [("content-type", "application/json; charset=utf-8"), ("host", "cvm.tencentcloudapi.com")], hash);

        Assert.Equal("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064", hash);
        Assert.Equal("5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031", Tc3Signature.Sha256Hex(Encoding.UTF8.GetBytes(canonical)));
        Assert.Equal(
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c",
            Tc3Signature.Sign("Gu5t9xGARNpq86cd98joQYCN3*******", "2019-02-25", "cvm",
                Tc3Signature.StringToSign(1551113065, "2019-02-25", "cvm", canonical)));
    }

    [Theory]
    [InlineData("127.0.0.1", "81dbf0e3ac51919cd4b62b0ad58efa4325d87be1112b30268b631eaf14be8e24")]
    [InlineData("127.0.0.1:18777", "4a799fe37f0531ab548b3bf39ba862ff9fd9387e98e41fc9828d6b3e24ef71d0")]
    public void Sign_NodeSdkEbRequest_ServiceFromScopeAndHostWithOrWithoutPort(string host, string expected)
    {
        const string body = """{"EventBusId":"eb-12345678","ConnectionName":"conn","Enable":true,"Type":"ckafka","ConnectionDescription":{"ResourceDescription":"qcs::ckafka:ap-guangzhou:uin/1:ckafkaId/uin/1/ckafka-xxx","CkafkaParams":{"Offset":"latest","TopicName":"t"}}}""";
        var hash = Tc3Signature.Sha256Hex(Encoding.UTF8.GetBytes(body));
        var canonical = Tc3Signature.CanonicalRequest("POST", "/", "", [("content-type", "application/json"), ("host", host)], hash);

        Assert.Equal("4f1a639586f73293e7bfeb8f35f82ea8db096b58e8f3e3e5fac7efe83df8ffc1", hash);
        Assert.Equal(expected, Tc3Signature.Sign("testKey", "2026-11-22", "127", Tc3Signature.StringToSign(1795310590, "2026-11-22", "127", canonical)));
    }

    [Fact]
    public void DateOf_IsTheUtcDate() => Assert.Equal("2026-11-22", Tc3Signature.DateOf(1795310590));
}
