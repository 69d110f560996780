using System.Net;
using System.Net.Sockets;
using Junction.Core.Networks;
using Junction.Core.Verification;

namespace Junction.Runtime.Egress;

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

/// <summary>Where an outbound attempt may go: the addresses a host resolved to (all allowed), or why not.</summary>
public sealed record EgressDecision(IReadOnlyList<IPAddress> Addresses, OutboundFailure? Refusal)
{
    public bool Allowed => Refusal is null;
}

/// <summary>
/// The one gate of every outbound connection (design.md §3, §7). <see cref="CheckAsync"/> resolves a host and checks
/// every address it resolves to before anything is sent: a name is refused if any of its addresses is refused, so a
/// name cannot smuggle in a refused address. <see cref="Check(IPAddress, int, string?)"/> is the same rule for one address, as
/// the connect-time checks (HTTP connect callback, the Kafka egress plugin) apply it to the address being connected.
/// </summary>
public sealed class EgressGuard(EgressPolicy policy, IHostResolver resolver)
{
    private int _kafkaContext;

    /// <summary>The number under which Kafka clients built for this guard find it at connect time (see KafkaEgress).</summary>
    internal int KafkaContext
    {
        get
        {
            if (Volatile.Read(ref _kafkaContext) == 0)
            {
                var context = Kafka.KafkaEgress.Register(this);
                if (Interlocked.CompareExchange(ref _kafkaContext, context, 0) != 0)
                {
                    Kafka.KafkaEgress.Unregister(context);
                }
            }

            return _kafkaContext;
        }
    }

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
                return new EgressDecision([], new OutboundFailure(VerificationCodes.DnsFailed,
                    $"cannot resolve {host}: {exception.SocketErrorCode}", $"host {host}, port {port}"));
            }

            if (addresses.Length == 0)
            {
                return new EgressDecision([], new OutboundFailure(VerificationCodes.DnsFailed,
                    $"{host} resolves to no address", $"host {host}, port {port}"));
            }
        }

        foreach (var address in addresses)
        {
            if (Check(address, port, literal is null ? host : null) is { } refusal)
            {
                return new EgressDecision([], refusal);
            }
        }

        return new EgressDecision(addresses, null);
    }

    /// <summary>The policy's answer for one address about to be connected; null when it is allowed.</summary>
    public OutboundFailure? Check(IPAddress address, int port, string? resolvedFrom = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (policy.Check(address) is not { } refusal)
        {
            return null;
        }

        var via = resolvedFrom is null ? "" : $" ({resolvedFrom} resolves to it)";
        return new OutboundFailure(VerificationCodes.EgressRefused,
            $"refused {address}:{port}{via}: {refusal.Reason}",
            "egress policy: Junction:Egress:Allow and the CIDRs of Junction:Networks; nothing was sent");
    }
}
