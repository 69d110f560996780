using System.Data.Common;

namespace Junction.Storage.Sql;

/// <summary>
/// One statement run many times in a transaction with its parameters bound by position: created once, values set per
/// run (also a hot single-row read, which it spares Dapper's per-call work). The hot writes of delivery (events, jobs,
/// completions, attempts) run one per row; through Dapper each run made new parameter objects that the provider then
/// looked up by name, a large part of the SQLite writer's time. On a
/// SQLite session it runs through SQLite's own API (<see cref="Sqlite.RawStatement"/>: no per-run lookup by name at
/// all), elsewhere (PostgreSQL) through the provider's command with its parameters made once.
/// Values: null, string, long, int, bool, double, byte[].
/// </summary>
internal sealed class PreparedStatement : IAsyncDisposable
{
    private readonly DbCommand? _command;
    private readonly DbParameter[] _parameters = [];
    private readonly Sqlite.RawStatement? _raw;

    /// <summary>
    /// A statement over <paramref name="connection"/> in <paramref name="transaction"/> (none: a read on its own);
    /// <paramref name="names"/> are its parameters as the SQL names them, without the <c>@</c>, in the order values are given.
    /// </summary>
    public PreparedStatement(DbConnection connection, DbTransaction? transaction, string sql, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(names);
        if (connection is Sqlite.SessionConnection session)
        {
            // The statement runs inside whatever transaction (or savepoint) the session's connection has open.
            _raw = Sqlite.RawStatement.Lend(session.Session, sql, names);
            return;
        }

        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        _parameters = new DbParameter[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = "@" + names[i];
            _command.Parameters.Add(parameter);
            _parameters[i] = parameter;
        }
    }

    /// <summary>Runs the statement with <paramref name="values"/> (in the order of the names); answers the rows it changed.</summary>
    public Task<int> ExecuteAsync(CancellationToken cancellationToken, params object?[] values)
    {
        if (_raw is not null)
        {
            return Task.FromResult((int)_raw.Run(values, scalar: false));
        }

        Bind(values);
        return _command!.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs the statement with <paramref name="values"/>; answers the first column of its first row as a number.</summary>
    public async Task<long> ScalarAsync(CancellationToken cancellationToken, params object?[] values)
    {
        if (_raw is not null)
        {
            return _raw.Run(values, scalar: true);
        }

        Bind(values);
        return Convert.ToInt64(await _command!.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync()
    {
        _raw?.Dispose();
        return _command?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private void Bind(object?[] values)
    {
        if (values.Length != _parameters.Length)
        {
            throw new ArgumentException($"{_parameters.Length} values expected, {values.Length} given", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            _parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
