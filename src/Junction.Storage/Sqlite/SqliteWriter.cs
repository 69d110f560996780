using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Junction.Storage.Sqlite;

/// <summary>
/// The writes of this process, with group commit. SQLite has one writer at a time, and a commit costs a write of every
/// page it changed to the log: with many writers waiting (64 clients creating connections), committing them one by one
/// spends most of the time on those writes. Here the writes that are waiting when the writer becomes free run in one
/// transaction, each inside its own savepoint: a write that fails or rolls back undoes only itself, and no caller hears
/// back before the transaction holding its write has committed. A lone write is a batch of one. One task at a time
/// runs the batches, started by the write that finds none running.
/// </summary>
internal sealed class SqliteWriter(string connectionString, string path) : IDisposable
{
    /// <summary>
    /// Writes per transaction at most, so that one batch does not hold the lock for long. 256, not 64: under delivery
    /// load (publishes, claims, completion batches queued together) bigger groups write each hot page once per commit
    /// instead of once per 64 writes — webhook delivery ~5,400 → ~6,200 events/s — while EG create's p99 under 64
    /// clients stayed 11.9 ms (its queue never holds more than 64 writes).
    /// </summary>
    internal const int MaxBatch = 256;

    // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commits. The
    // checkpoint (copying the log into the database file, then fsync) runs on its own thread (SqliteCheckpointer), asked
    // after every commit. The writer's own checkpoint, inside the commit that crosses the threshold, stalls every write
    // queued behind it (at 1,000 pages EG create's p99 was 21-94 ms under 64 clients, at 8,000 58-78 ms, at 256 20-23 ms
    // when it was the only one): at 8,192 pages it is only the backstop, for a log the other could not keep up with —
    // and it also lets the log start over from its beginning, which SQLite does only once every page was copied.
    // temp_store=MEMORY: every write of a batch runs inside a savepoint, and SQLite keeps a savepoint's sub-journal in a
    // temporary file by default — a pwrite per page changed, on top of the log's (a profile of delivery showed
    // subjournalPageIfRequired beside the log writes); in memory, Kafka delivery end to end ~8,000 → ~9,100 events/s.
    private const string SetUp = "PRAGMA wal_autocheckpoint=8192; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";

    private readonly ConcurrentQueue<Write> _pending = new();
    private readonly SqliteCheckpointer _checkpointer = new(connectionString);
    private SqliteSession? _session;

    private long _batches;
    private long _writes;
    private long _busyTicks;

    /// <summary>Set once the database file was found gone: this handle then takes no more writes.</summary>
    private volatile string? _lost;

    /// <summary>1 while a drain (the one task that runs batches) is under way.</summary>
    private int _draining;

