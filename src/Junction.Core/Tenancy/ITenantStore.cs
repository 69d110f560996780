namespace Junction.Core.Tenancy;

public interface ITenantStore
{
    Task<bool> AnyTenantAsync(CancellationToken cancellationToken);

    /// <summary>Stores a tenant with its first access key and user, all or nothing.</summary>
    Task CreateTenantAsync(Tenant tenant, AccessKey accessKey, TenantUser user, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the tenant only if there is none yet, deciding inside one write transaction, so that several nodes
    /// starting together on an empty database create exactly one first tenant. Answers whether it was stored.
    /// </summary>
    Task<bool> CreateFirstTenantAsync(Tenant tenant, AccessKey accessKey, TenantUser user, CancellationToken cancellationToken);

    Task<Tenant?> FindTenantAsync(string tenantId, CancellationToken cancellationToken);

    Task<Tenant?> FindByProjectIdAsync(string projectId, CancellationToken cancellationToken);

    Task<Tenant?> FindByAccountIdAsync(string accountId, CancellationToken cancellationToken);

    Task<AccessKey?> FindAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken);

    Task<TenantUser?> FindUserAsync(string tenantId, string userName, CancellationToken cancellationToken);

    Task<Tenant?> FindByDomainNameAsync(string domainName, CancellationToken cancellationToken);

    Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<AccessKey>> ListAccessKeysAsync(string tenantId, CancellationToken cancellationToken);

    Task AddAccessKeyAsync(AccessKey accessKey, CancellationToken cancellationToken);

    Task<bool> DeleteAccessKeyAsync(string tenantId, string accessKeyId, CancellationToken cancellationToken);
}
