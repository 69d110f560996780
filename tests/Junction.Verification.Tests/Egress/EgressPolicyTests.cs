using System.Net;
using Junction.Core.Networks;
using Junction.Core.Verification;

namespace Junction.Verification.Tests.Egress;

public sealed class EgressPolicyTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.0/24", "192.168.1.255", true)]
    [InlineData("192.168.1.0/24", "192.168.2.0", false)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("::1/128", "::1", true)]
    [InlineData("fd00::/8", "fd12::1", true)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1", true)]
    [InlineData("127.0.0.0/8", "::1", false)]
    public void Cidr_Contains(string cidr, string address, bool expected) =>
        Assert.Equal(expected, Cidr.Parse(cidr).Contains(IPAddress.Parse(address)));

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0/8")]
    [InlineData("banana")]
    [InlineData("")]
    [InlineData("::1/129")]
    public void Cidr_Invalid(string text) => Assert.False(Cidr.TryParse(text, out _));

    [Fact]
    public void Policy_FreshInstall_AllowsNothing()
    {
        var policy = TestEgress.Policy(allow: []);

        var refusal = policy.Check(IPAddress.Loopback);

        Assert.NotNull(refusal);
        Assert.Contains("allowed: none", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_DeclaredNetworkCidrs_AreAllowed()
    {
        var networks = new NetworkOptions
        {
            Vpcs = [new VpcOptions { Id = "vpc-1", Shared = true, Cidr = "10.10.0.0/16", Subnets = [new SubnetOptions { Id = "subnet-1", Cidr = "172.16.5.0/24" }] }],
        };
        var policy = TestEgress.Policy(allow: [], networks: networks);

        Assert.Null(policy.Check(IPAddress.Parse("10.10.3.4")));
        Assert.Null(policy.Check(IPAddress.Parse("172.16.5.9")));
        Assert.NotNull(policy.Check(IPAddress.Parse("172.16.6.9")));
    }

    [Fact]
    public void Policy_RefusalNamesAddressAndAllowedRanges()
    {
        var refusal = TestEgress.Policy().Check(IPAddress.Parse("192.168.0.1"));

        Assert.Equal("192.168.0.1 is outside the allowed networks (allowed: 127.0.0.0/8)", refusal?.Reason);
    }

    [Fact]
    public async Task Guard_NameResolvingToRefusedAddress_IsRefusedAsAWhole()
    {
        var guard = TestEgress.Guard(names: new() { ["metadata.evil"] = [IPAddress.Parse("169.254.169.254")] });

        var decision = await guard.CheckAsync("metadata.evil", 80, CancellationToken.None);

        Assert.False(decision.Allowed);
        Assert.Equal(VerificationCodes.EgressRefused, decision.Refusal!.Code);
        Assert.Empty(decision.Addresses);
    }

    [Fact]
    public async Task Guard_LiteralAddress_IsNotResolved()
    {
        var resolver = new TestEgress.TableResolver([]);
        var guard = new Junction.Runtime.Egress.EgressGuard(TestEgress.Policy(), resolver);

        var decision = await guard.CheckAsync("127.0.0.5", 80, CancellationToken.None);

        Assert.True(decision.Allowed);
        Assert.Empty(resolver.Asked);
    }

    [Fact]
    public void NetworkOptions_Validation_NamesTheKey()
    {
        var options = new NetworkOptions
        {
            Vpcs = [new VpcOptions { Id = "v", Shared = true, Cidr = "nonsense", Subnets = [new SubnetOptions { Id = "v" }] }],
        };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();

        Assert.Contains("Junction:Networks:Vpcs:0:Cidr 'nonsense' is not a CIDR such as 10.0.0.0/16", errors);
        Assert.Contains("Junction:Networks:Vpcs:0:Subnets:0:Id 'v' is declared twice", errors);
    }
}
