using System.Data;
using Dapper;

namespace Junction.Storage.Sql;

/// <summary>
/// Named parameters for the delivery pipeline's hot queries, added to the command as they are. Dapper's
/// <see cref="DynamicParameters"/> asks the command whether it already has each name before adding it, and
/// Microsoft.Data.Sqlite answers by a linear search: for an <c>IN (…)</c> list of n ids that is n²/2 name
/// comparisons per query — 3.8% of the server's CPU while the delivery worker drained a backlog (claims and
/// their reads bind lists of up to 256). Names here are unique by construction (<see cref="SqlLists"/>), so no
/// check is needed.
/// </summary>
internal sealed class SqlParameters : SqlMapper.IDynamicParameters
{
    private readonly List<(string Name, object? Value)> _values = [];

    public SqlParameters Add(string name, object? value)
    {
        _values.Add((name, value));
        return this;
    }

    public void AddParameters(IDbCommand command, SqlMapper.Identity identity)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var (name, value) in _values)
        {
            var parameter = command.CreateParameter();
            // Named as the SQL writes them, so Microsoft.Data.Sqlite finds each at its first look-up (Npgsql drops the '@').
            parameter.ParameterName = "@" + name;
            // As Dapper binds them: an enum as its number, a null as the database's null.
            parameter.Value = value switch
            {
                null => DBNull.Value,
                Enum e => Convert.ChangeType(e, e.GetTypeCode(), System.Globalization.CultureInfo.InvariantCulture),
                _ => value,
            };
            command.Parameters.Add(parameter);
        }
    }
}
