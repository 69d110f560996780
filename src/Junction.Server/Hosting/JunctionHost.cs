using Junction.Core.Configuration;
using Junction.Core.Connections;
using Junction.Core.Security;
using Junction.Core.Telemetry;
using Junction.Core.Tenancy;
using Junction.Server.Api.Admin;
using Junction.Server.Api.HuaweiDli;
using Junction.Server.Api.HuaweiEg;
using Junction.Server.Api.Iam;
using Junction.Server.Api.TencentEb;
using Junction.Server.Api.Wire;
using Junction.Server.Auth;
using Junction.Server.OperatorConsole;
using Junction.Server.Security;
using Junction.Storage;
using Junction.Storage.Sql;
using Junction.Verification;
using Junction.Delivery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Junction.Server.Hosting;

/// <summary>Composes the server. Reads like a table of contents: options, storage, core, auth, faces.</summary>
public static partial class JunctionHost
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = "Junction.Server" });
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        ConfigureLogging(builder);

        var services = builder.Services;
        services.AddOptions<JunctionOptions>().BindConfiguration(JunctionOptions.SectionName).ValidateKeyed(JunctionOptions.SectionName).ValidateOnStart();
        services.AddOptions<IamOptions>().BindConfiguration(IamOptions.SectionName).ValidateKeyed(IamOptions.SectionName).ValidateOnStart();
        services.AddOptions<TencentOptions>().BindConfiguration(TencentOptions.SectionName).ValidateKeyed(TencentOptions.SectionName).ValidateOnStart();
        services.AddOptions<SignatureOptions>().BindConfiguration(SignatureOptions.SectionName).ValidateKeyed(SignatureOptions.SectionName).ValidateOnStart();
        services.AddOptions<ConnectionQuotas>().BindConfiguration(ConnectionQuotas.SectionName).ValidateKeyed(ConnectionQuotas.SectionName).ValidateOnStart();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

        var junction = builder.Configuration.GetSection(JunctionOptions.SectionName).Get<JunctionOptions>() ?? new JunctionOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddJunctionStorage(junction.DatabasePath, junction.Database);
        var dataProtection = services.AddDataProtection().SetApplicationName("junction");
        if (string.IsNullOrWhiteSpace(junction.Database))
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(junction.KeysDirectory));
        }
        else
        {
            // Nodes on one PostgreSQL database share one key ring, kept in that database.
            services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(sp =>
                new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
                    o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IDatabase>())));
        }
        services.TryAddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.TryAddSingleton<CredentialService>();
        services.TryAddSingleton<ConnectionService>();
        services.TryAddSingleton<Junction.Core.Dli.DliService>();
        services.TryAddSingleton<Junction.Core.EventBuses.EventBusService>();
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<AuthLockouts>();
        services.TryAddSingleton<HuaweiAuthenticator>();
        services.TryAddSingleton<HuaweiGate>();
        services.TryAddSingleton<Tc3Authenticator>();
        services.TryAddSingleton<EbRateLimiter>();
        services.TryAddSingleton<TenantBootstrapper>();
        services.AddHostedService<InitializationService>();
        services.AddHostedService<StartupSummary>();
        services.TryAddSingleton<DevEchoLog>();
        // After the schema exists and before the verification engine starts: the registries must be filled first.
        services.TryAddSingleton<InventorySync>();
        services.AddHostedService(sp => sp.GetRequiredService<InventorySync>());
        services.TryAddSingleton<JunctionMetrics>();
        services.TryAddSingleton<PrometheusExporter>();
        builder.AddJunctionTelemetry();
        services.AddVerification();
        services.AddDelivery();
        services.AddOptions<EgDataPlaneOptions>().BindConfiguration(EgDataPlaneOptions.SectionName).ValidateKeyed(EgDataPlaneOptions.SectionName).ValidateOnStart();
        services.TryAddSingleton<EgDataPlane>();
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateKeyed(AdminOptions.SectionName).ValidateOnStart();
        services.AddAdminOpenApi();
        services.AddOperatorConsole(builder.Configuration);

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context => (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error switch
            {
                BadHttpRequestException bad => FaceErrors.Malformed(context, bad.StatusCode),
                StorageUnavailableException lost => FaceErrors.Unavailable(context, lost.Message),
                _ => FaceErrors.Internal(context),
            }).ExecuteAsync(context),
            // A client's broken framing is not a server fault: no error log with a stack trace for it.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages(async context =>
        {
            // Routing answers 405 for a known path with an unsupported method; give it the face's envelope too.
            if (context.HttpContext.Response.StatusCode == StatusCodes.Status405MethodNotAllowed && !context.HttpContext.Response.HasStarted)
            {
                await FaceErrors.MethodNotAllowed(context.HttpContext).ExecuteAsync(context.HttpContext);
            }
        });
        app.UseRequestIds();
        app.UseConsoleHeaders();
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConsoleOptions>>().Value.Enabled)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        // Created now so that it listens from the first request on.
        _ = app.Services.GetRequiredService<PrometheusExporter>();
        var metrics = app.Services.GetRequiredService<JunctionMetrics>();
        if (app.Services.GetRequiredService<Junction.Storage.Sql.IDatabase>() is Junction.Storage.Sqlite.SqliteDatabase sqlite)
        {
            metrics.ObserveWriter(() => sqlite.Writer);
        }

        app.Use(async (context, next) =>
        {
            // Every answer counts, a request that threw included: the exception handler outside turns it into a 500,
            // or into Kestrel's 400/408 for a request whose framing could not be read.
            var status = StatusCodes.Status500InternalServerError;
            try
            {
                await next(context);
                status = context.Items.TryGetValue(EbApi.ErrorStatusKey, out var eb) && eb is int ebStatus ? ebStatus : context.Response.StatusCode;
            }
            catch (BadHttpRequestException bad)
            {
                status = bad.StatusCode;
                throw;
            }
            finally
            {
                metrics.Request(FaceErrors.FaceName(context), status);
            }
        });

        app.Use(async (context, next) =>
        {
            // A NUL cannot be stored or compared on PostgreSQL (text holds none): refuse it in any query value before a
            // face uses one as a filter. Kestrel itself refuses one in the path (400); bodies are checked where parsed.
            if (context.Request.Query.Any(q => q.Key.Contains('\0', StringComparison.Ordinal) || q.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) ?? false)))
            {
                await FaceErrors.BadRequest(context, "the request's query contains the NUL character (%00), which Junction does not accept").ExecuteAsync(context);
                return;
            }

            await next(context);
        });

        app.MapHealth();
        app.MapMetrics();
        app.MapIamTokens();
        app.MapIamProjects();
        app.MapHuaweiEg();
        app.MapEgChannels();
        app.MapEgSubscriptions();
        app.MapEgEvents();
        app.MapEgQuotas();
        app.MapTencentEb();
        app.MapEbIngress();
        app.MapHuaweiDli();
        app.MapAdmin();
        app.MapAdminOpenApi();
        app.MapOperatorConsole();
        if (app.Configuration.GetValue<bool>("Junction:Dev:Echo"))
        {
            app.MapDevEcho();
        }

        app.MapFallback(context => FaceErrors.NotFound(context).ExecuteAsync(context));
        return app;
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        // ASP.NET Core's own request logging (a start and a finish line per request, with path and query string: the
        // tenants' filter values) is off unless configured: ~2.8 KB a request filled disks and slowed soaks.
        if (string.IsNullOrEmpty(builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"]))
        {
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        // Text for a person at a terminal, JSON for a log shipper; Junction:LogFormat decides when set.
        var format = builder.Configuration["Junction:LogFormat"] is { Length: > 0 } given ? given : Console.IsOutputRedirected ? "json" : "text";
        if (!string.Equals(format, "text", StringComparison.OrdinalIgnoreCase) && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(
                "Junction:LogFormat", typeof(JunctionOptions), [$"Junction:LogFormat must be text or json (got '{format}')"]);
        }

        if (string.Equals(format, "text", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }
    }
}
