using Dapper;
using Junction.Storage.Sqlite;
using Junction.Testing;

namespace Junction.Storage.Tests.Sqlite;

/// <summary>
/// The kept-open connections of <see cref="SqliteDatabase"/>: a kept statement must never hold a read snapshot (a
/// later read would miss newer writes), a session left inside a transaction must not be handed out again, and a write
/// that failed must not poison the next one.
/// </summary>
public sealed class SqliteSessionTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SqliteDatabase _database;

    public SqliteSessionTests()
    {
        _database = new SqliteDatabase(Path.Combine(_directory.Path, "junction.db"));
        _database.WriteAsync((db, tx) => db.ExecuteAsync("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)", transaction: tx), default)
            .GetAwaiter().GetResult();
    }

    [Fact]
    public async Task A_kept_statement_sees_every_write_made_after_it_last_ran()
    {
        using var other = new SqliteDatabase(_database.Path);
        for (var i = 1; i <= 3; i++)
        {
            // Alternate the writer: this handle, then another one on the same file (as another process would).
            var writer = i % 2 == 0 ? other : _database;
            var value = $"v{i}";
            await writer.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t (v) VALUES (@value)", new { value }, tx), default);

            await using var db = await _database.OpenAsync(default);
            Assert.Equal(i, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t"));
            Assert.Equal(value, await db.QuerySingleAsync<string>("SELECT v FROM t ORDER BY id DESC LIMIT 1"));
        }
    }

    [Fact]
    public async Task The_same_text_runs_on_the_command_compiled_the_first_time_lent_to_one_command_at_a_time()
    {
        const string sql = "SELECT COUNT(*) FROM t WHERE v = @v";
        SqliteSession first;
        Microsoft.Data.Sqlite.SqliteCommand compiled;
        await using (var db = await _database.OpenAsync(default))
        {
            first = ((SessionConnection)db).Session;
            Assert.Equal(0, await db.ExecuteScalarAsync<long>(sql, new { v = "x" }));
            compiled = first.Lend(sql, this, out var owned);
            Assert.False(owned);
            first.GiveBack(sql, this);
        }

        await using (var db = await _database.OpenAsync(default))
        {
            var session = ((SessionConnection)db).Session;
            Assert.Same(first, session);
            Assert.Equal(0, await db.ExecuteScalarAsync<long>(sql, new { v = "y" }));

            var lent = session.Lend(sql, this, out var owned);
            Assert.False(owned);
            Assert.Same(compiled, lent);
            Assert.Empty(lent.Parameters);
            Assert.Null(lent.Transaction);

            // While it is lent, the same text gets a command of its own.
            using var other = session.Lend(sql, new object(), out var otherOwned);
            Assert.True(otherOwned);
            Assert.NotSame(lent, other);
            session.GiveBack(sql, this);
        }
    }

    [Fact]
    public async Task A_session_returned_inside_a_transaction_is_closed_not_reused()
    {
        SqliteSession abandoned;
        await using (var db = await _database.OpenAsync(default))
        {
            abandoned = ((SessionConnection)db).Session;
            await db.ExecuteAsync("BEGIN IMMEDIATE");
        }

        // The write lock it held went with it: a write goes through at once.
        await _database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t (v) VALUES ('after')", transaction: tx), default);
        await using var next = await _database.OpenAsync(default);
        Assert.NotSame(abandoned, ((SessionConnection)next).Session);
        Assert.Equal(1, await next.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t"));
    }

    [Fact]
    public async Task A_failed_write_is_rolled_back_and_the_next_write_succeeds()
    {
        await _database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t (v) VALUES ('taken')", transaction: tx), default);
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => _database.WriteAsync(async (db, tx) =>
        {
            await db.ExecuteAsync("INSERT INTO t (v) VALUES ('half')", transaction: tx);
            return await db.ExecuteAsync("INSERT INTO t (v) VALUES ('taken')", transaction: tx);
        }, default));

        await _database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t (v) VALUES ('next')", transaction: tx), default);
        await using var read = await _database.OpenAsync(default);
        Assert.Equal(["next", "taken"], (await read.QueryAsync<string>("SELECT v FROM t ORDER BY v")).ToList());
    }

    /// <summary>Dapper's ExecuteReaderAsync leaves its command undisposed: the next command with the same text must not share its statement.</summary>
    [Fact]
    public async Task Concurrent_readers_never_share_a_statement()
    {
        await _database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')", transaction: tx), default);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                var v = ((worker + i) % 3) switch { 0 => "a", 1 => "b", _ => "c" };
                await using var db = await _database.OpenAsync(default);
                await using (var reader = await db.ExecuteReaderAsync("SELECT v FROM t WHERE v = @v", new { v }))
                {
                    Assert.True(await reader.ReadAsync());
                    Assert.Equal(v, reader.GetString(0));
                }

                Assert.Equal(v, await db.QuerySingleAsync<string>("SELECT v FROM t WHERE v = @v", new { v }));
            }
        })));
    }

    [Fact]
    public async Task A_command_kept_past_its_connection_cannot_touch_the_statement_another_caller_now_holds()
    {
        System.Data.Common.DbCommand stale;
        await using (var db = await _database.OpenAsync(default))
        {
            stale = db.CreateCommand();
            stale.CommandText = "SELECT COUNT(*) FROM t";
        }

        await using var next = await _database.OpenAsync(default);
        Assert.Throws<ObjectDisposedException>(() => stale.ExecuteScalar());
        Assert.Equal(0, await next.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t"));
        stale.Dispose();
    }

    [Fact]
    public async Task A_command_needs_its_text_before_its_parameters()
    {
        await using var db = await _database.OpenAsync(default);
        using var command = db.CreateCommand();
        Assert.Throws<InvalidOperationException>(() => command.Parameters);
    }

    public void Dispose()
    {
        _database.Dispose();
        _directory.Dispose();
    }
}
