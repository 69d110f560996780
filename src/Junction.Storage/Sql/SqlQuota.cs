using System.Data.Common;
using Dapper;

namespace Junction.Storage.Sql;

/// <summary>
/// Quota counters (<c>quota_usage</c>, one row per tenant and scope), written once for every store that counts. The
/// row is the quota's lock: taking one inside a create's transaction holds it to the commit, so concurrent creates on
/// any node can never pass the quota together.
/// </summary>
internal static class SqlQuota
{
    /// <summary>
    /// Counts one more in the caller's transaction when the scope is under <paramref name="quota"/>; false when it is
    /// full. One statement (an upsert): the first use creates the row, later ones increment it only while under the
    /// quota — a round trip less than insert-then-update, inside the row lock that every create of the tenant waits for.
    /// </summary>
    public static async Task<bool> TakeAsync(DbConnection db, DbTransaction transaction, string tenantId, string scope, int quota) =>
        await db.ExecuteAsync(TakeSql("@tenantId", "@scope"), new { tenantId, scope, quota }, transaction) > 0;

    /// <summary>The upsert that takes one of <c>@quota</c> for the tenant and scope parameters named; one row changed when taken.</summary>
    public static string TakeSql(string tenantParameter, string scopeParameter) => $"""
        INSERT INTO quota_usage (tenant_id, scope, used) SELECT {tenantParameter}, {scopeParameter}, 1 WHERE @quota > 0
        ON CONFLICT (tenant_id, scope) DO UPDATE SET used = quota_usage.used + 1 WHERE quota_usage.used < @quota
        """;
}
