using System.Data.Common;
using Dapper;

namespace Junction.Storage.Sql;

/// <summary>
/// A tenant's resource generation per face (<c>resource_generations</c>): every write that changes what that face's
/// publisher routes by (EG channels, sources, subscriptions, targets; EB rules, targets, transformations) moves it, last
/// in the write's own transaction (on PostgreSQL the row's lock is then the last one a write takes, so it adds no
/// lock-order cycle), and a refused write leaves it. A publisher reads it (one row, through a prepared statement) on
/// every publish and rereads its routes only when it moved, so a resource answered as created routes the next event on
/// any node.
/// </summary>
internal static class ResourceGenerations
{
    public const string Eg = "eg";

    public const string Eb = "eb";

    private const string Bump = """
        INSERT INTO resource_generations (tenant_id, face, generation) VALUES (@tenantId, @face, 1)
        ON CONFLICT (tenant_id, face) DO UPDATE SET generation = resource_generations.generation + 1
        """;

    /// <summary>Moves the tenant's generation of <paramref name="face"/> inside <paramref name="transaction"/>; call it last.</summary>
    public static Task BumpAsync(DbConnection db, DbTransaction transaction, string tenantId, string face) =>
        db.ExecuteAsync(Bump, new { tenantId, face }, transaction);

    /// <summary>The tenant's generation of <paramref name="face"/>: 0 before its first write.</summary>
    public static async Task<long> ReadAsync(IDatabase database, string tenantId, string face, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        await using var read = new PreparedStatement(
            db, null, "SELECT COALESCE(MAX(generation), 0) FROM resource_generations WHERE tenant_id = @tenantId AND face = @face", "tenantId", "face");
        return await read.ScalarAsync(cancellationToken, tenantId, face);
    }
}
