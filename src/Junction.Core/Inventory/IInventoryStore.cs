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

/// <summary>
/// An HTTP function (spec/dataplane.md §3.6): where a Tencent EB <c>scf</c> target whose resource names
/// <c>namespace/{Namespace}/function/{Name}</c> is delivered — Junction has no SCF, so the operator says which HTTP
/// endpoint stands for each function. <see cref="Id"/> is <c>{namespace}/{function}</c>. It belongs to one tenant
/// (<see cref="Tenant"/>, its IAM domain name) or is <see cref="Shared"/>, like a Kafka instance.
/// </summary>
public sealed record StoredFunction(string Id, string Url, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Tenant = null, bool Shared = false)
{
    /// <summary>Whether the tenant with IAM domain <paramref name="tenantDomain"/> may deliver to it.</summary>
    public bool UsableBy(string? tenantDomain) => Shared || (tenantDomain is not null && Tenant == tenantDomain);
}

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
/// The operator's inventory kept in the database: networks (VPCs and subnets), Kafka instances and HTTP functions. Configuration can
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

    Task<IReadOnlyList<StoredFunction>> ListFunctionsAsync(CancellationToken cancellationToken);

    Task<StoredFunction?> GetFunctionAsync(string id, CancellationToken cancellationToken);

    /// <summary>Adds a function, or with <paramref name="replace"/> replaces the one with this id (keeping its creation time).</summary>
    Task<InventoryWrite> PutFunctionAsync(StoredFunction function, bool replace, CancellationToken cancellationToken);

    Task<InventoryWrite> DeleteFunctionAsync(string id, CancellationToken cancellationToken);
}
