using Junction.Core.Work;
using Junction.Runtime.Egress;
using Junction.Runtime.Http;
using Junction.Runtime.Kafka;
using Junction.Runtime.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Junction.Runtime;

public static class RuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers what background work stands on: the node's identity, and outbound I/O — the egress guard and the one
    /// way each kind of connection is opened (HTTP, TCP and ICMP, Kafka). Needs <c>EgressPolicy</c> registered.
    /// </summary>
    public static IServiceCollection AddJunctionRuntime(this IServiceCollection services)
    {
        services.TryAddSingleton<NodeId>();
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.TryAddSingleton<EgressGuard>();
        services.TryAddSingleton<OutboundHttp>();
        services.TryAddSingleton<OutboundSockets>();
        services.TryAddSingleton<KafkaClients>();
        return services;
    }
}
