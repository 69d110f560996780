using Junction.Core.Instances;
using Junction.Core.Inventory;
using Junction.Core.Networks;
using Junction.Core.Security;
using Microsoft.Extensions.Options;

namespace Junction.Server.Hosting;

/// <summary>
/// Keeps the network and instance registries in step with the inventory in the database: once before the server and
/// the verification engine start, after every change made through this node's admin API, and every
/// <c>Junction:InventoryRefresh</c> (default 5 s) so that changes made through another node arrive too.
/// </summary>
internal sealed partial class InventorySync(
    IInventoryStore store,
    Junction.Core.Tenancy.ITenantStore tenants,
    NetworkRegistry networks,
    InstanceRegistry instances,
    ISecretProtector protector,
    IOptions<JunctionOptions> options,
    TimeProvider time,
    ILogger<InventorySync> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var stored = await store.ListNetworksAsync(cancellationToken);
            var kafka = await store.ListKafkaInstancesAsync(cancellationToken);
            // Networks name their owners by IAM domain name; connections carry tenant ids.
            networks.UseTenants((await tenants.ListTenantsAsync(cancellationToken)).ToDictionary(t => t.DomainName, t => t.Id, StringComparer.Ordinal));
            networks.Use(stored);
            instances.Use(kafka.Select(k =>
            {
                var password = k.ProtectedPassword is null ? null : protector.Unprotect(k.ProtectedPassword);
                return new KafkaInstance
                {
                    Id = k.Id,
                    BootstrapServers = k.BootstrapServers,
                    SecurityProtocol = k.SecurityProtocol,
                    SaslMechanism = k.SaslMechanism,
                    UserName = k.UserName,
                    Password = password,
                    PasswordUnreadable = k.ProtectedPassword is not null && password is null,
                    Tenant = k.Tenant,
                    Shared = k.Shared,
                };
            }));
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.InventoryRefresh, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RefreshAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogRefreshFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing networks and instances from the database failed; keeping the last ones read")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
