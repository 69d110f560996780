namespace Junction.Core.Networks;

/// <summary>
/// Why an outbound attempt (a probe or a delivery) did not reach its target: a stable code from
/// <see cref="Verification.VerificationCodes"/>, a message a person can act on, and the evidence behind it.
/// </summary>
public sealed record OutboundFailure(string Code, string Message, string Detail = "");
