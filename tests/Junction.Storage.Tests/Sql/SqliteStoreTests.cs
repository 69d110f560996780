using Junction.Storage.Sql;
using Junction.Storage.Sqlite;
using Junction.Testing;

namespace Junction.Storage.Tests.Sql;

/// <summary>The conformance suite on a real SQLite file.</summary>
public sealed class SqliteStoreTests : StoreConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override Task<IDatabase> CreateDatabaseAsync() =>
        Task.FromResult<IDatabase>(new SqliteDatabase(Path.Combine(_directory.Path, "junction.db")));

    // A second SqliteDatabase has its own write gate, so the two contend through SQLite's file lock, as two processes do.
    protected override IDatabase OpenSecondHandle(IDatabase database) =>
        new SqliteDatabase(((SqliteDatabase)database).Path);

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
