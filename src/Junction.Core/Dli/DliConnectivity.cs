using Junction.Core.Connections;
using Junction.Core.Work;

namespace Junction.Core.Dli;

/// <summary>Where an address connectivity test stands: running, or finished with its answer.</summary>
public enum Connectivity
{
    Checking,
    Reachable,
    Unreachable,
}

/// <summary>
/// A DLI address connectivity test (spec/huawei-dli.md §7): can queue <see cref="QueueName"/> reach
/// <see cref="Host"/>:<see cref="Port"/> through its bound enhanced connections? Asynchronous leased work like a
/// verification: written as <see cref="Connectivity.Checking"/>, answered by whichever node claims it.
/// </summary>
public sealed record DliConnectivityTask(
    long Id,
    string TenantId,
    string QueueName,
    string Address,
    string Host,
    int Port,
    Connectivity State,
    string? Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt);

/// <summary>The connectivity tests: written by the DLI face, claimed and answered by the connectivity worker.</summary>
public interface IDliConnectivityStore : ILeasedQueue<DliConnectivityTask>
{
    /// <summary>
    /// Writes a new test, due at once, and answers its id; null when the tenant already has <paramref name="maxRunning"/>
    /// tests running. Finished tests older than <paramref name="keepFinished"/> are dropped in the same transaction.
    /// </summary>
    Task<long?> CreateAsync(DliConnectivityTask task, int maxRunning, TimeSpan keepFinished, CancellationToken cancellationToken);

    Task<DliConnectivityTask?> GetAsync(string tenantId, string queueName, long id, CancellationToken cancellationToken);

    /// <summary>Records the answer, fenced by the lease; false when the lease was lost (nothing written).</summary>
    Task<bool> CompleteAsync(Lease<DliConnectivityTask> lease, Connectivity state, string message, DateTimeOffset finishedAt, CancellationToken cancellationToken);
}

/// <summary>Wakes the connectivity worker of this process when a test was written.</summary>
public interface IConnectivitySignal
{
    void Notify();
}

/// <summary>What a queue's binding to an enhanced connection looks like from outside (spec §2.6).</summary>
public static class DliBindingStates
{
    public const string Creating = "CREATING";
    public const string Active = "ACTIVE";
    public const string Failed = "FAILED";

    /// <summary>
    /// A binding's status follows from the connection's verification: CREATING until a check has finished after the
    /// binding was made, then ACTIVE or FAILED with the connection's result (design.md §2's DLI column).
    /// </summary>
    public static string Of(Connection connection, DliBinding binding)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(binding);
        if (connection.CheckedAt is not { } checkedAt || checkedAt < binding.BoundAt)
        {
            return Creating;
        }

        return connection.State switch
        {
            ConnectionState.Ready => Active,
            ConnectionState.Failed => Failed,
            _ => Creating,
        };
    }
}
