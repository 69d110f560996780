namespace Junction.Core.Connections;

/// <summary>
/// Told when a connection is deleted on this node, so that what was kept open for it (pooled Kafka clients of probes
/// and producers of delivery) is closed now rather than when it has been idle long enough. Other nodes close theirs by
/// their idle timers.
/// </summary>
public interface IConnectionRetirement
{
    void Retired(Connection connection);
}
