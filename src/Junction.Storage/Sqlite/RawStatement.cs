using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Junction.Storage.Sqlite;

/// <summary>
/// One statement of a <see cref="SqliteSession"/> run through SQLite's own API: parameters bound by index, the
/// statement stepped to its end and reset. It is what the hot writes of delivery run on (<see cref="Sql.PreparedStatement"/>):
/// Microsoft.Data.Sqlite binds every parameter of every run by reading its name back from SQLite and looking it up in
/// the command's collection (~6% of the server's CPU under delivery, docs/performance.md). Used by one caller at a
/// time, like its session; disposing it resets it and gives it back to the session (or finalizes one of its own).
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly SqliteSession _session;
    private readonly string _sql;
    private readonly sqlite3_stmt _statement;
    private readonly bool _owned;
    private readonly int[] _indexes;

    private RawStatement(SqliteSession session, string sql, sqlite3_stmt statement, bool owned, IReadOnlyList<string> names)
    {
        _session = session;
        _sql = sql;
        _statement = statement;
        _owned = owned;
        _indexes = [.. names.Select(n => raw.sqlite3_bind_parameter_index(statement, "@" + n))];
        var missing = names.Where((_, i) => _indexes[i] == 0).ToList();
        if (missing.Count > 0)
        {
            Dispose();
            throw new ArgumentException($"the statement has no parameter @{string.Join(", @", missing)}", nameof(names));
        }
    }

    /// <summary>The session's compiled statement for <paramref name="sql"/> (compiled now if it is the first use); <paramref name="names"/> without the <c>@</c>.</summary>
    public static RawStatement Lend(SqliteSession session, string sql, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(session);
        var statement = session.LendRaw(sql, out var owned);
        return new RawStatement(session, sql, statement, owned, names);
    }

    /// <summary>Runs the statement with <paramref name="values"/>, in the order of the names: the rows it changed, or the first column of its first row when <paramref name="scalar"/>.</summary>
    public long Run(object?[] values, bool scalar)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != _indexes.Length)
        {
            throw new ArgumentException($"{_indexes.Length} values expected, {values.Length} given", nameof(values));
        }

        var db = _session.Connection.Handle!;
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                Check(Bind(_indexes[i], values[i]), db);
            }

            long? first = null;
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
                first ??= raw.sqlite3_column_int64(_statement, 0);
            }

            Check(rc == raw.SQLITE_DONE ? raw.SQLITE_OK : rc, db);
            return scalar
                ? first ?? throw new InvalidOperationException("the statement returned no row")
                : raw.sqlite3_changes(db);
        }
        finally
        {
            _ = raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose()
    {
        _ = raw.sqlite3_reset(_statement);
        _ = raw.sqlite3_clear_bindings(_statement);
        if (_owned)
        {
            _statement.Dispose();
        }
        else
        {
            _session.GiveBackRaw(_sql);
        }
    }

    private int Bind(int index, object? value) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(_statement, index),
        string text => raw.sqlite3_bind_text(_statement, index, text),
        long number => raw.sqlite3_bind_int64(_statement, index, number),
        int number => raw.sqlite3_bind_int64(_statement, index, number),
        bool flag => raw.sqlite3_bind_int64(_statement, index, flag ? 1 : 0),
        double real => raw.sqlite3_bind_double(_statement, index, real),
        byte[] blob => raw.sqlite3_bind_blob(_statement, index, blob),
        _ => throw new NotSupportedException($"a value of type {value.GetType().Name} cannot be bound here"),
    };

    private static void Check(int rc, sqlite3 db)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
