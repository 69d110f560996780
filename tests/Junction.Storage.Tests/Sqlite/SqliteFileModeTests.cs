using Junction.Storage.Sqlite;
using Junction.Testing;

namespace Junction.Storage.Tests.Sqlite;

/// <summary>Issue 19, item 14: the database holds every tenant's data and the password hashes; only its owner may read it.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SqliteFileModeTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task NewDatabase_IsOwnerOnly_AsAreItsWalFiles()
    {
        var path = Path.Combine(_directory.Path, "data", "junction.db");

        using var database = new SqliteDatabase(path);
        await database.WriteAsync((db, tx) => Dapper.SqlMapper.ExecuteAsync(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)", transaction: tx), CancellationToken.None);
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
        }

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.All(Directory.GetFiles(Path.GetDirectoryName(path)!, "junction.db-*"), f => Assert.Equal(OwnerOnly, File.GetUnixFileMode(f)));
    }

    [Fact]
    public void ExistingWorldReadableDatabase_IsNarrowedToOwnerOnly()
    {
        var path = Path.Combine(_directory.Path, "junction.db");
        File.WriteAllBytes(path, []);
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var database = new SqliteDatabase(path);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }
}
