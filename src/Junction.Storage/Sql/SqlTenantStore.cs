using System.Data.Common;
using Dapper;
using Junction.Core.Tenancy;

namespace Junction.Storage.Sql;

public sealed class SqlTenantStore(IDatabase database) : ITenantStore
{
    private const string TenantColumns = "id AS Id, domain_name AS DomainName, project_id AS ProjectId, project_name AS ProjectName, account_id AS AccountId, created_at AS CreatedAt";

    public async Task<bool> AnyTenantAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tenants") > 0;
    }

    public Task<bool> CreateTenantAsync(Tenant tenant, AccessKey accessKey, TenantUser user, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            try
            {
                await InsertAsync(connection, transaction, tenant, accessKey, user);
                return true;
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }, cancellationToken);

    public Task<bool> CreateFirstTenantAsync(Tenant tenant, AccessKey accessKey, TenantUser user, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tenants", transaction: transaction) > 0)
            {
                return false;
            }

            try
            {
                await InsertAsync(connection, transaction, tenant, accessKey, user);
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                // Another node created the first tenant between our count and our insert (PostgreSQL does not serialize them).
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }

            return true;
        }, cancellationToken);

    public Task<Tenant?> FindTenantAsync(string tenantId, CancellationToken cancellationToken) =>
        FindTenantByAsync("id", tenantId, cancellationToken);

    public Task<Tenant?> FindByProjectIdAsync(string projectId, CancellationToken cancellationToken) =>
        FindTenantByAsync("project_id", projectId, cancellationToken);

    public Task<Tenant?> FindByAccountIdAsync(string accountId, CancellationToken cancellationToken) =>
        FindTenantByAsync("account_id", accountId, cancellationToken);

    public Task<Tenant?> FindByDomainNameAsync(string domainName, CancellationToken cancellationToken) =>
        FindTenantByAsync("domain_name", domainName, cancellationToken);

    public async Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<TenantRow>($"SELECT {TenantColumns} FROM tenants ORDER BY created_at, id");
        return rows.Select(r => new Tenant(r.Id, r.DomainName, r.ProjectId, r.ProjectName, r.AccountId, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt))).ToList();
    }

    public async Task<IReadOnlyList<AccessKey>> ListAccessKeysAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AccessKeyRow>(
            "SELECT id AS Id, tenant_id AS TenantId, protected_secret AS ProtectedSecret, created_at AS CreatedAt FROM access_keys WHERE tenant_id = @tenantId ORDER BY created_at, id",
            new { tenantId });
        return rows.Select(r => new AccessKey(r.Id, r.TenantId, r.ProtectedSecret, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt))).ToList();
    }

    public Task AddAccessKeyAsync(AccessKey accessKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accessKey);
        return database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "INSERT INTO access_keys (id, tenant_id, protected_secret, created_at) VALUES (@Id, @TenantId, @ProtectedSecret, @CreatedAt)",
            new { accessKey.Id, accessKey.TenantId, accessKey.ProtectedSecret, CreatedAt = accessKey.CreatedAt.ToUnixTimeMilliseconds() }, transaction), cancellationToken);
    }

    public Task<bool> DeleteAccessKeyAsync(string tenantId, string accessKeyId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(
            "DELETE FROM access_keys WHERE id = @accessKeyId AND tenant_id = @tenantId", new { accessKeyId, tenantId }, transaction) > 0, cancellationToken);

    public Task<bool> RotateAccessKeyAsync(string tenantId, string oldAccessKeyId, AccessKey replacement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        return database.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteAsync("DELETE FROM access_keys WHERE id = @oldAccessKeyId AND tenant_id = @tenantId", new { oldAccessKeyId, tenantId }, transaction) == 0)
            {
                return false;
            }

            await connection.ExecuteAsync(
                "INSERT INTO access_keys (id, tenant_id, protected_secret, created_at) VALUES (@Id, @TenantId, @ProtectedSecret, @CreatedAt)",
                new { replacement.Id, replacement.TenantId, replacement.ProtectedSecret, CreatedAt = replacement.CreatedAt.ToUnixTimeMilliseconds() }, transaction);
            return true;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<TenantUser>> ListUsersAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<UserRow>(
            "SELECT id AS Id, tenant_id AS TenantId, name AS Name, password_hash AS PasswordHash, created_at AS CreatedAt FROM users WHERE tenant_id = @tenantId ORDER BY created_at, name",
            new { tenantId });
        return [.. rows.Select(r => new TenantUser(r.Id, r.TenantId, r.Name, r.PasswordHash, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt)))];
    }

    public Task<bool> AddUserAsync(TenantUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return database.WriteAsync(async (connection, transaction) =>
        {
            try
            {
                await connection.ExecuteAsync(
                    "INSERT INTO users (id, tenant_id, name, password_hash, created_at) VALUES (@Id, @TenantId, @Name, @PasswordHash, @CreatedAt)",
                    new { user.Id, user.TenantId, user.Name, user.PasswordHash, CreatedAt = user.CreatedAt.ToUnixTimeMilliseconds() }, transaction);
                return true;
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }, cancellationToken);
    }

    public Task<bool> SetPasswordHashAsync(string tenantId, string userName, string passwordHash, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(
            "UPDATE users SET password_hash = @passwordHash WHERE tenant_id = @tenantId AND name = @userName", new { passwordHash, tenantId, userName }, transaction) > 0,
            cancellationToken);

    public Task<bool> DeleteUserAsync(string tenantId, string userName, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(
            "DELETE FROM users WHERE tenant_id = @tenantId AND name = @userName", new { tenantId, userName }, transaction) > 0, cancellationToken);

    public async Task<AccessKey?> FindAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AccessKeyRow>(
            "SELECT id AS Id, tenant_id AS TenantId, protected_secret AS ProtectedSecret, created_at AS CreatedAt FROM access_keys WHERE id = @accessKeyId",
            new { accessKeyId });
        return row is null ? null : new AccessKey(row.Id, row.TenantId, row.ProtectedSecret, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));
    }

    public async Task<TenantUser?> FindUserAsync(string tenantId, string userName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(
            "SELECT id AS Id, tenant_id AS TenantId, name AS Name, password_hash AS PasswordHash, created_at AS CreatedAt FROM users WHERE tenant_id = @tenantId AND name = @userName",
            new { tenantId, userName });
        return row is null ? null : new TenantUser(row.Id, row.TenantId, row.Name, row.PasswordHash, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));
    }

    private static async Task<bool> InsertAsync(DbConnection connection, DbTransaction transaction, Tenant tenant, AccessKey accessKey, TenantUser user)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(accessKey);
        ArgumentNullException.ThrowIfNull(user);
        await connection.ExecuteAsync(
            "INSERT INTO tenants (id, domain_name, project_id, project_name, account_id, created_at) VALUES (@Id, @DomainName, @ProjectId, @ProjectName, @AccountId, @CreatedAt)",
            new { tenant.Id, tenant.DomainName, tenant.ProjectId, tenant.ProjectName, tenant.AccountId, CreatedAt = tenant.CreatedAt.ToUnixTimeMilliseconds() },
            transaction);
        await connection.ExecuteAsync(
            "INSERT INTO access_keys (id, tenant_id, protected_secret, created_at) VALUES (@Id, @TenantId, @ProtectedSecret, @CreatedAt)",
            new { accessKey.Id, accessKey.TenantId, accessKey.ProtectedSecret, CreatedAt = accessKey.CreatedAt.ToUnixTimeMilliseconds() },
            transaction);
        await connection.ExecuteAsync(
            "INSERT INTO users (id, tenant_id, name, password_hash, created_at) VALUES (@Id, @TenantId, @Name, @PasswordHash, @CreatedAt)",
            new { user.Id, user.TenantId, user.Name, user.PasswordHash, CreatedAt = user.CreatedAt.ToUnixTimeMilliseconds() },
            transaction);
        return true;
    }

    private async Task<Tenant?> FindTenantByAsync(string column, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<TenantRow>(
            $"SELECT {TenantColumns} FROM tenants WHERE {column} = @value", new { value });
        return row is null
            ? null
            : new Tenant(row.Id, row.DomainName, row.ProjectId, row.ProjectName, row.AccountId, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));
    }

    private sealed record TenantRow(string Id, string DomainName, string ProjectId, string ProjectName, string AccountId, long CreatedAt);

    private sealed record AccessKeyRow(string Id, string TenantId, string ProtectedSecret, long CreatedAt);

    private sealed record UserRow(string Id, string TenantId, string Name, string PasswordHash, long CreatedAt);
}
