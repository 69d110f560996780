using Dapper;
using Junction.Storage.Sqlite;
using Junction.Testing;
using Microsoft.Data.Sqlite;

namespace Junction.Storage.Tests.Sqlite;

/// <summary>
/// Group commit: writes waiting together commit in one transaction, each in its own savepoint, so that each still
/// succeeds, fails or rolls back alone, and none is answered before its transaction commits.
/// </summary>
public sealed class SqliteWriterTests : IDisposable
{
    private const int MaxBatch = SqliteWriter.MaxBatch;

    /// <summary>Writes queued behind a held one: more than one batch holds.</summary>
    private const int Queued = (2 * MaxBatch) + 56;

    private readonly TempDirectory _directory = new();
    private readonly SqliteDatabase _database;

    public SqliteWriterTests()
    {
        _database = new SqliteDatabase(Path.Combine(_directory.Path, "junction.db"));
        _database.WriteAsync((db, tx) => db.ExecuteAsync("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)", transaction: tx), default)
            .GetAwaiter().GetResult();
    }

    [Fact]
    public async Task SQLite_runs_in_multi_thread_mode_and_parallel_readers_and_writes_stay_consistent()
    {
        // The first database this process opened configured SQLite (no connection here had been opened before).
        Assert.True(SqliteDatabase.MultiThreadMode);

        // Without serialized mode's mutex, each connection must still be used by one caller at a time: 32 writes and
        // 64 reads at once all succeed, no read sees a row twice or more rows than were written, and all 32 land.
        var writes = Enumerable.Range(0, 32).Select(i => _database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t (v) VALUES (@v)", new { v = $"p{i}" }, tx), default)).ToList();
        var reads = Enumerable.Range(0, 64).Select(async _ =>
        {
            await using var db = await _database.OpenAsync(default);
            var values = (await db.QueryAsync<string>("SELECT v FROM t WHERE v LIKE 'p%'")).ToList();
            Assert.Equal(values.Count, values.Distinct().Count());
            return values.Count;
        }).ToList();
        await Task.WhenAll(writes);
        Assert.All(await Task.WhenAll(reads), count => Assert.InRange(count, 0, 32));
        await using var after = await _database.OpenAsync(default);
        Assert.Equal(32, await after.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM t WHERE v LIKE 'p%'"));
    }

    [Fact]
    public async Task Writes_waiting_together_commit_together_and_each_keeps_its_own_outcome()
    {
        var before = _database.WriteTransactions;
        var (hold, first) = await HoldTheWriterAsync();

        var writes = Enumerable.Range(0, Queued).Select(i => _database.WriteAsync(async (db, tx) =>
        {
            await db.ExecuteAsync("INSERT INTO t (v) VALUES (@v)", new { v = $"w{i}" }, tx);
            switch (i % 4)
            {
                case 0:
                    // A taken name: the statement fails, the write's own earlier insert must go with it.
                    await db.ExecuteAsync("INSERT INTO t (v) VALUES ('first')", transaction: tx);
                    return -1;
                case 1:
                    await tx.RollbackAsync();
                    return -2;
                default:
                    return i;
            }
        }, default)).ToList();

        hold.SetResult();
        Assert.Equal(1, await first);
        for (var i = 0; i < writes.Count; i++)
        {
            switch (i % 4)
            {
                case 0:
                    var error = await Assert.ThrowsAsync<SqliteException>(() => writes[i]);
                    Assert.True(_database.IsUniqueViolation(error));
                    break;
                case 1:
                    Assert.Equal(-2, await writes[i]);
                    break;
                default:
                    Assert.Equal(i, await writes[i]);
                    break;
            }
        }

        await using var read = await _database.OpenAsync(default);
        var stored = (await read.QueryAsync<string>("SELECT v FROM t")).ToHashSet();
        var expected = Enumerable.Range(0, Queued).Where(i => i % 4 >= 2).Select(i => $"w{i}").Append("first").ToHashSet();
        Assert.Equal(expected, stored);

        // The held write alone (it was running before the others queued), then those that queued behind it, in batches
        // of at most MaxBatch (more queued than one batch holds, so the split is checked too).
        Assert.Equal(1 + ((Queued + MaxBatch - 1) / MaxBatch), _database.WriteTransactions - before);
    }

    [Fact]
    public async Task A_write_given_up_before_its_turn_never_runs()
    {
        var (hold, first) = await HoldTheWriterAsync();
        using var cancel = new CancellationTokenSource();
        var ran = false;
        var abandoned = _database.WriteAsync((db, tx) =>
        {
            ran = true;
            return db.ExecuteAsync("INSERT INTO t (v) VALUES ('abandoned')", transaction: tx);
        }, cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        hold.SetResult();
        await first;

        Assert.False(ran);
        await using var read = await _database.OpenAsync(default);
        Assert.Equal(["first"], await read.QueryAsync<string>("SELECT v FROM t"));
    }

    [Fact]
    public async Task A_write_is_answered_only_once_committed_and_visible_to_readers()
    {
        for (var i = 0; i < 20; i++)
        {
            var v = $"v{i}";
            await _database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t (v) VALUES (@v)", new { v }, tx), default);
            using var other = new SqliteDatabase(_database.Path);
            await using var read = await other.OpenAsync(default);
            Assert.Equal(1, await read.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t WHERE v = @v", new { v }));
        }
    }

    /// <summary>Starts a write that keeps the writer busy until the returned source is set; returns once it is running.</summary>
    private async Task<(TaskCompletionSource Hold, Task<int> Write)> HoldTheWriterAsync()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var write = _database.WriteAsync(async (db, tx) =>
        {
            running.SetResult();
            await hold.Task;
            return await db.ExecuteAsync("INSERT INTO t (v) VALUES ('first')", transaction: tx);
        }, default);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (hold, write);
    }

    [Fact]
    public async Task Commits_are_checkpointed_by_the_background_thread_not_by_the_writer()
    {
        // Far below the writer's own threshold (8,192 pages): only the background checkpointer copies these pages.
        for (var i = 0; i < 20; i++)
        {
            await _database.WriteAsync((db, tx) => db.ExecuteAsync("INSERT INTO t (v) VALUES (@v)", new { v = $"c{i}" }, tx), default);
        }

        // The database file alone (its log left behind) holds every row once the checkpointer copied them.
        var copy = Path.Combine(_directory.Path, "copy.db");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long rows;
        do
        {
            await Task.Delay(20);
            File.Copy(Path.Combine(_directory.Path, "junction.db"), copy, overwrite: true);
            try
            {
                await using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
                await connection.OpenAsync();
                rows = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 't'") == 0
                    ? -1
                    : await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM t WHERE v LIKE 'c%'");
            }
            catch (SqliteException)
            {
                // Copied while a checkpoint was writing the file: look again.
                rows = -2;
            }
        }
        while (rows != 20 && watch.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(20, rows);
        Assert.True(_database.Checkpoints > 0);
    }

    public void Dispose()
    {
        _database.Dispose();
        _directory.Dispose();
    }
}
