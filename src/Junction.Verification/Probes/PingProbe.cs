using System.Net.NetworkInformation;
using Junction.Core.Verification;
using Junction.Runtime.Egress;
using Junction.Runtime.Net;

namespace Junction.Verification.Probes;

public interface IPingProbe
{
    Task<VerificationResult> ProbeAsync(string host, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// One ICMP echo to a host (DLI hosts name machines, not services: there is no port to connect to), after the egress
/// guard allowed its address.
/// </summary>
public sealed class PingProbe(EgressGuard egress, OutboundSockets sockets) : IPingProbe
{
    public async Task<VerificationResult> ProbeAsync(string host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var decision = await egress.CheckAsync(host, 0, cancellationToken);
        if (!decision.Allowed)
        {
            return VerificationResult.Failure(decision.Refusal!);
        }

        var address = decision.Addresses[0];
        try
        {
            var reply = await sockets.PingAsync(address, timeout, cancellationToken);
            return reply.Status == IPStatus.Success
                ? VerificationResult.Success($"{host} answered ICMP echo in {reply.RoundtripTime} ms")
                : VerificationResult.Failure(reply.Status == IPStatus.TimedOut ? VerificationCodes.HostTimeout : VerificationCodes.HostUnreachable,
                    $"{host} did not answer ICMP echo: {reply.Status}", $"address {address}");
        }
        catch (PingException exception)
        {
            return VerificationResult.Failure(VerificationCodes.HostUnreachable, $"cannot send ICMP echo to {host}: {exception.InnerException?.Message ?? exception.Message}", $"address {address}");
        }
    }
}
