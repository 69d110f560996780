namespace Junction.Core.Verification;

/// <summary>Wakes the verification worker of this process when new work is due (a connection was created or bound).</summary>
public interface IVerificationSignal
{
    void Notify();
}
