using System.Net;
using Junction.Core.Inventory;
using Microsoft.Extensions.Options;

namespace Junction.Core.Networks;

/// <summary>
/// The outcome of looking a VPC and subnet up: found, or not, with a reason a person can act on. <see cref="Foreign"/>:
/// the VPC is declared but belongs to another tenant (never usable, in any mode).
/// </summary>
public sealed record NetworkCheck(bool Known, string Reason, IReadOnlyList<Cidr> Cidrs, bool Foreign = false);

/// <summary>
/// Resolves VPC and subnet ids against the operator's declarations: those in configuration (<c>Junction:Networks</c>)
/// and those registered through the admin API (kept in the database, handed over with <see cref="Use"/>).
/// </summary>
public sealed class NetworkRegistry
{
    private readonly NetworkOptions _options;
    private readonly HashSet<string> _configuredIds;
    private volatile Snapshot _snapshot;
    private volatile IReadOnlyDictionary<string, string> _tenantIds = new Dictionary<string, string>(StringComparer.Ordinal);

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
            Tenant = v.Tenant,
            Shared = v.Shared,
            Subnets = [.. rows.Where(s => s.VpcId == v.Id).Select(s => new SubnetOptions { Id = s.Id, Name = s.Name, Cidr = s.Cidr })],
        });
        _snapshot = new Snapshot([.. _options.Vpcs, .. vpcs]);
    }

    /// <summary>The tenants' ids by IAM domain name, to resolve the networks' owners (refreshed with the inventory).</summary>
    public void UseTenants(IReadOnlyDictionary<string, string> tenantIdsByDomain) =>
        _tenantIds = tenantIdsByDomain ?? throw new ArgumentNullException(nameof(tenantIdsByDomain));

    /// <summary>Whether connections of this tenant may use the VPC: it is shared, or the tenant's own.</summary>
    public bool Usable(VpcOptions vpc, string? tenantId)
    {
        ArgumentNullException.ThrowIfNull(vpc);
        return vpc.Shared || (vpc.Tenant is not null && tenantId is not null && _tenantIds.TryGetValue(vpc.Tenant, out var owner) && owner == tenantId);
    }
    /// <summary>The VPC and subnet as the tenant <paramref name="tenantId"/> may use them (null: the ownership is not checked).</summary>
    public NetworkCheck Check(string? vpcId, string? subnetId, string? tenantId = null)
    {
        var vpcs = _snapshot.Vpcs;
        var vpc = vpcs.FirstOrDefault(v => v.Id == vpcId);
        if (vpc is null)
        {
            return new NetworkCheck(false, $"VPC '{vpcId}' is not declared (Junction:Networks or the admin API's /networks)", []);
        }

        if (tenantId is not null && !Usable(vpc, tenantId))
        {
            return new NetworkCheck(false, $"VPC '{vpcId}' belongs to another tenant; a connection may use only its own tenant's networks and shared ones", [], Foreign: true);
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
    /// What a connection of tenant <paramref name="tenantId"/> in this VPC and subnet may reach beyond the egress policy,
    /// applied to every address verification and delivery connect to:
    /// <list type="bullet">
    /// <item>never an address inside another tenant's network (unless it is also inside the connection's own), in any mode;</item>
    /// <item>never anything when the connection names another tenant's VPC;</item>
    /// <item>in strict mode only the connection's own network's CIDRs, and nothing when its network is not declared.</item>
    /// </list>
    /// Null when nothing is confined (no network is owned by a tenant, lax mode).
    /// </summary>
    public Func<IPAddress, int, OutboundFailure?>? Confine(string? vpcId, string? subnetId, string connectionName, string? tenantId)
    {
        var snapshot = _snapshot;
        var foreign = snapshot.Vpcs.Where(v => !Usable(v, tenantId))
            .SelectMany(v => v.Subnets.Select(s => s.Cidr).Prepend(v.Cidr).Where(c => c is not null && Cidr.TryParse(c, out _))
                .Select(c => (Vpc: v.Id, Cidr: Cidr.Parse(c!))))
            .ToList();
        var strict = Mode == NetworkMode.Strict && vpcId is not null;
        if (foreign.Count == 0 && !strict)
        {
            return null;
        }

        var check = vpcId is null ? null : Check(vpcId, subnetId, tenantId);
        var own = check?.Cidrs ?? [];
        return (address, port) =>
        {
            if (check is { Foreign: true } || (strict && check is { Known: false }))
            {
                return new OutboundFailure(Verification.VerificationCodes.NetworkUnknown, $"connection '{connectionName}': {check.Reason}; nothing was sent");
            }

            if (own.Any(c => c.Contains(address)))
            {
                return null;
            }

            if (foreign.FirstOrDefault(f => f.Cidr.Contains(address)) is { Vpc: not null } other)
            {
                return new OutboundFailure(Verification.VerificationCodes.EgressRefused,
                    $"refused {address}:{port}: it lies in VPC '{other.Vpc}' ({other.Cidr}) of another tenant, outside the network of connection '{connectionName}'; nothing was sent");
            }

            return strict && own.Count > 0
                ? new OutboundFailure(Verification.VerificationCodes.EgressRefused,
                    $"refused {address}:{port}: it is outside the network of connection '{connectionName}' ({string.Join(", ", own)}); nothing was sent")
                : null;
        };
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
