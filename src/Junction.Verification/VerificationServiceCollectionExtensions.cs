using Junction.Core.Configuration;
using Junction.Core.Instances;
using Junction.Core.Networks;
using Junction.Core.Verification;
using Junction.Runtime;
using Junction.Verification.ConnectivityTests;
using Junction.Verification.Engine;
using Junction.Verification.Probes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Junction.Verification;

public static class VerificationServiceCollectionExtensions
{
    /// <summary>Registers the network registry, the egress policy, outbound I/O, the probes, the verification worker and the DLI connectivity-test worker.</summary>
    public static IServiceCollection AddVerification(this IServiceCollection services)
    {
        services.AddOptions<VerificationOptions>().BindConfiguration(VerificationOptions.SectionName).ValidateKeyed(VerificationOptions.SectionName).ValidateOnStart();
        services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.SectionName).ValidateKeyed(NetworkOptions.SectionName).ValidateOnStart();
        services.AddOptions<EgressOptions>().BindConfiguration(EgressOptions.SectionName).ValidateKeyed(EgressOptions.SectionName).ValidateOnStart();
        services.AddOptions<InstanceOptions>().BindConfiguration(InstanceOptions.SectionName).ValidateKeyed(InstanceOptions.SectionName).ValidateOnStart();
        services.TryAddSingleton<InstanceRegistry>();
        services.TryAddSingleton<NetworkRegistry>();
        services.TryAddSingleton<EgressPolicy>();
        services.AddJunctionRuntime();
        services.TryAddSingleton<IKafkaProbe, KafkaProbe>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Junction.Core.Connections.IConnectionRetirement, KafkaProbeRetirement>());
        services.TryAddSingleton<IHttpProbe, HttpProbe>();
        services.TryAddSingleton<ITcpProbe, TcpProbe>();
        services.TryAddSingleton<IPingProbe, PingProbe>();
        services.TryAddSingleton<ConnectionVerifier>();
        services.TryAddSingleton<VerificationSignal>();
        services.TryAddSingleton<Junction.Core.Telemetry.JunctionMetrics>();
        services.TryAddSingleton<IVerificationSignal>(sp => sp.GetRequiredService<VerificationSignal>());
        services.TryAddSingleton<VerificationHandler>();
        services.TryAddSingleton<VerificationWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<VerificationWorker>());
        services.TryAddSingleton<ConnectivityTester>();
        services.TryAddSingleton<ConnectivitySignal>();
        services.TryAddSingleton<Junction.Core.Dli.IConnectivitySignal>(sp => sp.GetRequiredService<ConnectivitySignal>());
        services.TryAddSingleton<ConnectivityHandler>();
        services.TryAddSingleton<ConnectivityWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ConnectivityWorker>());
        return services;
    }
}
