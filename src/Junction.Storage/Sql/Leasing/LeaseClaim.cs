using System.Collections.Concurrent;
using Junction.Core.Work;

namespace Junction.Storage.Sql.Leasing;

/// <summary>One leased table's claim: its SQL (per number of busy owners, built once) and its parameters.</summary>
internal sealed class LeaseClaim(LeaseTable table, string returning)
{
    /// <summary>Busy owners named in the SQL at most; past this many the claim skips none and the handler puts back what it cannot take.</summary>
    public const int MaxBusy = 64;

    private readonly ConcurrentDictionary<(int Busy, int Running), string> _sql = new();

    public (string Sql, SqlParameters Parameters) For(string node, string token, DateTimeOffset until, DateTimeOffset now, int max, OwnerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var busy = limits.Busy.Count <= MaxBusy ? limits.Busy.ToList() : [];
        var skipped = busy.ToHashSet(StringComparer.Ordinal);
        var running = limits.InFlight?.Where(o => o.Value > 0 && !skipped.Contains(o.Key)).ToList() ?? [];
        running = running.Count <= MaxBusy ? running : [];
        var parameters = new SqlParameters()
            .Add("node", node)
            .Add("token", token)
            .Add("until", until.ToUnixTimeMilliseconds())
            .Add("now", now.ToUnixTimeMilliseconds())
            .Add("max", max)
            .Add("window", LeaseSql.Window(table, max))
            .Add("perOwner", Math.Min(limits.PerOwner, max));
        // Padded to a power of two (repeats are harmless in NOT IN): a few SQL texts, each compiled once (see SqlLists).
        var named = SqlLists.Padded(busy);
        for (var i = 0; i < named.Count; i++)
        {
            parameters.Add("busy" + i, named[i]);
        }

        // Owners with work running here take at most what their limit leaves (a CASE over them, padded the same way:
        // the first match wins, so a repeat changes nothing).
        var counted = SqlLists.Padded(running);
        if (counted.Count > 0)
        {
            parameters.Add("ownerLimit", limits.PerOwner);
        }

        for (var i = 0; i < counted.Count; i++)
        {
            parameters.Add("owner" + i, counted[i].Key).Add("running" + i, counted[i].Value);
        }

        return (_sql.GetOrAdd((named.Count, counted.Count), n => LeaseSql.Claim(table, returning, n.Busy, n.Running)), parameters);
    }
}
