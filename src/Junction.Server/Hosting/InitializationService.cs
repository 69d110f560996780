using Junction.Storage.Sql;

namespace Junction.Server.Hosting;

/// <summary>
/// Migrates the schema and creates the first tenant before the server accepts requests (hosted services registered
/// by the application start, in order, before Kestrel starts listening).
/// </summary>
internal sealed class InitializationService(Migrator migrator, TenantBootstrapper bootstrapper) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.MigrateAsync(cancellationToken);
        var banner = await bootstrapper.BootstrapAsync(cancellationToken);
        if (banner is not null)
        {
            // Printed to the terminal, not logged: log lines are kept and shipped, a one-time secret must not be.
            await Console.Out.WriteLineAsync(banner);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
