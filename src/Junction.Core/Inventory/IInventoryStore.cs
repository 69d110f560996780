namespace Junction.Core.Inventory;

/// <summary>
/// A VPC (<see cref="VpcId"/> is null) or a subnet of one, registered through the admin API. A VPC belongs to one
/// tenant (<see cref="Tenant"/>, its IAM domain name) or is <see cref="Shared"/>; its subnets go with it.
/// </summary>
public sealed record StoredNetwork(string Id, string? VpcId, string? Name, string? Cidr, DateTimeOffset CreatedAt, string? Tenant = null, bool Shared = false);

/// <summary>
/// A Kafka instance registered through the admin API; the password is kept encrypted. It belongs to one tenant
/// (<see cref="Tenant"/>, its IAM domain name) or is <see cref="Shared"/>; other tenants cannot use it.
/// </summary>
public sealed record StoredKafkaInstance(
    string Id,
    string BootstrapServers,
    string SecurityProtocol,
    string? SaslMechanism,
    string? UserName,
    string? ProtectedPassword,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Tenant = null,
    bool Shared = false);

/// <summary>What a write to the inventory did.</summary>
public enum InventoryWrite
{
    Done,
    NotFound,

    /// <summary>The id is taken.</summary>
    Duplicate,

    /// <summary>A subnet names a VPC that is not registered.</summary>
    MissingVpc,

    /// <summary>A VPC still has subnets.</summary>
    HasSubnets,
}

/// <summary>
/// The operator's inventory kept in the database: networks (VPCs and subnets) and Kafka instances. Configuration can
/// declare the same kinds of things; <see cref="Networks.NetworkRegistry"/> and <see cref="Instances.InstanceRegistry"/>
/// answer from both.
/// </summary>
public interface IInventoryStore
{
    Task<IReadOnlyList<StoredNetwork>> ListNetworksAsync(CancellationToken cancellationToken);

    Task<InventoryWrite> AddNetworkAsync(StoredNetwork network, CancellationToken cancellationToken);

    Task<InventoryWrite> DeleteNetworkAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredKafkaInstance>> ListKafkaInstancesAsync(CancellationToken cancellationToken);

    Task<InventoryWrite> AddKafkaInstanceAsync(StoredKafkaInstance instance, CancellationToken cancellationToken);

    /// <summary>Replaces every field of the instance with this id but its creation time.</summary>
    Task<InventoryWrite> UpdateKafkaInstanceAsync(StoredKafkaInstance instance, CancellationToken cancellationToken);

    Task<InventoryWrite> DeleteKafkaInstanceAsync(string id, CancellationToken cancellationToken);
}