    /// <summary>Transactions committed so far (each holding one or more writes).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>
    /// What the writer has done so far: transactions committed, writes run (kept or failed), and the time spent with a
    /// batch in hand — taken, run, committed and answered. Busy time per second of wall time is how much of this
    /// process's write capacity is used: near 1, the writer is what limits every path that writes.
    /// </summary>
    public Core.Telemetry.WriterReading Reading =>
        new(Interlocked.Read(ref _batches), Interlocked.Read(ref _writes), System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _busyTicks)));

    /// <summary>Checkpoints run by this writer's checkpointer so far.</summary>
    public long Checkpoints => _checkpointer.Checkpoints;

    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = new Write<T>(work);
        _pending.Enqueue(write);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        return cancellationToken.CanBeCanceled ? WaitAsync(write, cancellationToken) : write.Outcome;
    }

    public void Dispose()
    {
        _checkpointer.Dispose();
        _session?.Dispose();
        _session = null;
    }

    /// <summary>A write still waiting when its caller gives up is dropped; one already running is waited for.</summary>
    private static async Task<T> WaitAsync<T>(Write<T> write, CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(static w => ((Write)w!).Cancel(), write))
        {
            return await write.Outcome;
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            while (!_pending.IsEmpty)
            {
                await RunBatchAsync();
            }

            Volatile.Write(ref _draining, 0);

            // A write queued after the last look but before the flag cleared found a drain under way: look again.
            if (_pending.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>Takes what is waiting (oldest first), runs it in one transaction, commits, answers. Never throws.</summary>
    private async Task RunBatchAsync()
    {
        var batch = new List<Write>();
        while (batch.Count < MaxBatch && _pending.TryDequeue(out var waiting))
        {
            if (waiting.TryTake())
            {
                batch.Add(waiting);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await RunAsync(batch);
        }
        finally
        {
            // Only the drain runs batches, one at a time: these add up to the writer's busy time.
            Interlocked.Add(ref _writes, batch.Count);
            Interlocked.Add(ref _busyTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
    }

    /// <summary>Runs <paramref name="batch"/> in one transaction, commits, answers. Never throws.</summary>
    private async Task RunAsync(List<Write> batch)
    {
        try
        {
            if (_lost is { } lost)
            {
                throw new Sql.StorageUnavailableException(lost);
            }

            _session ??= await SqliteSession.OpenAsync(connectionString, SetUp, CancellationToken.None);
            await using var connection = new SessionConnection(_session, ReturnSession);

            // Microsoft.Data.Sqlite begins IMMEDIATE transactions: the write lock is taken up front, so a transaction
            // that reads then writes cannot be overtaken by another process.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            foreach (var write in batch)
            {
                var savepoint = new Savepoint(connection, transaction);
                try
                {
                    await write.RunAsync(connection, savepoint);
                    savepoint.Keep();
                }
                catch (Exception exception) when (!_session.InAutocommit)
                {
                    savepoint.Undo();
                    write.Failed(exception);
                }
            }

            if (_session.InAutocommit)
            {
                // A failure (I/O, a full disk) made SQLite roll the whole transaction back: nothing of it holds.
                throw new InvalidOperationException("SQLite rolled the write transaction back; no write of it was kept");
            }

            // A database file deleted under a running node still takes writes (into the unlinked file, lost at the next
            // start): before acknowledging anything, check that the file is still there, and stop writing if not.
            if (!File.Exists(path))
            {
                _lost = $"the database file {path} is gone (deleted while this node ran); this node acknowledges no more writes — restore the file or the backup and restart";
                throw new Sql.StorageUnavailableException(_lost);
            }

            await transaction.CommitAsync();
            Interlocked.Increment(ref _batches);
        }
        catch (Exception exception)
        {
            foreach (var write in batch)
            {
                write.Failed(exception);
            }

            return;
        }

        // Outside the try: whatever happens to the checkpoint, the batch is committed and is answered as such.
        _checkpointer.Notify();
        foreach (var write in batch)
        {
            write.Answer();
        }
    }

    private void ReturnSession(SqliteSession session)
    {
        if (!session.IsReusable)
        {
            session.Dispose();
            _session = null;
        }
    }

    private abstract class Write
    {
        private const int Queued = 0, Taken = 1, Dropped = 2;
        private int _state;

        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

        /// <summary>Drops the write if no batch has taken it yet.</summary>
        public void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, Dropped, Queued) == Queued)
            {
                Cancelled();
            }
        }

        protected abstract void Cancelled();

        public abstract Task RunAsync(DbConnection connection, DbTransaction transaction);

        /// <summary>Answers with the work's result, or the error it failed with.</summary>
        public abstract void Answer();

        /// <summary>Answers with <paramref name="exception"/> (the first error recorded wins).</summary>
        public abstract void Failed(Exception exception);
    }

    private sealed class Write<T>(Func<DbConnection, DbTransaction, Task<T>> work) : Write
    {
        private readonly TaskCompletionSource<T> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Outcome => _outcome.Task;

        public override async Task RunAsync(DbConnection connection, DbTransaction transaction) =>
            _result = await work(connection, transaction);

        public override void Answer()
        {
            if (_error is not null)
            {
                _outcome.TrySetException(_error);
            }
            else
            {
                _outcome.TrySetResult(_result!);
            }
        }

        protected override void Cancelled() => _outcome.TrySetCanceled();

        public override void Failed(Exception exception)
        {
            _error ??= exception;
            _outcome.TrySetException(_error);
        }
    }
}

/// <summary>
/// What one write of a batch sees as its transaction: a savepoint in the batch's transaction. Rolling it back undoes
/// this write alone; committing it keeps the write for the batch's commit. Commands given it run in the batch's
/// transaction (<see cref="Batch"/>).
/// </summary>
internal sealed class Savepoint : DbTransaction
{
    private readonly SessionConnection _connection;
    private bool _open;

    public Savepoint(SessionConnection connection, SqliteTransaction batch)
    {
        _connection = connection;
        Batch = batch;
        Run("SAVEPOINT write");
        _open = true;
    }

    public SqliteTransaction Batch { get; }

    public override IsolationLevel IsolationLevel => Batch.IsolationLevel;

    /// <summary>Null once rolled back or committed, as a finished SqliteTransaction.</summary>
    protected override DbConnection? DbConnection => _open ? _connection : null;

    public override void Commit() => Keep();

    public override void Rollback()
    {
        if (!_open)
        {
            throw new InvalidOperationException("this write's transaction has already finished");
        }

        Undo();
    }

    /// <summary>Keeps what the write did for the batch's commit.</summary>
    internal void Keep()
    {
        if (_open)
        {
            _open = false;
            Run("RELEASE write");
        }
    }

    /// <summary>Undoes what the write did (a no-op when it already finished).</summary>
    internal void Undo()
    {
        if (_open)
        {
            _open = false;
            Run("ROLLBACK TO write");
            Run("RELEASE write");
        }
    }

    private void Run(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = Batch;
        command.ExecuteNonQuery();
    }
}
