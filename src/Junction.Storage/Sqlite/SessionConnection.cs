using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Junction.Storage.Sqlite;

/// <summary>
/// What the stores see of a <see cref="SqliteSession"/>: an open connection whose commands take their compiled
/// statement from the session. Disposing it hands the session back instead of closing it.
/// </summary>
internal sealed class SessionConnection(SqliteSession session, Action<SqliteSession> release) : DbConnection
{
    private SqliteSession? _session = session;

    internal SqliteSession Session => _session ?? throw new ObjectDisposedException(nameof(SessionConnection));

    [AllowNull]
    public override string ConnectionString
    {
        get => Session.Connection.ConnectionString;
        set => throw new NotSupportedException("a session's connection string is fixed");
    }

    public override string Database => Session.Connection.Database;

    public override string DataSource => Session.Connection.DataSource;

    public override string ServerVersion => Session.Connection.ServerVersion;

    public override ConnectionState State => _session is null ? ConnectionState.Closed : ConnectionState.Open;

    public override void ChangeDatabase(string databaseName) => throw new NotSupportedException("SQLite has one database per file");

    /// <summary>A session is handed out open; opening it again is a no-op.</summary>
    public override void Open() => _ = Session;

    public override void Close() => Release();

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => Session.Connection.BeginTransaction(isolationLevel);

    protected override DbCommand CreateDbCommand() => new SessionCommand(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Release();
        }

        base.Dispose(disposing);
    }

    /// <summary>Gives a lent statement back, unless the session has already gone back (and may serve someone else).</summary>
    internal void GiveBack(string sql, SessionCommand command) => _session?.GiveBack(sql, command);

    private void Release()
    {
        var session = Interlocked.Exchange(ref _session, null);
        if (session is not null)
        {
            // Commands not disposed (Dapper's ExecuteReaderAsync leaves its command to the reader) lose their statements here.
            session.GiveBackAll();
            release(session);
        }
    }
}

/// <summary>
/// A command of a <see cref="SessionConnection"/>: setting its text picks the session's compiled statement for that
/// text (lent to this command alone); parameters, transaction and execution go to that statement. Disposing it gives
/// the statement back, cleared, for its next use.
/// </summary>
internal sealed class SessionCommand(SessionConnection connection) : DbCommand
{
    private SqliteCommand? _statement;
    private bool _owned;
    private SqliteTransaction? _transaction;
    private int _timeout = 30;

    [AllowNull]
    public override string CommandText
    {
        get => _statement?.CommandText ?? "";
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            Detach();
            _statement = connection.Session.Lend(value, this, out _owned);
            _statement.Transaction = _transaction;
            _statement.CommandTimeout = _timeout;
        }
    }

    public override int CommandTimeout
    {
        get => _timeout;
        set
        {
            _timeout = value;
            _statement?.CommandTimeout = value;
        }
    }

    public override CommandType CommandType
    {
        get => CommandType.Text;
        set
        {
            if (value != CommandType.Text)
            {
                throw new NotSupportedException("SQLite runs text commands only");
            }
        }
    }

    public override bool DesignTimeVisible { get; set; }

    public override UpdateRowSource UpdatedRowSource { get; set; }

    protected override DbConnection? DbConnection
    {
        get => connection;
        set
        {
            if (!ReferenceEquals(value, connection))
            {
                throw new NotSupportedException("a session command stays on its connection");
            }
        }
    }

    protected override DbParameterCollection DbParameterCollection => Statement.Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => _transaction;
        set
        {
            _transaction = value switch
            {
                null => null,
                SqliteTransaction transaction => transaction,
                Savepoint savepoint => savepoint.Batch,
                _ => throw new ArgumentException($"not a SQLite transaction: {value.GetType().Name}", nameof(value)),
            };
            _statement?.Transaction = _transaction;
        }
    }

    /// <summary>The statement, as long as the connection still holds the session (after that it may be lent to another caller).</summary>
    private SqliteCommand Statement => connection.State != ConnectionState.Open
        ? throw new ObjectDisposedException(nameof(SessionConnection), "the command's connection has been handed back")
        : _statement ?? throw new InvalidOperationException("set CommandText before parameters or execution");

    public override void Cancel() => _statement?.Cancel();

    public override int ExecuteNonQuery() => Named().ExecuteNonQuery();

    public override object? ExecuteScalar() => Named().ExecuteScalar();

    public override void Prepare() => Statement.Prepare();

    protected override DbParameter CreateDbParameter() => new SqliteParameter();

    /// <summary>The session outlives the reader: closing the connection with it would close the session's connection.</summary>
    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) =>
        Named().ExecuteReader(behavior & ~CommandBehavior.CloseConnection);

    /// <summary>
    /// The statement with every parameter named as the SQL writes it (<c>@name</c>; Junction's SQL uses no other
    /// prefix). Dapper names parameters without a prefix, and Microsoft.Data.Sqlite then looks each one up under four
    /// names before it binds (a string compare per name and parameter, a few percent of a busy writer's time).
    /// </summary>
    private SqliteCommand Named()
    {
        var statement = Statement;
        foreach (SqliteParameter parameter in statement.Parameters)
        {
            var name = parameter.ParameterName;
            if (name.Length > 0 && name[0] is not ('@' or '$' or ':'))
            {
                parameter.ParameterName = "@" + name;
            }
        }

        return statement;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Detach();
        }

        base.Dispose(disposing);
    }

    private void Detach()
    {
        if (_statement is null)
        {
            return;
        }

        if (_owned)
        {
            _statement.Dispose();
        }
        else
        {
            connection.GiveBack(_statement.CommandText, this);
        }

        _statement = null;
    }
}
