using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Junction.Storage.Sqlite;

/// <summary>
/// One open SQLite connection that keeps the statements it has compiled, keyed by their SQL text. Microsoft.Data.Sqlite
/// compiles the SQL of every new command again (dotnet/efcore#14044 is still open), and a profile of an EG show put
/// that compilation at about a fifth of the server's CPU time; a session compiles each statement once. A session is
/// used by one caller at a time: <see cref="SqliteDatabase"/> hands it out and takes it back.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    /// <summary>Enough for every statement the stores issue (filters make a few variants each); beyond it, statements are compiled per use.</summary>
    private const int MaxStatements = 256;

    private readonly Dictionary<string, Statement> _statements = new(StringComparer.Ordinal);

    /// <summary>Statements run through SQLite's own API (<see cref="RawStatement"/>), and whether each is lent now.</summary>
    private readonly Dictionary<string, (sqlite3_stmt Statement, bool Lent)> _raw = new(StringComparer.Ordinal);

    private SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>Whether the connection can serve the next caller: open, and not left inside a transaction.</summary>
    public bool IsReusable =>
        Connection.State == System.Data.ConnectionState.Open && InAutocommit;

    /// <summary>Whether no transaction is open on the connection.</summary>
    public bool InAutocommit => raw.sqlite3_get_autocommit(Connection.Handle) != 0;

    public static async Task<SqliteSession> OpenAsync(string connectionString, string? setUp, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (setUp is not null)
            {
                using var command = connection.CreateCommand();
                command.CommandText = setUp;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return new SqliteSession(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The compiled command for <paramref name="sql"/>, lent to <paramref name="holder"/> until it gives it back (or the
    /// session is handed back). When that command is already lent (two commands with the same text at once, or a
    /// command never disposed), or the session keeps no more, the holder gets a command of its own
    /// (<paramref name="owned"/>), which it disposes.
    /// </summary>
    public SqliteCommand Lend(string sql, object holder, out bool owned)
    {
        if (_statements.TryGetValue(sql, out var statement))
        {
            if (statement.Holder is null)
            {
                statement.Holder = holder;
                owned = false;
                return statement.Command;
            }
        }
        else if (_statements.Count < MaxStatements)
        {
            statement = new Statement(Connection.CreateCommand()) { Holder = holder };
            statement.Command.CommandText = sql;
            _statements.Add(sql, statement);
            owned = false;
            return statement.Command;
        }

        var command = Connection.CreateCommand();
        command.CommandText = sql;
        owned = true;
        return command;
    }

    /// <summary>
    /// The compiled SQLite statement for <paramref name="sql"/>, lent until <see cref="GiveBackRaw"/>; when it is lent
    /// already or the session keeps no more, one of the caller's own (<paramref name="owned"/>), which it finalizes.
    /// </summary>
    public sqlite3_stmt LendRaw(string sql, out bool owned)
    {
        if (_raw.TryGetValue(sql, out var kept) && !kept.Lent)
        {
            _raw[sql] = (kept.Statement, true);
            owned = false;
            return kept.Statement;
        }

        var rc = raw.sqlite3_prepare_v2(Connection.Handle, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, Connection.Handle);
        }

        if (statement is null)
        {
            throw new ArgumentException("the SQL holds no statement", nameof(sql));
        }

        owned = kept.Statement is not null || _raw.Count >= MaxStatements;
        if (!owned)
        {
            _raw.Add(sql, (statement, true));
        }

        return statement;
    }

    /// <summary>Takes back the statement <see cref="LendRaw"/> lent for <paramref name="sql"/>.</summary>
    public void GiveBackRaw(string sql)
    {
        if (_raw.TryGetValue(sql, out var kept))
        {
            _raw[sql] = (kept.Statement, false);
        }
    }

    /// <summary>Takes back what <see cref="Lend"/> gave <paramref name="holder"/>; a no-op when it no longer holds it.</summary>
    public void GiveBack(string sql, object holder)
    {
        if (_statements.TryGetValue(sql, out var statement) && ReferenceEquals(statement.Holder, holder))
        {
            Clear(statement);
        }
    }

    /// <summary>Takes back every lent command: the session's user is done with it.</summary>
    public void GiveBackAll()
    {
        foreach (var statement in _statements.Values)
        {
            if (statement.Holder is not null)
            {
                Clear(statement);
            }
        }
    }

    public void Dispose()
    {
        foreach (var statement in _statements.Values)
        {
            statement.Command.Dispose();
        }

        foreach (var (statement, _) in _raw.Values)
        {
            statement.Dispose();
        }

        _raw.Clear();
        _statements.Clear();
        Connection.Dispose();
    }

    private static void Clear(Statement statement)
    {
        statement.Command.Parameters.Clear();
        statement.Command.Transaction = null;
        statement.Holder = null;
    }

    private sealed class Statement(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;

        /// <summary>The command it is lent to, if any.</summary>
        public object? Holder { get; set; }
    }
}
