using Junction.Core.Networks;

namespace Junction.Runtime.Egress;

/// <summary>Thrown from a connect the egress guard refused (inside an HTTP connect callback, say); nothing was sent.</summary>
public sealed class EgressRefusedException : Exception
{
    public EgressRefusedException(OutboundFailure failure)
        : base(failure?.Message)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Failure = failure;
    }

    public EgressRefusedException()
        : this(new OutboundFailure(Core.Verification.VerificationCodes.EgressRefused, "refused by the egress policy"))
    {
    }

    public EgressRefusedException(string message)
        : this(new OutboundFailure(Core.Verification.VerificationCodes.EgressRefused, message))
    {
    }

    public EgressRefusedException(string message, Exception innerException)
        : base(message, innerException) =>
        Failure = new OutboundFailure(Core.Verification.VerificationCodes.EgressRefused, message);

    public OutboundFailure Failure { get; }
}
