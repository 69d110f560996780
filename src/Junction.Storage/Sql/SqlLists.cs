using Dapper;

namespace Junction.Storage.Sql;

/// <summary>Parameter lists for <c>IN (…)</c>, the one way of matching a set that SQLite and PostgreSQL share.</summary>
internal static class SqlLists
{
    /// <summary>Adds each value as <c>@{prefix}{i}</c> to <paramref name="parameters"/> and answers <c>@p0, @p1, …</c>.</summary>
    public static string In<T>(DynamicParameters parameters, string prefix, IEnumerable<T> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = prefix + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameters.Add(name, value);
            names.Add("@" + name);
        }

        return names.Count == 0 ? "NULL" : string.Join(", ", names);
    }
}
