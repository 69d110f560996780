using Dapper;
using Microsoft.Extensions.Logging;

namespace Junction.Storage.Sql;

/// <summary>Applies the backend's migration scripts that the database has not seen yet, each in its own transaction.</summary>
public sealed partial class Migrator(IDatabase database, TimeProvider time, ILogger<Migrator> logger)
{
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var applied = 0;
        foreach (var migration in database.Migrations.OrderBy(m => m.Version))
        {
            var done = await database.WriteAsync(async (connection, transaction) =>
            {
                if (database.MigrationLockSql.Length > 0)
                {
                    await connection.ExecuteAsync(database.MigrationLockSql, transaction: transaction);
                }

                await connection.ExecuteAsync(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                    transaction: transaction);
                var seen = await connection.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { migration.Version }, transaction);
                if (seen > 0)
                {
                    return false;
                }

                await connection.ExecuteAsync(migration.Sql, transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                    new { migration.Version, migration.Name, At = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction);
                return true;
            }, cancellationToken);

            if (done)
            {
                applied++;
                LogApplied(logger, migration.Version, migration.Name, database.Kind);
            }
        }

        return applied;
    }

    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int?>("SELECT MAX(version) FROM schema_migrations") ?? 0;
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Applied migration {Version} ({Name}) on {Database}")]
    private static partial void LogApplied(ILogger logger, int version, string name, string database);
}
