using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Junction.Core.Instances;

/// <summary>
/// Kafka instances the operator registers (configuration section <c>Junction:Instances</c>), so that an instance id
/// in a request (a Tencent CKafka id such as <c>ckafka-xxxxxxxx</c>) resolves to a cluster Junction can reach.
/// </summary>
public sealed class InstanceOptions : IValidatableObject
{
    public const string SectionName = "Junction:Instances";

    public List<KafkaInstance> Kafka { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Kafka.Count; i++)
        {
            var instance = Kafka[i];
            var key = $"{SectionName}:Kafka:{i}";
            if (string.IsNullOrWhiteSpace(instance.Id) || !ids.Add(instance.Id))
            {
                yield return new ValidationResult($"{key}:Id must be set and unique");
            }

            if (string.IsNullOrWhiteSpace(instance.BootstrapServers))
            {
                yield return new ValidationResult($"{key}:BootstrapServers is required (host:port[,host:port])");
            }

            if (instance.SecurityProtocol is not ("PLAINTEXT" or "SASL_PLAINTEXT" or "SASL_SSL" or "SSL"))
            {
                yield return new ValidationResult($"{key}:SecurityProtocol must be PLAINTEXT, SASL_PLAINTEXT, SASL_SSL or SSL");
            }

            if (string.IsNullOrWhiteSpace(instance.Tenant) == !instance.Shared)
            {
                yield return new ValidationResult(
                    $"{key} must name its Tenant (the tenant's IAM domain name) or say Shared: true (every tenant may use it), not both or neither");
            }
        }
    }
}

public sealed class KafkaInstance
{
    public string Id { get; set; } = "";

    public string BootstrapServers { get; set; } = "";

    public string SecurityProtocol { get; set; } = "PLAINTEXT";

    public string? SaslMechanism { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The tenant (IAM domain name) whose connectors may use this instance; or <see cref="Shared"/>.</summary>
    public string? Tenant { get; set; }

    /// <summary>Every tenant's connectors may use this instance (and its credentials).</summary>
    public bool Shared { get; set; }

    /// <summary>A password is stored for this instance but could not be decrypted (the data-protection key ring changed).</summary>
    public bool PasswordUnreadable { get; set; }
}

/// <summary>
/// Resolves instance ids against configuration (<c>Junction:Instances</c>) and the instances registered through the
/// admin API (kept in the database, handed over with <see cref="Use"/>, passwords already decrypted).
/// </summary>
public sealed class InstanceRegistry(IOptions<InstanceOptions> options)
{
    private volatile IReadOnlyList<KafkaInstance> _registered = [];

    /// <summary>Every Kafka instance: configuration's first, then the registered ones.</summary>
    public IReadOnlyList<KafkaInstance> Kafka => [.. options.Value.Kafka, .. _registered];

    public KafkaInstance? FindKafka(string id) =>
        options.Value.Kafka.FirstOrDefault(k => k.Id == id) ?? _registered.FirstOrDefault(k => k.Id == id);

    /// <summary>
    /// The instance with this id as the tenant with IAM domain <paramref name="tenantDomain"/> may use it: its own, or
    /// shared; null otherwise — the same answer as for an unknown id, so a tenant learns nothing of others' instances.
    /// </summary>
    public KafkaInstance? FindKafkaFor(string id, string? tenantDomain) =>
        FindKafka(id) is { } instance && (instance.Shared || (tenantDomain is not null && instance.Tenant == tenantDomain)) ? instance : null;

    /// <summary>Whether the id comes from configuration, and so cannot be changed through the admin API.</summary>
    public bool IsConfigured(string id) => options.Value.Kafka.Any(k => k.Id == id);

    /// <summary>Replaces the registered instances (configuration's stay).</summary>
    public void Use(IEnumerable<KafkaInstance> registered) => _registered = [.. registered];
}
