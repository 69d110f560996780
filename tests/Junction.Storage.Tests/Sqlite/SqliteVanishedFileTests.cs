using Dapper;
using Junction.Storage.Sql;
using Junction.Storage.Sqlite;
using Junction.Testing;

namespace Junction.Storage.Tests.Sqlite;

/// <summary>
/// Issue 19, item 13: a database file deleted while the node runs took further writes into the unlinked file (lost at
/// the next start) and acknowledged them. Now no write is acknowledged once the file is gone.
/// </summary>
public sealed class SqliteVanishedFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task DeletedDatabaseFile_WritesAreRefused_NotAcknowledged()
    {
        var path = Path.Combine(_directory.Path, "junction.db");
        using var database = new SqliteDatabase(path);
        await database.WriteAsync((db, tx) => db.ExecuteAsync("CREATE TABLE t (v TEXT NOT NULL)", transaction: tx), CancellationToken.None);
        await database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t VALUES ('before')", transaction: tx), CancellationToken.None);

        foreach (var file in Directory.GetFiles(_directory.Path, "junction.db*"))
        {
            File.Delete(file);
        }

        // A reader (or the checkpointer) opening a connection now must not create a new file at the path: the writer
        // would then find "the file" there and acknowledge writes into the unlinked one (CI once saw exactly that).
        var unreadable = await Assert.ThrowsAsync<StorageUnavailableException>(async () =>
        {
            await using var reader = await database.OpenAsync(CancellationToken.None);
            await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t");
        });
        Assert.Contains("is gone", unreadable.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path), "a connection opened after the delete created a new database file");

        var refused = await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t VALUES ('after')", transaction: tx), CancellationToken.None));
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("acknowledges no more writes", refused.Message, StringComparison.Ordinal);

        // And it stays so: a file re-created at the path later is not this handle's database.
        File.WriteAllBytes(path, []);
        await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t VALUES ('later')", transaction: tx), CancellationToken.None));
    }
}
