using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Junction.Storage.Sql;

/// <summary>
/// The Data Protection key ring in the database, so that every node on a shared database encrypts and decrypts with
/// the same keys (secrets stored by one node, tokens issued by another). Used with PostgreSQL; a single SQLite node keeps
/// its keys beside its database file.
/// </summary>
public sealed class DatabaseXmlRepository(IDatabase database) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY friendly_name").Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(
                "INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@friendlyName, @xml) ON CONFLICT DO NOTHING",
                new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) }, transaction),
            CancellationToken.None).GetAwaiter().GetResult();
    }
}
