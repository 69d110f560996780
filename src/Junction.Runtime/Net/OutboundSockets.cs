using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Junction.Runtime.Egress;

namespace Junction.Runtime.Net;

/// <summary>Plain TCP connects and ICMP echoes, each to one address the egress guard allows, checked here again.</summary>
public sealed class OutboundSockets(EgressGuard egress)
{
    /// <summary>Opens and closes one TCP connection; throws <see cref="SocketException"/> when it fails.</summary>
    public async Task ConnectOnceAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (egress.Check(address, port) is { } refusal)
        {
            throw new EgressRefusedException(refusal);
        }

        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address, port, cancellationToken);
    }

    /// <summary>One ICMP echo; throws <see cref="PingException"/> when it cannot be sent.</summary>
    public async Task<PingReply> PingAsync(IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (egress.Check(address, 0) is { } refusal)
        {
            throw new EgressRefusedException(refusal);
        }

        using var ping = new Ping();
        return await ping.SendPingAsync(address, timeout, cancellationToken: cancellationToken);
    }
}
