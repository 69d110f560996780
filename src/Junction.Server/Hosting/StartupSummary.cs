using System.Reflection;
using Junction.Core.Networks;
using Junction.Server.Api.Admin;
using Junction.Storage.Sql;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Junction.Server.Hosting;

/// <summary>
/// One start-up summary once the server listens (as MinIO prints one): version, listen URLs, database and schema,
/// data folder, egress allow-list, admin API, console, verification and delivery, and the faces with their paths.
/// </summary>
internal sealed partial class StartupSummary(
    IHostApplicationLifetime lifetime, IServer server, Migrator migrator, IDatabase database, EgressPolicy egress,
    IOptions<JunctionOptions> junction, IOptions<AdminOptions> admin, IOptions<Junction.Verification.Engine.VerificationOptions> verification,
    IOptions<Junction.Delivery.DeliveryOptions> delivery, IOptions<OperatorConsole.ConsoleOptions> console, ILogger<StartupSummary> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = SummarizeAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SummarizeAsync()
    {
        try
        {
            var version = typeof(StartupSummary).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var schema = await migrator.CurrentVersionAsync(CancellationToken.None);
            var storage = database.Kind == "sqlite"
                ? $"sqlite {Path.GetFullPath(junction.Value.DatabasePath)}"
                : "postgresql";
            var allowed = egress.Allowed.Count == 0 ? "nothing but declared networks" : string.Join(", ", egress.Allowed);
            LogSummary(logger, version, string.Join(", ", urls), storage, schema, Path.GetFullPath(junction.Value.DataDirectory), allowed,
                string.IsNullOrEmpty(admin.Value.Key) ? "off (set Junction:Admin:Key)" : "on at /junction/v1",
                !console.Value.Enabled ? "off (Junction:Console:Enabled)" : string.IsNullOrEmpty(admin.Value.Key) ? "on at /console, but no one can sign in (set Junction:Admin:Key)" : "on at /console",
                OnOff(verification.Value.Enabled), OnOff(delivery.Value.Enabled));
        }
#pragma warning disable CA1031 // A summary that cannot be written must not stop the server.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogFailed(logger, exception);
        }
    }

    private static string OnOff(bool enabled) => enabled ? "on" : "off";

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = """
        Junction {Version} is ready.
          listening     {Urls}
          database      {Storage}, schema {Schema}
          data folder   {DataFolder}
          egress        {Egress}
          admin API     {Admin}
          console       {Console}
          verification  {Verification}; delivery {Delivery}
          faces         Huawei EG /v1/{{project_id}}, Huawei DLI /v1.0 /v2.0 /v3/{{project_id}}, IAM /v3/auth /v3/projects, Tencent EB POST /, health /healthz /readyz, metrics /metrics
        """)]
    private static partial void LogSummary(
        ILogger logger, string version, string urls, string storage, int schema, string dataFolder, string egress, string admin, string console, string verification, string delivery);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "The start-up summary could not be written")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
