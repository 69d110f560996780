using System.Net;
using Junction.Core.Inventory;
using Microsoft.Extensions.Options;

namespace Junction.Core.Networks;

/// <summary>The outcome of looking a VPC and subnet up: found, or not, with a reason a person can act on.</summary>
public sealed record NetworkCheck(bool Known, string Reason, IReadOnlyList<Cidr> Cidrs);

/// <summary>
/// Resolves VPC and subnet ids against the operator's declarations: those in configuration (<c>Junction:Networks</c>)
/// and those registered through the admin API (kept in the database, handed over with <see cref="Use"/>).
/// </summary>
public sealed class NetworkRegistry
{
    private readonly NetworkOptions _options;
    private readonly HashSet<string> _configuredIds;
    private volatile Snapshot _snapshot;

    public NetworkRegistry(IOptions<NetworkOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _configuredIds = [.. _options.Vpcs.SelectMany(v => v.Subnets.Select(s => s.Id).Prepend(v.Id))];
        _snapshot = new Snapshot(_options.Vpcs);
    }

    public NetworkMode Mode => _options.Mode;

    /// <summary>Every VPC with its subnets: configuration's first, then the registered ones.</summary>
    public IReadOnlyList<VpcOptions> Vpcs => _snapshot.Vpcs;

    /// <summary>Every declared CIDR (VPCs and subnets): they are inside the egress policy.</summary>
    public IReadOnlyList<Cidr> DeclaredCidrs => _snapshot.Cidrs;

    /// <summary>Whether the id (VPC or subnet) comes from configuration, and so cannot be changed through the admin API.</summary>
    public bool IsConfigured(string id) => _configuredIds.Contains(id);

    /// <summary>Replaces the registered networks with <paramref name="registered"/> (configuration's stay).</summary>
    public void Use(IEnumerable<StoredNetwork> registered)
    {
        ArgumentNullException.ThrowIfNull(registered);
        var rows = registered.Where(n => !_configuredIds.Contains(n.Id)).ToList();
        var vpcs = rows.Where(n => n.VpcId is null).Select(v => new VpcOptions
        {
            Id = v.Id,
            Name = v.Name,
            Cidr = v.Cidr,
            Subnets = [.. rows.Where(s => s.VpcId == v.Id).Select(s => new SubnetOptions { Id = s.Id, Name = s.Name, Cidr = s.Cidr })],
        });
        _snapshot = new Snapshot([.. _options.Vpcs, .. vpcs]);
    }

    public NetworkCheck Check(string? vpcId, string? subnetId)
    {
        var vpcs = _snapshot.Vpcs;
        var vpc = vpcs.FirstOrDefault(v => v.Id == vpcId);
        if (vpc is null)
        {
            return new NetworkCheck(false, $"VPC '{vpcId}' is not declared (Junction:Networks or the admin API's /networks)", []);
        }

        if (subnetId is null)
        {
            return new NetworkCheck(true, $"VPC '{vpcId}' is declared", Cidrs(vpc.Cidr));
        }

        var subnet = vpc.Subnets.FirstOrDefault(s => s.Id == subnetId);
        if (subnet is null)
        {
            var elsewhere = vpcs.Any(v => v.Subnets.Any(s => s.Id == subnetId));
            return new NetworkCheck(false, elsewhere
                ? $"subnet '{subnetId}' is declared, but in another VPC than '{vpcId}'"
                : $"subnet '{subnetId}' is not declared in VPC '{vpcId}'", []);
        }

        return new NetworkCheck(true, $"VPC '{vpcId}' and subnet '{subnetId}' are declared", Cidrs(subnet.Cidr ?? vpc.Cidr));
    }

    /// <summary>
    /// What a connection in this VPC and subnet may reach beyond the egress policy: in strict mode only its network's
    /// CIDRs (delivery and verification of webhook connections apply it to every address they connect to). Null when
    /// nothing more is confined: lax mode, or no VPC.
    /// </summary>
    public Func<IPAddress, int, OutboundFailure?>? Confine(string? vpcId, string? subnetId, string connectionName)
    {
        if (Mode != NetworkMode.Strict || vpcId is null)
        {
            return null;
        }

        var check = Check(vpcId, subnetId);
        var cidrs = check.Cidrs;
        return (address, port) => !check.Known
            ? new OutboundFailure(Verification.VerificationCodes.NetworkUnknown, $"connection '{connectionName}': {check.Reason}; nothing was sent")
            : cidrs.Count > 0 && !cidrs.Any(c => c.Contains(address))
                ? new OutboundFailure(Verification.VerificationCodes.EgressRefused,
                    $"refused {address}:{port}: it is outside the network of connection '{connectionName}' ({string.Join(", ", cidrs)}); nothing was sent")
                : null;
    }

    private static IReadOnlyList<Cidr> Cidrs(string? cidr) => cidr is null ? [] : [Cidr.Parse(cidr)];

    private sealed class Snapshot(IReadOnlyList<VpcOptions> vpcs)
    {
        public IReadOnlyList<VpcOptions> Vpcs { get; } = vpcs;

        public IReadOnlyList<Cidr> Cidrs { get; } = [.. vpcs.SelectMany(v => v.Subnets.Select(s => s.Cidr).Prepend(v.Cidr))
            .Where(c => c is not null && Cidr.TryParse(c, out _))
            .Select(c => Cidr.Parse(c!))];
    }
}
