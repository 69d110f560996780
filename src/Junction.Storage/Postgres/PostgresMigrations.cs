using Junction.Storage.Sql;

namespace Junction.Storage.Postgres;

/// <summary>The shared schema in PostgreSQL's types; names sort bytewise (COLLATE "C") as in SQLite.</summary>
internal static class PostgresMigrations
{
    public static readonly IReadOnlyList<Migration> All = Schema.Render(new Dictionary<string, string>
    {
        ["int"] = "BIGINT",
        ["int32"] = "INTEGER",
        ["serial_pk"] = "BIGSERIAL PRIMARY KEY",
        ["name"] = "TEXT COLLATE \"C\"",
    });
}
