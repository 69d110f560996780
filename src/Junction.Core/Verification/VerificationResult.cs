namespace Junction.Core.Verification;

/// <summary>What a probe found. <see cref="Ok"/> means the target was actually reached.</summary>
/// <see cref="Checked"/> is false when what could be checked passed but the target itself is out of Junction's reach.
public sealed record VerificationResult(bool Ok, string Code, string Message, string Detail, bool Checked = true)
{
    public static VerificationResult Success(string message, string detail = "") => new(true, "OK", message, detail);

    public static VerificationResult Failure(string code, string message, string detail = "") => new(false, code, message, detail);

    /// <summary>An outbound failure (egress refusal, unreachable target) as the verification's result.</summary>
    public static VerificationResult Failure(Networks.OutboundFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new(false, failure.Code, failure.Message, failure.Detail);
    }

    /// <summary>Nothing failed, but the target was not verified either: reported as such, never as ready.</summary>
    public static VerificationResult NotVerified(string message, string detail = "") => new(true, "NOT_VERIFIED", message, detail, Checked: false);
}

/// <summary>The stable error codes of verification and of every outbound attempt; docs/verification.md explains each.</summary>
public static class VerificationCodes
{
    public const string EgressRefused = "JUNCTION.EGRESS_REFUSED";
    public const string NetworkUnknown = "JUNCTION.NETWORK_UNKNOWN";
    public const string DnsFailed = "JUNCTION.DNS_FAILED";
    public const string KafkaUnreachable = "JUNCTION.KAFKA_UNREACHABLE";
    public const string KafkaTimeout = "JUNCTION.KAFKA_TIMEOUT";
    public const string KafkaAuthFailed = "JUNCTION.KAFKA_AUTH_FAILED";
    public const string KafkaTlsFailed = "JUNCTION.KAFKA_TLS_FAILED";
    public const string KafkaTopicMissing = "JUNCTION.KAFKA_TOPIC_MISSING";
    public const string KafkaError = "JUNCTION.KAFKA_ERROR";
    public const string HttpUnreachable = "JUNCTION.HTTP_UNREACHABLE";
    public const string HttpTimeout = "JUNCTION.HTTP_TIMEOUT";
    public const string HttpStatus = "JUNCTION.HTTP_STATUS";
    public const string TcpUnreachable = "JUNCTION.TCP_UNREACHABLE";
    public const string TcpTimeout = "JUNCTION.TCP_TIMEOUT";
    public const string SecretUnavailable = "JUNCTION.SECRET_UNAVAILABLE";
    public const string InstanceUnknown = "JUNCTION.INSTANCE_UNKNOWN";
    public const string HostUnreachable = "JUNCTION.HOST_UNREACHABLE";
    public const string HostTimeout = "JUNCTION.HOST_TIMEOUT";
    public const string Internal = "JUNCTION.PROBE_ERROR";
}
