namespace Junction.Storage.Sql.Leasing;

/// <summary>
/// Where a table keeps its leased work: the key, the due-time column, the column whose values share the work fairly
/// (tenant, connection), and the five lease columns every leased table has (<c>lease_owner</c>, <c>lease_token</c>,
/// <c>lease_until</c>, plus the due time and an attempts counter of the table's own), and how many due items a claim
/// looks at per item it takes (<see cref="LeaseSql.MaxFairnessWindow"/>).
/// </summary>
internal sealed record LeaseTable(string Table, string Key, string DueColumn, string FairColumn, int WindowPerItem = 16);

/// <summary>
/// The SQL of leased work, written once for every leased table and both backends (SQLite ≥ 3.25, PostgreSQL).
/// Parameters: <c>@node</c>, <c>@token</c>, <c>@until</c>, <c>@now</c> (Unix ms) and <c>@max</c>.
/// </summary>
internal static class LeaseSql
{
    /// <summary>
    /// How many of the oldest due items a claim looks at to share them fairly: <see cref="LeaseTable.WindowPerItem"/> per
    /// item claimed (16 unless the table says otherwise), at most <see cref="MaxFairnessWindow"/>. Ordering every due row
    /// by its owner's turn would cost a sort of the whole backlog per claim (with a backlog, a claim of one item read 4,096
    /// rows: delivery's first bottleneck); among the oldest few per claimed item, oldest-first in turns is fair enough.
    /// </summary>
    public const int MaxFairnessWindow = 4096;

    /// <summary>The <c>@window</c> of a claim of <paramref name="max"/> items from <paramref name="table"/>.</summary>
    public static int Window(LeaseTable table, int max)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Math.Clamp(max * table.WindowPerItem, 64, MaxFairnessWindow);
    }

    /// <summary>
    /// Claims up to <c>@max</c> due, unleased items and returns <paramref name="returning"/> of each. Items are taken in
    /// turns between owners (<see cref="LeaseTable.FairColumn"/>): every owner's oldest due item before anyone's second,
    /// so one owner's backlog cannot hold every slot while another owner's new item waits.
    /// The lease condition is checked outside the sub-select only: a leased item is out of the due range anyway (below),
    /// save one whose due time was changed while it was leased, which that check skips; so the sub-select reads the due
    /// index alone (<c>(due, fair)</c> where the table has one) — and a database that re-checks the row after waiting
    /// for its lock (PostgreSQL) skips a row another node claimed in the meantime.
    /// Owner limits: at most <c>@perOwner</c> items of one owner, and none of the <paramref name="busy"/> owners passed
    /// as <c>@busy0</c>… (those at their limit on the claiming node), and of the <paramref name="running"/> owners passed as
    /// <c>@owner0</c>/<c>@running0</c>… (those with items in flight there) at most <c>@ownerLimit</c> minus those in flight:
    /// without it a claim took a connection's full share while it already ran most of it, and the worker put the surplus
    /// back (a write each, then claimed again) — 14,266 times in one delivery benchmark.
    /// A claimed item's due time moves to its lease's end: that is when it is due again if its node never records it
    /// (a crash), and it takes the item out of the range every later claim scans: left where it was, a claim read every
    /// item in flight (up to 1,024 deliveries) before the first one it could take. Every completion writes the due time
    /// it decides; <see cref="Release"/> makes it due at once.
    /// </summary>
    public static string Claim(LeaseTable t, string returning, int busy, int running = 0) => $"""
        UPDATE {t.Table}
        SET lease_owner = @node, lease_token = @token, lease_until = @until, {t.DueColumn} = @until
        WHERE {t.Key} IN (
            SELECT {t.Key} FROM (
                SELECT {t.Key}, {t.DueColumn} AS due, {t.FairColumn} AS fair, ROW_NUMBER() OVER (PARTITION BY {t.FairColumn} ORDER BY {t.DueColumn}) AS turn
                FROM (
                    SELECT {t.Key}, {t.DueColumn}, {t.FairColumn} FROM {t.Table}
                    WHERE {t.DueColumn} <= @now{Busy(t, busy)}
                    ORDER BY {t.DueColumn}
                    LIMIT @window) AS oldest
                ) AS due
            WHERE turn <= @perOwner{Running(running)}
            ORDER BY turn, due
            LIMIT @max)
          AND {t.DueColumn} <= @now AND (lease_until IS NULL OR lease_until < @now)
        RETURNING {returning}
        """;

    /// <summary>An owner with <c>@running{i}</c> items in flight here takes at most <c>@ownerLimit</c> minus them.</summary>
    private static string Running(int running) =>
        running == 0 ? "" : $" AND turn <= @ownerLimit - CASE fair {string.Concat(Enumerable.Range(0, running).Select(i => $"WHEN @owner{i} THEN @running{i} "))}ELSE 0 END";

    private static string Busy(LeaseTable t, int busy) =>
        busy == 0 ? "" : $" AND {t.FairColumn} NOT IN ({string.Join(", ", Enumerable.Range(0, busy).Select(i => "@busy" + i))})";

    /// <summary>
    /// Gives back every lease <c>@node</c> holds; an item whose due time is still its lease's end (see <see cref="Claim"/>)
    /// is due at <c>@now</c>, one given another due time meanwhile keeps it.
    /// </summary>
    public static string Release(LeaseTable t) => $"""
        UPDATE {t.Table}
        SET {t.DueColumn} = CASE WHEN {t.DueColumn} = lease_until THEN @now ELSE {t.DueColumn} END,
            lease_owner = NULL, lease_token = NULL, lease_until = NULL
        WHERE lease_owner = @node
        """;

    /// <summary>The condition that fences a completion: the row is still leased with <c>@Token</c>.</summary>
    public static string Fence(LeaseTable t) => $"{t.Key} = @Id AND lease_token = @Token";

    /// <summary>Sets that a completion clears the lease with.</summary>
    public const string ClearLease = "lease_owner = NULL, lease_token = NULL, lease_until = NULL";

    /// <summary>Due items not leased now, for metrics and readiness.</summary>
    public static string CountDue(LeaseTable t) =>
        $"SELECT COUNT(*) FROM {t.Table} WHERE {t.DueColumn} <= @now AND (lease_until IS NULL OR lease_until < @now)";
}
