using Junction.Core.Security;
using Junction.Core.Tenancy;

namespace Junction.Core.Tests.Tenancy;

public sealed class CredentialServiceTests
{
    private static readonly Tenant s_tenant = new("t1", "junction", "p1", "local", "100000000001", default);

    private readonly FakeTimeProvider _time = new();
    private readonly FakeStore _store = new();
    private readonly CredentialService _service;

    public CredentialServiceTests()
    {
        _store.Keys["AK1"] = new AccessKey("AK1", "t1", "enc:secret-1", default);
        _store.Users["admin"] = new TenantUser("u1", "t1", "admin", PasswordHasher.Hash("pw"), default);
        _service = new CredentialService(_store, new PrefixProtector(), _time);
    }

    [Fact]
    public async Task ResolveAccessKey_DecryptsTheSecret()
    {
        var key = await _service.ResolveAccessKeyAsync("AK1", CancellationToken.None);

        Assert.Equal("secret-1", key?.SecretKey);
        Assert.Equal("t1", key?.Tenant.Id);
        Assert.Null(await _service.ResolveAccessKeyAsync("AK2", CancellationToken.None));
    }

    [Fact]
    public async Task ResolveAccessKey_RevokedKeyStopsWorkingAfterCacheLifetime()
    {
        Assert.NotNull(await _service.ResolveAccessKeyAsync("AK1", CancellationToken.None));
        _store.Keys.Remove("AK1");

        Assert.NotNull(await _service.ResolveAccessKeyAsync("AK1", CancellationToken.None));
        _time.Advance(CredentialService.CacheLifetime);
        Assert.Null(await _service.ResolveAccessKeyAsync("AK1", CancellationToken.None));
    }

    [Fact]
    public async Task ResolveAccessKey_UndecryptableSecret_IsNotAKey()
    {
        _store.Keys["AK3"] = new AccessKey("AK3", "t1", "garbage", default);

        Assert.Null(await _service.ResolveAccessKeyAsync("AK3", CancellationToken.None));
    }

    [Fact]
    public async Task GetTenant_IsCachedForTheCacheLifetime()
    {
        Assert.Equal("t1", (await _service.GetTenantAsync("t1", CancellationToken.None))?.Id);
        Assert.Equal("t1", (await _service.GetTenantAsync("t1", CancellationToken.None))?.Id);
        Assert.Equal(1, _store.TenantReads);

        _time.Advance(CredentialService.CacheLifetime);
        Assert.Equal("t1", (await _service.GetTenantAsync("t1", CancellationToken.None))?.Id);
        Assert.Equal(2, _store.TenantReads);
        Assert.Null(await _service.GetTenantAsync("t9", CancellationToken.None));
    }

    [Theory]
    [InlineData("junction", "admin", "pw", true)]
    [InlineData("junction", "admin", "PW", false)]
    [InlineData("junction", "root", "pw", false)]
    [InlineData("other", "admin", "pw", false)]
    public async Task CheckPassword(string domain, string user, string password, bool ok) =>
        Assert.Equal(ok, await _service.CheckPasswordAsync(domain, user, password, CancellationToken.None) is not null);

    private sealed class PrefixProtector : ISecretProtector
    {
        public string Protect(string plaintext) => "enc:" + plaintext;

        public string? Unprotect(string ciphertext) => ciphertext.StartsWith("enc:", StringComparison.Ordinal) ? ciphertext[4..] : null;
    }

    private sealed class FakeStore : ITenantStore
    {
        public Dictionary<string, AccessKey> Keys { get; } = [];

        public Dictionary<string, TenantUser> Users { get; } = [];

        public Task<bool> AnyTenantAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CreateTenantAsync(Tenant tenant, AccessKey accessKey, TenantUser user, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CreateFirstTenantAsync(Tenant tenant, AccessKey accessKey, TenantUser user, CancellationToken cancellationToken) => Task.FromResult(false);

        public int TenantReads { get; private set; }

        public Task<Tenant?> FindTenantAsync(string tenantId, CancellationToken cancellationToken)
        {
            TenantReads++;
            return Task.FromResult(tenantId == "t1" ? s_tenant : null);
        }

        public Task<Tenant?> FindByProjectIdAsync(string projectId, CancellationToken cancellationToken) => Task.FromResult<Tenant?>(null);

        public Task<Tenant?> FindByAccountIdAsync(string accountId, CancellationToken cancellationToken) => Task.FromResult<Tenant?>(null);

        public Task<AccessKey?> FindAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken) =>
            Task.FromResult(Keys.GetValueOrDefault(accessKeyId));

        public Task<TenantUser?> FindUserAsync(string tenantId, string userName, CancellationToken cancellationToken) =>
            Task.FromResult(tenantId == "t1" ? Users.GetValueOrDefault(userName) : null);

        public Task<Tenant?> FindByDomainNameAsync(string domainName, CancellationToken cancellationToken) =>
            Task.FromResult(domainName == "junction" ? s_tenant : null);

        public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Tenant>>([s_tenant]);

        public Task<IReadOnlyList<AccessKey>> ListAccessKeysAsync(string tenantId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AccessKey>>([.. Keys.Values.Where(k => k.TenantId == tenantId)]);

        public Task AddAccessKeyAsync(AccessKey accessKey, CancellationToken cancellationToken)
        {
            Keys[accessKey.Id] = accessKey;
            return Task.CompletedTask;
        }

        public Task<bool> DeleteAccessKeyAsync(string tenantId, string accessKeyId, CancellationToken cancellationToken) =>
            Task.FromResult(Keys.Remove(accessKeyId));

        public Task<bool> RotateAccessKeyAsync(string tenantId, string oldAccessKeyId, AccessKey replacement, CancellationToken cancellationToken)
        {
            if (!Keys.Remove(oldAccessKeyId))
            {
                return Task.FromResult(false);
            }

            Keys[replacement.Id] = replacement;
            return Task.FromResult(true);
        }

        public Task<IReadOnlyList<TenantUser>> ListUsersAsync(string tenantId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TenantUser>>([.. Users.Values.Where(u => u.TenantId == tenantId)]);

        public Task<bool> AddUserAsync(TenantUser user, CancellationToken cancellationToken) => Task.FromResult(Users.TryAdd(user.Name, user));

        public Task<bool> SetPasswordHashAsync(string tenantId, string userName, string passwordHash, CancellationToken cancellationToken)
        {
            if (!Users.TryGetValue(userName, out var user))
            {
                return Task.FromResult(false);
            }

            Users[userName] = user with { PasswordHash = passwordHash };
            return Task.FromResult(true);
        }

        public Task<bool> DeleteUserAsync(string tenantId, string userName, CancellationToken cancellationToken) => Task.FromResult(Users.Remove(userName));
    }
}
