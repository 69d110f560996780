using System.Collections.Concurrent;
using System.Data.Common;
using Junction.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace Junction.Storage.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in write-ahead-log mode. Writers in this process take turns through a gate
/// (SQLite has one writer at a time anyway, and waiting on a semaphore is cheaper than SQLite's busy retries); writers in
/// other processes on the same file are serialized by SQLite's own lock with a busy timeout. Connections stay open in
/// <see cref="SqliteSession"/>s (one for writes, a stack of them for reads) so that their statements stay compiled.
/// </summary>
public sealed class SqliteDatabase : IDatabase, IDisposable
{
    private readonly string _connectionString;
    /// <summary>Idle read sessions kept; reads run synchronously inside SQLite, so few are in use at once.</summary>
    private const int MaxIdleReaders = 16;

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentStack<SqliteSession> _idle = new();
    private SqliteSession? _writer;

    public SqliteDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // The sessions below are the pool: a connection they close is closed for real, so a transaction left
            // open on it ends with it instead of travelling to the next user of a pooled handle.
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();

        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    public string Path { get; }

    public string Kind => "sqlite";

    public IReadOnlyList<Migration> Migrations => SqliteMigrations.All;

    /// <summary>Writes are already serialized (BEGIN IMMEDIATE), migrations included.</summary>
    public string MigrationLockSql => "";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_idle.TryPop(out var session))
        {
            session = await SqliteSession.OpenAsync(_connectionString, setUp: null, cancellationToken);
        }

        return new SessionConnection(session, ReturnReader);
    }

    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            // One connection does every write of this process, so its statements stay compiled. NORMAL is durable
            // across application crashes in WAL mode; only a power loss can drop the last commits.
            _writer ??= await SqliteSession.OpenAsync(
                _connectionString, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;", cancellationToken);
            await using var connection = new SessionConnection(_writer, ReturnWriter);

            // Microsoft.Data.Sqlite begins IMMEDIATE transactions: the write lock is taken up front, so a transaction
            // that reads then writes cannot be overtaken by another process.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var result = await work(connection, transaction);
            if (transaction.Connection is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

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

        _writer?.Dispose();
        _writer = null;
        _writeGate.Dispose();
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

    /// <summary>Runs under the write gate (the transaction is disposed before the connection).</summary>
    private void ReturnWriter(SqliteSession session)
    {
        if (!session.IsReusable)
        {
            session.Dispose();
            _writer = null;
        }
    }
}
