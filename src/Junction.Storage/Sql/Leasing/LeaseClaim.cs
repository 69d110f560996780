using System.Collections.Concurrent;
using Dapper;
using Junction.Core.Work;

namespace Junction.Storage.Sql.Leasing;

/// <summary>One leased table's claim: its SQL (per number of busy owners, built once) and its parameters.</summary>
internal sealed class LeaseClaim(LeaseTable table, string returning)
{
    /// <summary>Busy owners named in the SQL at most; past this many the claim skips none and the handler puts back what it cannot take.</summary>
    public const int MaxBusy = 64;

    private readonly ConcurrentDictionary<int, string> _sql = new();

    public (string Sql, DynamicParameters Parameters) For(string node, string token, DateTimeOffset until, DateTimeOffset now, int max, OwnerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var busy = limits.Busy.Count <= MaxBusy ? limits.Busy.ToList() : [];
        var parameters = new DynamicParameters(new
        {
            node,
            token,
            until = until.ToUnixTimeMilliseconds(),
            now = now.ToUnixTimeMilliseconds(),
            max,
            window = LeaseSql.Window(max),
            perOwner = Math.Min(limits.PerOwner, max),
        });
        for (var i = 0; i < busy.Count; i++)
        {
            parameters.Add("busy" + i, busy[i]);
        }

        return (_sql.GetOrAdd(busy.Count, n => LeaseSql.Claim(table, returning, n)), parameters);
    }
}
