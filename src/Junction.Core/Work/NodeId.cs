using Junction.Core.Security;

namespace Junction.Core.Work;

/// <summary>This process's identity in leases and history: host, process id and a random suffix. One per process.</summary>
public sealed class NodeId
{
    public string Value { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{RandomIds.Suffix(6)}";

    public override string ToString() => Value;
}
