using Junction.Core.Instances;
using Junction.Core.Networks;
using Junction.Core.Verification;
using Junction.Verification.Egress;
using Junction.Verification.Engine;
using Junction.Verification.Probes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Junction.Verification;

public static class VerificationServiceCollectionExtensions
{
    /// <summary>Registers the network registry, the egress policy and guard, the probes and the engine.</summary>
    public static IServiceCollection AddVerification(this IServiceCollection services)
    {
        services.AddOptions<VerificationOptions>().BindConfiguration(VerificationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EgressOptions>().BindConfiguration(EgressOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InstanceOptions>().BindConfiguration(InstanceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<InstanceRegistry>();
        services.TryAddSingleton<NetworkRegistry>();
        services.TryAddSingleton<EgressPolicy>();
        services.TryAddSingleton<IHostResolver, DnsHostResolver>();
        services.TryAddSingleton<EgressGuard>();
        services.TryAddSingleton<IKafkaProbe, KafkaProbe>();
        services.TryAddSingleton<IHttpProbe, HttpProbe>();
        services.TryAddSingleton<ITcpProbe, TcpProbe>();
        services.TryAddSingleton<IPingProbe, PingProbe>();
        services.TryAddSingleton<ConnectionVerifier>();
        services.TryAddSingleton<VerificationSignal>();
        services.TryAddSingleton<Junction.Core.Telemetry.JunctionMetrics>();
        services.TryAddSingleton<IVerificationSignal>(sp => sp.GetRequiredService<VerificationSignal>());
        services.TryAddSingleton<VerificationEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<VerificationEngine>());
        return services;
    }
}
