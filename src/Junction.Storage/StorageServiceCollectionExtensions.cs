using Junction.Core.Connections;
using Junction.Core.Dli;
using Junction.Core.EventBuses;
using Junction.Core.Tenancy;
using Junction.Core.Verification;
using Junction.Storage.Postgres;
using Junction.Storage.Sql;
using Junction.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Junction.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the stores on PostgreSQL when <paramref name="postgresConnectionString"/> is given, otherwise on a
    /// SQLite file at <paramref name="sqlitePath"/>.
    /// </summary>
    public static IServiceCollection AddJunctionStorage(this IServiceCollection services, string sqlitePath, string? postgresConnectionString = null)
    {
        services.TryAddSingleton<IDatabase>(_ => string.IsNullOrWhiteSpace(postgresConnectionString)
            ? new SqliteDatabase(sqlitePath)
            : new PostgresDatabase(postgresConnectionString));
        services.TryAddSingleton<Migrator>();
        services.TryAddSingleton<ITenantStore, SqlTenantStore>();
        services.TryAddSingleton<IConnectionStore, SqlConnectionStore>();
        services.TryAddSingleton<IVerificationStore, SqlVerificationStore>();
        services.TryAddSingleton<IEventBusStore, SqlEventBusStore>();
        services.TryAddSingleton<IEbRuleStore, SqlEbRuleStore>();
        services.TryAddSingleton<IDliStore, SqlDliStore>();
        services.TryAddSingleton<IDliConnectivityStore, SqlConnectivityStore>();
        services.TryAddSingleton<Junction.Core.Inventory.IInventoryStore, SqlInventoryStore>();
        services.TryAddSingleton<Junction.Core.Events.IEgStore, SqlEgStore>();
        services.TryAddSingleton<Junction.Core.Delivery.IDeliveryStore, SqlDeliveryStore>();
        return services;
    }
}
