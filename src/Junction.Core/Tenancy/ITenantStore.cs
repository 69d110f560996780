namespace Junction.Core.Tenancy;

public interface ITenantStore
{
    Task<bool> AnyTenantAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores a tenant with its first access key and user, all or nothing; false (nothing stored) when a tenant with the
    /// same domain name, project id or account id exists.
    /// </summary>
    Task<bool> CreateTenantAsync(Tenant tenant, AccessKey accessKey, TenantUser user, CancellationToken cancellationToken);

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

    /// <summary>Replaces access key <paramref name="oldAccessKeyId"/> with <paramref name="replacement"/> in one transaction; false when the old key is not the tenant's.</summary>
    Task<bool> RotateAccessKeyAsync(string tenantId, string oldAccessKeyId, AccessKey replacement, CancellationToken cancellationToken);

    Task<IReadOnlyList<TenantUser>> ListUsersAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Adds a user; false when the tenant already has a user with that name.</summary>
    Task<bool> AddUserAsync(TenantUser user, CancellationToken cancellationToken);

    Task<bool> SetPasswordHashAsync(string tenantId, string userName, string passwordHash, CancellationToken cancellationToken);

    Task<bool> DeleteUserAsync(string tenantId, string userName, CancellationToken cancellationToken);
}
