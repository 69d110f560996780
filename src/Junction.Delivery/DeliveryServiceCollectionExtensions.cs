using Junction.Core.Configuration;
using Junction.Core.Delivery;
using Junction.Core.Events;
using Junction.Delivery.Sinks;
using Junction.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Junction.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Registers the publisher, the sinks and the delivery worker. Needs the stores, the egress policy and the network registry.</summary>
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.SectionName).ValidateKeyed(DeliveryOptions.SectionName).ValidateOnStart();
        services.AddJunctionRuntime();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<DeliveryOptions>>().Value);
        services.TryAddSingleton<WebhookSink>();
        services.TryAddSingleton<KafkaSink>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Junction.Core.Connections.IConnectionRetirement, KafkaSinkRetirement>());
        services.TryAddSingleton<ConnectionLimiter>();
        services.TryAddSingleton<CompletionBatcher>();
        services.TryAddSingleton<DeliverySignal>();
        services.TryAddSingleton<IDeliverySignal>(sp => sp.GetRequiredService<DeliverySignal>());
        services.TryAddSingleton<DeliveryHandoff>();
        services.TryAddSingleton<IDeliveryHandoff>(sp => sp.GetRequiredService<DeliveryHandoff>());
        services.TryAddSingleton<DeliveryOutbox>();
        services.TryAddSingleton<EgPublisher>();
        services.TryAddSingleton<Junction.Core.EventBuses.EbPublisher>();
        services.TryAddSingleton<EgFaceDelivery>();
        services.TryAddSingleton<EbFaceDelivery>();
        services.TryAddSingleton<DeliveryHandler>();
        services.TryAddSingleton<DeliveryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryWorker>());
        services.AddOptions<Junction.Core.EventBuses.EbDataPlaneOptions>().BindConfiguration(Junction.Core.EventBuses.EbDataPlaneOptions.SectionName)
            .ValidateKeyed(Junction.Core.EventBuses.EbDataPlaneOptions.SectionName).ValidateOnStart();
        services.TryAddSingleton<Sources.CkafkaConnectorSources>();
        services.AddHostedService(sp => sp.GetRequiredService<Sources.CkafkaConnectorSources>());
        services.TryAddSingleton<RetentionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionSweeper>());
        return services;
    }
}
