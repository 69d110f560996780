using Microsoft.Extensions.Options;

namespace Junction.Core.Networks;

/// <summary>The outcome of looking a VPC and subnet up: found, or not, with a reason a person can act on.</summary>
public sealed record NetworkCheck(bool Known, string Reason, IReadOnlyList<Cidr> Cidrs);

/// <summary>Resolves VPC and subnet ids against the operator's declarations.</summary>
public sealed class NetworkRegistry(IOptions<NetworkOptions> options)
{
    public NetworkMode Mode => options.Value.Mode;

    /// <summary>Every declared CIDR (VPCs and subnets): they are inside the egress policy.</summary>
    public IEnumerable<Cidr> DeclaredCidrs =>
        options.Value.Vpcs.SelectMany(v => v.Subnets.Select(s => s.Cidr).Prepend(v.Cidr))
            .Where(c => c is not null)
            .Select(c => Cidr.Parse(c!));

    public NetworkCheck Check(string? vpcId, string? subnetId)
    {
        var vpc = options.Value.Vpcs.FirstOrDefault(v => v.Id == vpcId);
        if (vpc is null)
        {
            return new NetworkCheck(false, $"VPC '{vpcId}' is not declared in Junction:Networks", []);
        }

        if (subnetId is null)
        {
            return new NetworkCheck(true, $"VPC '{vpcId}' is declared", Cidrs(vpc.Cidr));
        }

        var subnet = vpc.Subnets.FirstOrDefault(s => s.Id == subnetId);
        if (subnet is null)
        {
            var elsewhere = options.Value.Vpcs.Any(v => v.Subnets.Any(s => s.Id == subnetId));
            return new NetworkCheck(false, elsewhere
                ? $"subnet '{subnetId}' is declared, but in another VPC than '{vpcId}'"
                : $"subnet '{subnetId}' is not declared in VPC '{vpcId}'", []);
        }

        return new NetworkCheck(true, $"VPC '{vpcId}' and subnet '{subnetId}' are declared", Cidrs(subnet.Cidr ?? vpc.Cidr));
    }

    private static IReadOnlyList<Cidr> Cidrs(string? cidr) => cidr is null ? [] : [Cidr.Parse(cidr)];
}
