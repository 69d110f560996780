using System.Net;
using Junction.Core.Networks;
using Junction.Runtime.Egress;
using Junction.Runtime.Http;
using Junction.Runtime.Kafka;
using Junction.Runtime.Net;
using Junction.Verification.Probes;
using Microsoft.Extensions.Options;

namespace Junction.Verification.Tests.Egress;

/// <summary>Builds guards for tests: an allow-list, declared networks, and a resolver that answers from a table.</summary>
internal static class TestEgress
{
    public static EgressGuard Guard(string[]? allow = null, NetworkOptions? networks = null, Dictionary<string, IPAddress[]>? names = null) =>
        new(Policy(allow, networks), new TableResolver(names ?? []));

    public static KafkaProbe Kafka(EgressGuard? guard = null) => new(new KafkaClients(guard ?? Guard()));

    public static HttpProbe Http(EgressGuard? guard = null)
    {
        guard ??= Guard();
        return new HttpProbe(guard, new OutboundHttp(guard));
    }

    public static TcpProbe Tcp(EgressGuard? guard = null)
    {
        guard ??= Guard();
        return new TcpProbe(guard, new OutboundSockets(guard));
    }

    public static EgressPolicy Policy(string[]? allow = null, NetworkOptions? networks = null) =>
        new(Options.Create(new EgressOptions { Allow = [.. allow ?? ["127.0.0.0/8"]] }), new NetworkRegistry(Options.Create(networks ?? new NetworkOptions())));

    public sealed class TableResolver(Dictionary<string, IPAddress[]> names) : IHostResolver
    {
        public List<string> Asked { get; } = [];

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            Asked.Add(host);
            return names.TryGetValue(host, out var addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));
        }
    }
}
