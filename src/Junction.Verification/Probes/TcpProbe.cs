using System.Net.Sockets;
using Junction.Core.Verification;
using Junction.Runtime.Egress;
using Junction.Runtime.Net;

namespace Junction.Verification.Probes;

public interface ITcpProbe
{
    Task<VerificationResult> ProbeAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>Opens (and closes) a TCP connection to one host and port, after the egress guard allowed every address.</summary>
public sealed class TcpProbe(EgressGuard egress, OutboundSockets sockets) : ITcpProbe
{
    public async Task<VerificationResult> ProbeAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var decision = await egress.CheckAsync(host, port, cancellationToken);
        if (!decision.Allowed)
        {
            return VerificationResult.Failure(decision.Refusal!);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var failures = new List<string>();
        foreach (var address in decision.Addresses)
        {
            try
            {
                await sockets.ConnectOnceAsync(address, port, deadline.Token);
                return VerificationResult.Success($"TCP connection to {host}:{port} succeeded", $"connected to {address}:{port}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return VerificationResult.Failure(VerificationCodes.TcpTimeout,
                    $"TCP connection to {host}:{port} did not complete within {timeout.TotalSeconds:0.###} s", $"address {address}");
            }
            catch (SocketException exception)
            {
                failures.Add($"{address}:{port} {exception.SocketErrorCode}");
            }
        }

        return VerificationResult.Failure(VerificationCodes.TcpUnreachable,
            $"TCP connection to {host}:{port} failed: {string.Join(", ", failures)}", "check that the host is up and the port is open");
    }
}
