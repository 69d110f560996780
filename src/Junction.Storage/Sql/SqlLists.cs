using Dapper;

namespace Junction.Storage.Sql;

/// <summary>Parameter lists for <c>IN (…)</c>, the one way of matching a set that SQLite and PostgreSQL share.</summary>
internal static class SqlLists
{
    /// <summary>
    /// Adds each value as <c>@{prefix}{i}</c> to <paramref name="parameters"/> and answers <c>@p0, @p1, …</c>. The list
    /// is padded to a power of two by repeating its last value (harmless in <c>IN</c>), so that a query has a handful
    /// of texts, not one per length: Dapper compiles a reader for every distinct text, and with one per claim size the
    /// delivery worker spent half a core in the JIT.
    /// </summary>
    public static string In<T>(DynamicParameters parameters, string prefix, IEnumerable<T> values) =>
        In(values, prefix, (name, value) => parameters.Add(name, value));

    /// <inheritdoc cref="In{T}(DynamicParameters, string, IEnumerable{T})"/>
    public static string In<T>(SqlParameters parameters, string prefix, IEnumerable<T> values) =>
        In(values, prefix, (name, value) => parameters.Add(name, value));

    private static string In<T>(IEnumerable<T> values, string prefix, Action<string, T> add)
    {
        var list = values.ToList();
        if (list.Count == 0)
        {
            return "NULL";
        }

        var padded = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)list.Count);
        var names = new string[padded];
        for (var i = 0; i < padded; i++)
        {
            var name = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            add(name, list[Math.Min(i, list.Count - 1)]);
            names[i] = "@" + name;
        }

        return string.Join(", ", names);
    }
}
