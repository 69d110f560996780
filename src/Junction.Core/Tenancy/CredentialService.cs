using System.Collections.Concurrent;
using Junction.Core.Security;

namespace Junction.Core.Tenancy;

/// <summary>A tenant with the plaintext secret of one of its access keys, as signature verifiers need it.</summary>
public sealed record ResolvedAccessKey(Tenant Tenant, string AccessKeyId, string SecretKey);

/// <summary>
/// Looks up credentials for the authentication schemes of every face. Decrypted secret keys are cached for a short
/// time (<see cref="CacheLifetime"/>) because every signed request needs one; a revoked key stops working within that time.
/// </summary>
public sealed class CredentialService(ITenantStore store, ISecretProtector protector, TimeProvider time)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (ResolvedAccessKey? Key, DateTimeOffset Expires)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Tenant? Tenant, DateTimeOffset Expires)> _tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (HashSet<string> UserIds, DateTimeOffset Expires)> _users = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the user a token was issued to still exists, cached per tenant like access keys: deleting a user stops
    /// its tokens at once on the node that deleted it (<see cref="ForgetUsers"/>) and within <see cref="CacheLifetime"/> on others.
    /// </summary>
    public async Task<bool> UserExistsAsync(string tenantId, string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_users.TryGetValue(tenantId, out var cached) || cached.Expires <= now)
        {
            var ids = (await store.ListUsersAsync(tenantId, cancellationToken)).Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
            if (_users.Count > 10_000)
            {
                _users.Clear();
            }

            cached = (ids, now + CacheLifetime);
            _users[tenantId] = cached;
        }

        return cached.UserIds.Contains(userId);
    }

    /// <summary>Drops a tenant's cached users at once (after a user was deleted).</summary>
    public void ForgetUsers(string tenantId) => _users.TryRemove(tenantId, out _);

    /// <summary>A tenant by id, cached like access keys: every token-authenticated request needs one.</summary>
    public async Task<Tenant?> GetTenantAsync(string tenantId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_tenants.TryGetValue(tenantId, out var cached) && cached.Expires > now)
        {
            return cached.Tenant;
        }

        var tenant = await store.FindTenantAsync(tenantId, cancellationToken);
        if (_tenants.Count > 10_000)
        {
            _tenants.Clear();
        }

        _tenants[tenantId] = (tenant, now + CacheLifetime);
        return tenant;
    }

    public async Task<ResolvedAccessKey?> ResolveAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_keys.TryGetValue(accessKeyId, out var cached) && cached.Expires > now)
        {
            return cached.Key;
        }

        ResolvedAccessKey? resolved = null;
        var key = await store.FindAccessKeyAsync(accessKeyId, cancellationToken);
        if (key is not null)
        {
            var tenant = await GetTenantAsync(key.TenantId, cancellationToken);
            var secret = protector.Unprotect(key.ProtectedSecret);
            if (tenant is not null && secret is not null)
            {
                resolved = new ResolvedAccessKey(tenant, key.Id, secret);
            }
        }

        // Bound the cache so that a stream of random AKs cannot grow it without limit.
        if (_keys.Count > 10_000)
        {
            _keys.Clear();
        }

        _keys[accessKeyId] = (resolved, now + CacheLifetime);
        return resolved;
    }

    /// <summary>Drops a key from this node's cache at once (after a revocation); other nodes drop it within <see cref="CacheLifetime"/>.</summary>
    public void Forget(string accessKeyId) => _keys.TryRemove(accessKeyId, out _);

    /// <summary>Checks a user's password; answers the tenant and user, or null for any mismatch (no hint which part was wrong).</summary>
    public async Task<(Tenant Tenant, TenantUser User)?> CheckPasswordAsync(string domainName, string userName, string password, CancellationToken cancellationToken)
    {
        var tenant = await store.FindByDomainNameAsync(domainName, cancellationToken);
        var user = tenant is null ? null : await store.FindUserAsync(tenant.Id, userName, cancellationToken);
        if (tenant is null || user is null)
        {
            // Spend the same time as a real check so response time does not reveal which names exist.
            PasswordHasher.Verify(password, s_dummyHash.Value);
            return null;
        }

        return PasswordHasher.Verify(password, user.PasswordHash) ? (tenant, user) : null;
    }

    private static readonly Lazy<string> s_dummyHash = new(() => PasswordHasher.Hash("junction-dummy-password"));
}
