using System.Data.Common;
using Dapper;
using Junction.Core.Inventory;

namespace Junction.Storage.Sql;

public sealed class SqlInventoryStore(IDatabase database) : IInventoryStore
{
    private const string InstanceColumns = """
        id AS Id, bootstrap_servers AS BootstrapServers, security_protocol AS SecurityProtocol, sasl_mechanism AS SaslMechanism,
        user_name AS UserName, protected_password AS ProtectedPassword, created_at AS CreatedAt, updated_at AS UpdatedAt,
        tenant AS Tenant, shared AS Shared
        """;

    public async Task<IReadOnlyList<StoredNetwork>> ListNetworksAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<NetworkRow>(
            "SELECT id AS Id, vpc_id AS VpcId, name AS Name, cidr AS Cidr, created_at AS CreatedAt, tenant AS Tenant, shared AS Shared FROM networks ORDER BY created_at, id");
        return [.. rows.Select(r => new StoredNetwork(r.Id, r.VpcId, r.Name, r.Cidr, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), r.Tenant, r.Shared != 0))];
    }

    public Task<InventoryWrite> AddNetworkAsync(StoredNetwork network, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        return database.WriteAsync(async (connection, transaction) =>
        {
            if (network.VpcId is not null && await connection.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM networks WHERE id = @VpcId AND vpc_id IS NULL", new { network.VpcId }, transaction) == 0)
            {
                return InventoryWrite.MissingVpc;
            }

            try
            {
                await connection.ExecuteAsync(
                    "INSERT INTO networks (id, vpc_id, name, cidr, created_at, tenant, shared) VALUES (@Id, @VpcId, @Name, @Cidr, @CreatedAt, @Tenant, @Shared)",
                    new { network.Id, network.VpcId, network.Name, network.Cidr, CreatedAt = network.CreatedAt.ToUnixTimeMilliseconds(), network.Tenant, Shared = network.Shared ? 1 : 0 }, transaction);
                return InventoryWrite.Done;
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception) || database.IsForeignKeyViolation(exception))
            {
                // A foreign-key failure here is a VPC deleted by another node between the check and the insert.
                await transaction.RollbackAsync(cancellationToken);
                return database.IsUniqueViolation(exception) ? InventoryWrite.Duplicate : InventoryWrite.MissingVpc;
            }
        }, cancellationToken);
    }

    public Task<InventoryWrite> DeleteNetworkAsync(string id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM networks WHERE vpc_id = @id", new { id }, transaction) > 0)
            {
                return InventoryWrite.HasSubnets;
            }

            try
            {
                return await connection.ExecuteAsync("DELETE FROM networks WHERE id = @id", new { id }, transaction) > 0
                    ? InventoryWrite.Done
                    : InventoryWrite.NotFound;
            }
            catch (DbException exception) when (database.IsForeignKeyViolation(exception))
            {
                // A subnet added by another node between the check and the delete.
                await transaction.RollbackAsync(cancellationToken);
                return InventoryWrite.HasSubnets;
            }
        }, cancellationToken);

    public async Task<IReadOnlyList<StoredKafkaInstance>> ListKafkaInstancesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<InstanceRow>($"SELECT {InstanceColumns} FROM kafka_instances ORDER BY created_at, id");
        return [.. rows.Select(r => new StoredKafkaInstance(r.Id, r.BootstrapServers, r.SecurityProtocol, r.SaslMechanism, r.UserName,
            r.ProtectedPassword, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAt), r.Tenant, r.Shared != 0))];
    }

    public Task<InventoryWrite> AddKafkaInstanceAsync(StoredKafkaInstance instance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return database.WriteAsync(async (connection, transaction) =>
        {
            try
            {
                await connection.ExecuteAsync("""
                    INSERT INTO kafka_instances (id, bootstrap_servers, security_protocol, sasl_mechanism, user_name, protected_password, created_at, updated_at, tenant, shared)
                    VALUES (@Id, @BootstrapServers, @SecurityProtocol, @SaslMechanism, @UserName, @ProtectedPassword, @CreatedAt, @UpdatedAt, @Tenant, @Shared)
                    """, Parameters(instance), transaction);
                return InventoryWrite.Done;
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return InventoryWrite.Duplicate;
            }
        }, cancellationToken);
    }

    public Task<InventoryWrite> UpdateKafkaInstanceAsync(StoredKafkaInstance instance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return database.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync("""
            UPDATE kafka_instances SET bootstrap_servers = @BootstrapServers, security_protocol = @SecurityProtocol, sasl_mechanism = @SaslMechanism,
                user_name = @UserName, protected_password = @ProtectedPassword, updated_at = @UpdatedAt, tenant = @Tenant, shared = @Shared
            WHERE id = @Id
            """, Parameters(instance), transaction) > 0 ? InventoryWrite.Done : InventoryWrite.NotFound, cancellationToken);
    }

    public Task<InventoryWrite> DeleteKafkaInstanceAsync(string id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync("DELETE FROM kafka_instances WHERE id = @id", new { id }, transaction) > 0 ? InventoryWrite.Done : InventoryWrite.NotFound,
            cancellationToken);

    private const string FunctionColumns = "id AS Id, url AS Url, created_at AS CreatedAt, updated_at AS UpdatedAt, tenant AS Tenant, shared AS Shared";

    public async Task<IReadOnlyList<StoredFunction>> ListFunctionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. (await connection.QueryAsync<FunctionRow>($"SELECT {FunctionColumns} FROM http_functions ORDER BY id")).Select(FromRow)];
    }

    public async Task<StoredFunction?> GetFunctionAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<FunctionRow>($"SELECT {FunctionColumns} FROM http_functions WHERE id = @id", new { id });
        return row is null ? null : FromRow(row);
    }

    public Task<InventoryWrite> PutFunctionAsync(StoredFunction function, bool replace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        var row = new
        {
            function.Id, function.Url, CreatedAt = function.CreatedAt.ToUnixTimeMilliseconds(), UpdatedAt = function.UpdatedAt.ToUnixTimeMilliseconds(),
            function.Tenant, Shared = function.Shared ? 1 : 0,
        };
        return database.WriteAsync(async (connection, transaction) =>
        {
            if (replace)
            {
                return await connection.ExecuteAsync(
                    "UPDATE http_functions SET url = @Url, updated_at = @UpdatedAt, tenant = @Tenant, shared = @Shared WHERE id = @Id", row, transaction) > 0
                    ? InventoryWrite.Done
                    : InventoryWrite.NotFound;
            }

            try
            {
                await connection.ExecuteAsync(
                    "INSERT INTO http_functions (id, url, created_at, updated_at, tenant, shared) VALUES (@Id, @Url, @CreatedAt, @UpdatedAt, @Tenant, @Shared)", row, transaction);
                return InventoryWrite.Done;
            }
            catch (DbException exception) when (database.IsUniqueViolation(exception))
            {
                await transaction.RollbackAsync(cancellationToken);
                return InventoryWrite.Duplicate;
            }
        }, cancellationToken);
    }

    public Task<InventoryWrite> DeleteFunctionAsync(string id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync("DELETE FROM http_functions WHERE id = @id", new { id }, transaction) > 0 ? InventoryWrite.Done : InventoryWrite.NotFound,
            cancellationToken);

    private static StoredFunction FromRow(FunctionRow r) => new(
        r.Id, r.Url, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAt), r.Tenant, r.Shared != 0);

    private sealed record FunctionRow(string Id, string Url, long CreatedAt, long UpdatedAt, string? Tenant, long Shared);

    private static object Parameters(StoredKafkaInstance i) => new
    {
        i.Id, i.BootstrapServers, i.SecurityProtocol, i.SaslMechanism, i.UserName, i.ProtectedPassword,
        CreatedAt = i.CreatedAt.ToUnixTimeMilliseconds(), UpdatedAt = i.UpdatedAt.ToUnixTimeMilliseconds(), i.Tenant, Shared = i.Shared ? 1 : 0,
    };

    private sealed record NetworkRow(string Id, string? VpcId, string? Name, string? Cidr, long CreatedAt, string? Tenant, long Shared);

    private sealed record InstanceRow(
        string Id, string BootstrapServers, string SecurityProtocol, string? SaslMechanism, string? UserName, string? ProtectedPassword, long CreatedAt, long UpdatedAt,
        string? Tenant, long Shared);
}
