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
        var list = Padded([.. values]);
        if (list.Count == 0)
        {
            return "NULL";
        }

        var names = new string[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            var name = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            add(name, list[i]);
            names[i] = "@" + name;
        }

        return string.Join(", ", names);
    }

    /// <summary><paramref name="list"/> padded to a power of two by repeating its last value (empty stays empty): see <see cref="In{T}(DynamicParameters, string, IEnumerable{T})"/>.</summary>
    public static IReadOnlyList<T> Padded<T>(IReadOnlyList<T> list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (list.Count == 0)
        {
            return list;
        }

        var padded = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)list.Count);
        return padded == list.Count ? list : [.. Enumerable.Range(0, padded).Select(i => list[Math.Min(i, list.Count - 1)])];
    }
}
