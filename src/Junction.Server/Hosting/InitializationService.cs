using Junction.Storage.Sql;
using Microsoft.Extensions.Options;

namespace Junction.Server.Hosting;

/// <summary>
/// Migrates the schema and creates the first tenant before the server accepts requests (hosted services registered
/// by the application start, in order, before Kestrel starts listening).
/// </summary>
internal sealed partial class InitializationService(
    Migrator migrator, TenantBootstrapper bootstrapper, IOptions<JunctionOptions> options, ILogger<InitializationService> logger) : IHostedService
{
    /// <summary>Where the first tenant's credentials go when standard output is not a terminal.</summary>
    public const string CredentialsFile = "first-tenant-credentials.txt";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.MigrateAsync(cancellationToken);
        var banner = await bootstrapper.BootstrapAsync(cancellationToken);
        if (banner is null)
        {
            return;
        }

        // Never logged: log lines are kept and shipped, a one-time secret must not be. A person at a terminal reads it
        // there; otherwise (a service, a pipe) it goes to a file only the owner can read, and the log says where.
        if (!Console.IsOutputRedirected)
        {
            await Console.Out.WriteLineAsync(banner);
            return;
        }

        var path = Path.GetFullPath(Path.Combine(options.Value.DataDirectory, CredentialsFile));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var file = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var writer = new StreamWriter(path, System.Text.Encoding.UTF8, file))
        {
            await writer.WriteAsync(banner);
        }

        LogCredentialsFile(logger, path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "Created the first tenant; standard output is not a terminal, so its credentials were written to {Path} (readable by this user only): read them, then delete the file")]
    private static partial void LogCredentialsFile(ILogger logger, string path);
}
