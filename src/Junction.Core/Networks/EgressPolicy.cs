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
    private readonly IReadOnlyList<Cidr> _allowed;

    public EgressPolicy(IOptions<EgressOptions> options, NetworkRegistry networks)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(networks);
        _allowed = [.. options.Value.Allow.Select(Cidr.Parse), .. networks.DeclaredCidrs];
    }

    public IReadOnlyList<Cidr> Allowed => _allowed;

    public EgressRefusal? Check(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_allowed.Any(c => c.Contains(address)))
        {
            return null;
        }

        var allowed = _allowed.Count == 0 ? "none: declare networks or set Junction:Egress:Allow" : string.Join(", ", _allowed);
        return new EgressRefusal(address, $"{address} is outside the allowed networks (allowed: {allowed})");
    }
}
