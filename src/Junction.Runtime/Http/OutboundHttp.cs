using System.Net;
using System.Net.Sockets;
using Junction.Core.Networks;
using Junction.Runtime.Egress;

namespace Junction.Runtime.Http;

/// <summary>
/// HTTP clients for probes and deliveries. Their connections are opened by a connect callback that asks the egress
/// guard first, and then connects to exactly the addresses that were checked (never a fresh resolution of the name),
/// so not even a TCP handshake reaches a refused address; redirects are never followed automatically.
/// </summary>
public sealed class OutboundHttp(EgressGuard egress)
{
    /// <summary>
    /// A client with its own connection pool. <paramref name="maxConnectionsPerServer"/> bounds the sockets to one
    /// endpoint; <paramref name="pooledConnectionLifetime"/> makes long-lived pools see DNS and policy changes.
    /// Requests fail with an <see cref="HttpRequestException"/> whose inner exception is an
    /// <see cref="EgressRefusedException"/> when the guard refused the address. <paramref name="restrict"/> narrows the
    /// policy for this client (a private connection's network): it answers why an allowed address is still refused.
    /// </summary>
    public HttpClient CreateClient(
        string userAgent, TimeSpan pooledConnectionLifetime, int maxConnectionsPerServer = int.MaxValue,
        Func<IPAddress, int, OutboundFailure?>? restrict = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = pooledConnectionLifetime,
            MaxConnectionsPerServer = maxConnectionsPerServer,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context, restrict, cancellationToken),
        };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return client;
    }

    private async ValueTask<Stream> ConnectAsync(
        SocketsHttpConnectionContext context, Func<IPAddress, int, OutboundFailure?>? restrict, CancellationToken cancellationToken)
    {
        var decision = await egress.CheckAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
        if (!decision.Allowed)
        {
            throw new EgressRefusedException(decision.Refusal!);
        }

        foreach (var address in decision.Addresses)
        {
            if (restrict?.Invoke(address, context.DnsEndPoint.Port) is { } refusal)
            {
                throw new EgressRefusedException(refusal);
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(decision.Addresses.ToArray(), context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
