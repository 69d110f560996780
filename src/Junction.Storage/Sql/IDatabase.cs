using System.Data.Common;

namespace Junction.Storage.Sql;

/// <summary>
/// A relational database Junction keeps its state in. The stores in this folder are written once against it; each
/// backend supplies connections, its migration scripts and the few SQL differences.
/// </summary>
public interface IDatabase
{
    /// <summary>A short name for logs and readiness output: <c>sqlite</c> or <c>postgresql</c>.</summary>
    string Kind { get; }

    /// <summary>Opens a connection for reading.</summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> inside one write transaction and commits it unless it throws or the work rolls back.</summary>
    Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one statement that commits by itself, on a connection of its own: no transaction is opened, so a lock the
    /// statement takes is held only while the database executes and commits it, never across a round trip
    /// (PostgreSQL). Null when the backend has no such statement worth having (SQLite, whose writer groups commits).
    /// </summary>
    Func<Func<DbConnection, Task<int>>, CancellationToken, Task<int>>? SelfCommitting { get; }

    bool IsUniqueViolation(Exception exception);

    /// <summary>Whether <paramref name="exception"/> is a broken reference (a row pointing at one that does not exist, or a delete of one still pointed at).</summary>
    bool IsForeignKeyViolation(Exception exception);

    /// <summary>SQL for "<paramref name="column"/> contains <paramref name="parameter"/>", case-sensitive, no wildcards.</summary>
    string ContainsExpression(string column, string parameter);

    /// <summary>
    /// Appended to a SELECT inside a write that reads a row it will then change or depend on, so that a concurrent write of
    /// that row waits (PostgreSQL <c>FOR UPDATE</c>); "" where writes are serialized anyway (SQLite).
    /// </summary>
    string ForUpdate { get; }

    /// <summary>SQL run first in every migration transaction so that concurrent migrators take turns ("" when writes are serialized anyway).</summary>
    string MigrationLockSql { get; }

    /// <summary>The ordered migration scripts of this backend.</summary>
    IReadOnlyList<Migration> Migrations { get; }
}

public sealed record Migration(int Version, string Name, string Sql);
