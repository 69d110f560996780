using System.Net;
using System.Net.Sockets;
using Junction.Core.Networks;
using Junction.Core.Verification;

namespace Junction.Verification.Egress;

/// <summary>Resolves host names; a port so tests can answer without a DNS server.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>Where a probe may go: the addresses a host resolved to (all allowed), or why not.</summary>
public sealed record EgressDecision(IReadOnlyList<IPAddress> Addresses, VerificationResult? Refusal)
{
    public bool Allowed => Refusal is null;
}

/// <summary>
/// Resolves a host and checks every address it resolves to against the egress policy before anything is sent.
/// A name is refused if any of its addresses is refused, so a name cannot smuggle in a refused address.
/// </summary>
public sealed class EgressGuard(EgressPolicy policy, IHostResolver resolver)
{
    public async Task<EgressDecision> CheckAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var bare = host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(bare, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await resolver.ResolveAsync(bare, cancellationToken);
            }
            catch (SocketException exception)
            {
                return new EgressDecision([], VerificationResult.Failure(VerificationCodes.DnsFailed,
                    $"cannot resolve {host}: {exception.SocketErrorCode}", $"host {host}, port {port}"));
            }

            if (addresses.Length == 0)
            {
                return new EgressDecision([], VerificationResult.Failure(VerificationCodes.DnsFailed,
                    $"{host} resolves to no address", $"host {host}, port {port}"));
            }
        }

        foreach (var address in addresses)
        {
            if (policy.Check(address) is { } refusal)
            {
                var via = literal is null ? $" ({host} resolves to it)" : "";
                return new EgressDecision([], VerificationResult.Failure(VerificationCodes.EgressRefused,
                    $"refused {address}:{port}{via}: {refusal.Reason}", "egress policy: Junction:Egress:Allow and the CIDRs of Junction:Networks; nothing was sent"));
            }
        }

        return new EgressDecision(addresses, null);
    }
}
