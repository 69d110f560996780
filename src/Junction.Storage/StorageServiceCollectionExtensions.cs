using Junction.Core.Connections;
using Junction.Core.Dli;
using Junction.Core.EventBuses;
using Junction.Core.Tenancy;
using Junction.Core.Verification;
using Junction.Storage.Sql;
using Junction.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Junction.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the stores on a SQLite file at <paramref name="sqlitePath"/>.</summary>
    public static IServiceCollection AddJunctionStorage(this IServiceCollection services, string sqlitePath)
    {
        services.TryAddSingleton<IDatabase>(_ => new SqliteDatabase(sqlitePath));
        services.TryAddSingleton<Migrator>();
        services.TryAddSingleton<ITenantStore, SqlTenantStore>();
        services.TryAddSingleton<IConnectionStore, SqlConnectionStore>();
        services.TryAddSingleton<IVerificationStore, SqlVerificationStore>();
        services.TryAddSingleton<IEventBusStore, SqlEventBusStore>();
        services.TryAddSingleton<IDliStore, SqlDliStore>();
        return services;
    }
}
