using System.Collections.Concurrent;
using System.Data.Common;
using Junction.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace Junction.Storage.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in write-ahead-log mode. The writes of this process go through one
/// <see cref="SqliteWriter"/> (SQLite has one writer at a time anyway; it commits the writes waiting together in one
/// transaction); writers in other processes on the same file are serialized by SQLite's own lock with a busy timeout.
/// Connections stay open in <see cref="SqliteSession"/>s (the writer's, and a stack of them for reads) so that their
/// statements stay compiled.
/// </summary>
public sealed class SqliteDatabase : IDatabase, IDisposable
{
    /// <summary>Idle read sessions kept; reads run synchronously inside SQLite, so few are in use at once.</summary>
    private const int MaxIdleReaders = 16;

    private readonly ConcurrentStack<SqliteSession> _idle = new();
    private readonly string _connectionString;
    private readonly SqliteWriter _writer;

    /// <summary>
    /// SQLite in multi-thread mode, without memory statistics, if nothing opened a database in this process before:
    /// every connection here is used by one caller at a time (a session is taken, used and given back; the writer and
    /// the checkpointer own theirs), so serialized mode's mutex, taken on every call into SQLite (bind, step, column),
    /// guarded nothing; with memory statistics off, SQLite's allocator takes no global lock either. Measured: ~7% of the
    /// server's CPU under delivery was in pthread mutexes (docs/performance.md). Already initialized (another library
    /// opened SQLite first), SQLite refuses the change and keeps its safe default.
    /// </summary>
    public static bool MultiThreadMode { get; } = ConfigureThreading();

    private static bool ConfigureThreading()
    {
        SQLitePCL.Batteries_V2.Init();
        var multiThread = SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD) == SQLitePCL.raw.SQLITE_OK;
        _ = SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MEMSTATUS, 0);
        return multiThread;
    }

    public SqliteDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Reading it configures SQLite's threading before this process's first connection (a static initializer alone
        // may run later than that).
        _ = MultiThreadMode;
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        OwnerOnly(Path);

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // The sessions below are the pool: a connection they close is closed for real, so a transaction left
            // open on it ends with it instead of travelling to the next user of a pooled handle.
            Pooling = false,
            DefaultTimeout = 30,
        };

        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();

        // Only that first open may create the file. Every later one (readers, the writer's session, the checkpointer)
        // fails if it is gone: one that created a new, empty file at the path made the writer's check that the file is
        // still there pass, and writes into the deleted one were acknowledged (SqliteWriter).
        builder.Mode = SqliteOpenMode.ReadWrite;
        _connectionString = builder.ToString();
        _writer = new SqliteWriter(_connectionString, Path);
    }

    public string Path { get; }

    /// <summary>
    /// The database holds every tenant's data and the password hashes: it is created readable by its owner only (0600),
    /// and an existing file is narrowed to that. SQLite gives its -wal and -shm files the database file's mode.
    /// </summary>
    private static void OwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!File.Exists(path))
        {
            try
            {
                using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = ownerOnly });
                return;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another node on the same file created it first.
            }
        }

        try
        {
            if (File.GetUnixFileMode(path) != ownerOnly)
            {
                File.SetUnixFileMode(path, ownerOnly);
            }
        }
        catch (UnauthorizedAccessException)
        {
            // A file of another user that this one may still open: its owner decides its mode.
        }
    }

    public string Kind => "sqlite";

    /// <summary>Write transactions this handle has committed (group commit puts several writes in one).</summary>
    internal long WriteTransactions => _writer.Batches;

    /// <summary>What this process's one writer has done so far (<c>/metrics</c>: <c>junction_storage_writer_*</c>).</summary>
    public Core.Telemetry.WriterReading Writer => _writer.Reading;

    /// <summary>Checkpoints the background checkpointer has run; for tests.</summary>
    internal long Checkpoints => _writer.Checkpoints;

    public IReadOnlyList<Migration> Migrations => SqliteMigrations.All;

    /// <summary>Writes are already serialized (BEGIN IMMEDIATE), migrations included.</summary>
    public string MigrationLockSql => "";

    /// <summary>Every write holds SQLite's write lock from its first statement (BEGIN IMMEDIATE): nothing to add.</summary>
    public string ForUpdate => "";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_idle.TryPop(out var session))
        {
            try
            {
                session = await SqliteSession.OpenAsync(_connectionString, setUp: null, cancellationToken);
            }
            catch (SqliteException exception) when (exception.SqliteErrorCode == 14 && !File.Exists(Path))
            {
                // SQLITE_CANTOPEN with the file gone: the same answer the writer gives (503), not a server error.
                throw new Sql.StorageUnavailableException(
                    $"the database file {Path} is gone (deleted while this node ran); restore the file or the backup and restart", exception);
            }
        }

        return new SessionConnection(session, ReturnReader);
    }

    /// <summary>Through the <see cref="SqliteWriter"/>: writes waiting together commit together (group commit).</summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return _writer.WriteAsync(work, cancellationToken);
    }

    /// <summary>None: the writer's grouped transactions already keep SQLite's write lock short.</summary>
    public Func<Func<DbConnection, Task<int>>, CancellationToken, Task<int>>? SelfCommitting => null;

    public bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    public bool IsForeignKeyViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 787 };

    public string ContainsExpression(string column, string parameter) => $"instr({column}, {parameter}) > 0";

    public void Dispose()
    {
        while (_idle.TryPop(out var session))
        {
            session.Dispose();
        }

        _writer.Dispose();
    }

    /// <summary>A session comes back after its caller; one left broken or inside a transaction is closed, not kept.</summary>
    private void ReturnReader(SqliteSession session)
    {
        if (session.IsReusable && _idle.Count < MaxIdleReaders)
        {
            _idle.Push(session);
        }
        else
        {
            session.Dispose();
        }
    }
}
