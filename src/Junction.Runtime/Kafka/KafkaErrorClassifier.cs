using Confluent.Kafka;
using Junction.Core.Networks;
using Junction.Core.Verification;

namespace Junction.Runtime.Kafka;

/// <summary>
/// Turns what a Kafka client reported on the way to a failure (its final error, the errors and warnings it logged, the
/// connects the egress plugin refused) into one stable code and a message naming the cluster and the step that failed.
/// Shared by probes and by delivery, so a failure reads the same in a connection's status and in a delivery attempt.
/// </summary>
public static class KafkaErrorClassifier
{
    public static OutboundFailure Classify(
        KafkaEndpoint endpoint, Error final, IEnumerable<Error> errors, IEnumerable<string> logs, IReadOnlyList<OutboundFailure> refusals)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(final);
        ArgumentNullException.ThrowIfNull(refusals);
        if (refusals.Count > 0)
        {
            // The plugin refused a connect: that is the cause, whatever librdkafka made of it afterwards.
            var first = refusals[0];
            return first with { Message = $"{endpoint}: {first.Message}" };
        }

        var all = errors.Append(final).ToList();
        var log = logs.ToList();
        var evidence = string.Join(" | ", all.Select(e => e.Reason).Concat(log).Distinct().TakeLast(6));
        var where = endpoint.ToString();

        bool Any(ErrorCode code) => all.Any(e => e.Code == code);
        bool Says(string text) => all.Any(e => e.Reason.Contains(text, StringComparison.OrdinalIgnoreCase))
            || log.Any(l => l.Contains(text, StringComparison.OrdinalIgnoreCase));

        if (Any(ErrorCode.Local_Authentication) || Any(ErrorCode.SaslAuthenticationFailed) || Says("SASL"))
        {
            return new OutboundFailure(VerificationCodes.KafkaAuthFailed,
                $"authentication failed at {where}: the SASL stage did not complete (mechanism {endpoint.SaslMechanism ?? "PLAIN"}, user '{endpoint.UserName}')", evidence);
        }

        if (Any(ErrorCode.Local_Ssl) || Says("SSL handshake") || Says("certificate"))
        {
            return new OutboundFailure(VerificationCodes.KafkaTlsFailed, $"the TLS handshake failed at {where}", evidence);
        }

        if (Any(ErrorCode.Local_Resolve) || Says("resolve"))
        {
            return new OutboundFailure(VerificationCodes.DnsFailed, $"a broker name could not be resolved at {where}", evidence);
        }

        // A connect that failed (refused, no route) is unreachable; a broker that accepted and then went silent is a
        // timeout, even when librdkafka afterwards counts every broker as down (it then says "all brokers down" or
        // "disconnected" without any connect failure).
        var refused = Says("Connection refused") || Says("No route to host") || Says("Network is unreachable")
            || log.Concat(all.Select(e => e.Reason)).Any(l => l.Contains("Connect to", StringComparison.Ordinal) && l.Contains("failed", StringComparison.Ordinal));
        if (!refused && (final.Code is ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut || Says("timed out")
            || Any(ErrorCode.Local_AllBrokersDown) || Any(ErrorCode.Local_Transport)))
        {
            return new OutboundFailure(VerificationCodes.KafkaTimeout,
                $"the cluster at {where} did not answer within the timeout", evidence);
        }

        if (refused)
        {
            var broker = log.Concat(all.Select(e => e.Reason)).FirstOrDefault(l => l.Contains("Connect to", StringComparison.Ordinal)) ?? evidence;
            return new OutboundFailure(VerificationCodes.KafkaUnreachable, $"no broker answered at {where}: connecting failed", broker);
        }

        return new OutboundFailure(VerificationCodes.KafkaError, $"the request to {where} failed: {final.Reason}", evidence);
    }
}
