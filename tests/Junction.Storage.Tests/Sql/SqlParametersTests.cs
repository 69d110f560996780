using Dapper;
using Junction.Storage.Sql;
using Junction.Storage.Sqlite;
using Junction.Testing;

namespace Junction.Storage.Tests.Sql;

/// <summary>The hot queries' parameters bind as Dapper's did: by name, nulls as NULL, enums as their numbers, lists in order.</summary>
public sealed class SqlParametersTests
{
    private enum Colour
    {
        Red = 1,
        Blue = 7,
    }

    [Fact]
    public async Task Binds_NullsEnumsAndLists_AsDapperDid()
    {
        // Through the project's SqliteDatabase, as the store runs them: a connection opened around it would initialize
        // SQLite before SqliteDatabase could choose its threading mode (SqliteWriterTests checks that it did).
        using var directory = new TempDirectory();
        using var database = new SqliteDatabase(Path.Combine(directory.Path, "junction.db"));
        await using var db = await database.OpenAsync(default);
        var p = new SqlParameters().Add("text", "a").Add("none", null).Add("colour", Colour.Blue);
        var list = SqlLists.In(p, "i", new long[] { 3, 1, 2 });

        var row = await db.QuerySingleAsync<(string Text, long IsNull, long Colour, long Listed)>(
            $"SELECT @text, @none IS NULL, @colour, (SELECT COUNT(*) FROM (SELECT 1 AS v UNION SELECT 2 UNION SELECT 3 UNION SELECT 4) WHERE v IN ({list}))", p);

        Assert.Equal(("a", 1L, 7L, 3L), row);
        // Padded to a power of two by repeating the last value: 4 names for 3 ids.
        Assert.Equal("@i0, @i1, @i2, @i3", list);
    }
}
