using System.ComponentModel.DataAnnotations;

namespace Junction.Core.Networks;

/// <summary>How unknown VPC and subnet ids are treated during verification.</summary>
public enum NetworkMode
{
    /// <summary>Unknown ids are accepted, and the recorded reason says they were not checked. The default.</summary>
    Lax,

    /// <summary>Unknown ids fail verification.</summary>
    Strict,
}

/// <summary>
/// The operator-declared networks (configuration section <c>Junction:Networks</c>): VPCs and their subnets, so that
/// the ids in requests resolve to something real, and so that their CIDRs open the egress policy.
/// </summary>
public sealed class NetworkOptions : IValidatableObject
{
    public const string SectionName = "Junction:Networks";

    public NetworkMode Mode { get; set; } = NetworkMode.Lax;

    public List<VpcOptions> Vpcs { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Vpcs.Count; i++)
        {
            var vpc = Vpcs[i];
            var key = $"{SectionName}:Vpcs:{i}";
            if (string.IsNullOrWhiteSpace(vpc.Id))
            {
                yield return new ValidationResult($"{key}:Id is required");
            }
            else if (!ids.Add(vpc.Id))
            {
                yield return new ValidationResult($"{key}:Id '{vpc.Id}' is declared twice");
            }

            if (string.IsNullOrWhiteSpace(vpc.Tenant) == !vpc.Shared)
            {
                yield return new ValidationResult(
                    $"{key} must name its Tenant (the tenant's IAM domain name) or say Shared: true (every tenant's connections may use it), not both or neither");
            }

            if (vpc.Cidr is not null && !Networks.Cidr.TryParse(vpc.Cidr, out _))
            {
                yield return new ValidationResult($"{key}:Cidr '{vpc.Cidr}' is not a CIDR such as 10.0.0.0/16");
            }

            for (var j = 0; j < vpc.Subnets.Count; j++)
            {
                var subnet = vpc.Subnets[j];
                if (string.IsNullOrWhiteSpace(subnet.Id))
                {
                    yield return new ValidationResult($"{key}:Subnets:{j}:Id is required");
                }
                else if (!ids.Add(subnet.Id))
                {
                    yield return new ValidationResult($"{key}:Subnets:{j}:Id '{subnet.Id}' is declared twice");
                }

                if (subnet.Cidr is not null && !Networks.Cidr.TryParse(subnet.Cidr, out _))
                {
                    yield return new ValidationResult($"{key}:Subnets:{j}:Cidr '{subnet.Cidr}' is not a CIDR such as 10.0.1.0/24");
                }
            }
        }
    }
}

public sealed class VpcOptions
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public string? Cidr { get; set; }

    public List<SubnetOptions> Subnets { get; set; } = [];

    /// <summary>The tenant (IAM domain name) whose connections may use this VPC and its subnets; or <see cref="Shared"/>.</summary>
    public string? Tenant { get; set; }

    /// <summary>Every tenant's connections may use this VPC and its subnets.</summary>
    public bool Shared { get; set; }
}

public sealed class SubnetOptions
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public string? Cidr { get; set; }
}
