using Junction.Storage.Sql;

namespace Junction.Storage.Sqlite;

internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<Migration> All = Schema.Render(new Dictionary<string, string>
    {
        ["int"] = "INTEGER",
        ["int32"] = "INTEGER",
        ["serial_pk"] = "INTEGER PRIMARY KEY AUTOINCREMENT",
        ["name"] = "TEXT",
    });
}
