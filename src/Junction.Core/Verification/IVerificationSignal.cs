namespace Junction.Core.Verification;

/// <summary>Wakes the verification engine of this process when new work is due (a connection was created).</summary>
public interface IVerificationSignal
{
    void Notify();
}

/// <summary>Used where no engine runs in the process: other nodes find the work on their next poll.</summary>
public sealed class NoVerificationSignal : IVerificationSignal
{
    public void Notify()
    {
    }
}
