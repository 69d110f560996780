using Junction.Storage.Postgres;
using Junction.Storage.Sql;
using Junction.Testing;

namespace Junction.Storage.Tests.Sql;

/// <summary>The same conformance suite on a real PostgreSQL server (a throwaway cluster on a loopback port).</summary>
[Trait("Category", "Postgres")]
public sealed class PostgresStoreTests : StoreConformanceTests
{
    private readonly List<PostgresDatabase> _opened = [];
    private readonly Dictionary<IDatabase, string> _connectionStrings = [];

    protected override Task<IDatabase> CreateDatabaseAsync()
    {
        var connectionString = PostgresServer.Shared.CreateDatabase();
        var database = new PostgresDatabase(connectionString);
        _opened.Add(database);
        _connectionStrings[database] = connectionString;
        return Task.FromResult<IDatabase>(database);
    }

    protected override IDatabase OpenSecondHandle(IDatabase database)
    {
        var second = new PostgresDatabase(_connectionStrings[database]);
        _opened.Add(second);
        return second;
    }

    public override Task DisposeAsync()
    {
        foreach (var database in _opened)
        {
            database.Dispose();
        }

        return Task.CompletedTask;
    }
}
