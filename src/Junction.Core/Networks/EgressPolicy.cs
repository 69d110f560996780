using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace Junction.Core.Networks;

/// <summary>
/// Where Junction may open connections (configuration section <c>Junction:Egress</c>). A fresh install allows
/// nothing but the declared networks; the quick-start and test configurations add <c>127.0.0.0/8</c>.
/// </summary>
public sealed class EgressOptions : IValidatableObject
{
    public const string SectionName = "Junction:Egress";

    /// <summary>CIDRs allowed in addition to the declared networks' CIDRs.</summary>
    public List<string> Allow { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Allow.Count; i++)
        {
            if (!Cidr.TryParse(Allow[i], out _))
            {
                yield return new ValidationResult($"{SectionName}:Allow:{i} '{Allow[i]}' is not a CIDR such as 127.0.0.0/8");
            }
        }
    }
}

/// <summary>A refusal: the address, and the rule that refused it, in words a person can act on.</summary>
public sealed record EgressRefusal(IPAddress Address, string Reason);

/// <summary>
/// The SSRF guard of every probe and delivery (design.md §3): an address may be contacted only if it lies inside
/// an allowed range — the operator's allow-list or a declared network's CIDR.
/// </summary>
public sealed class EgressPolicy
{
    private readonly IReadOnlyList<Cidr> _allow;
    private readonly NetworkRegistry _networks;

    public EgressPolicy(IOptions<EgressOptions> options, NetworkRegistry networks)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(networks);
        _allow = [.. options.Value.Allow.Select(Cidr.Parse)];
        _networks = networks;
    }

    /// <summary>The allow-list and the declared networks' CIDRs as they are now (networks can be registered at run time).</summary>
    public IReadOnlyList<Cidr> Allowed => [.. _allow, .. _networks.DeclaredCidrs];

    public EgressRefusal? Check(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_allow.Any(c => c.Contains(address)) || _networks.DeclaredCidrs.Any(c => c.Contains(address)))
        {
            return null;
        }

        var allowed = Allowed;
        var list = allowed.Count == 0 ? "none: declare networks or set Junction:Egress:Allow" : string.Join(", ", allowed);
        return new EgressRefusal(address, $"{address} is outside the allowed networks (allowed: {list})");
    }
}
