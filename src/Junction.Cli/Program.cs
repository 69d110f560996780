using System.CommandLine;
using Junction.Cli;
using Junction.Cli.Admin;
using Junction.Server.Hosting;
using Junction.Storage.Sql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

var urls = new Option<string?>("--urls") { Description = $"Addresses to listen on, separated by ';' (default {JunctionHost.DefaultUrls})." };
var data = new Option<string?>("--data") { Description = "Data directory for the SQLite database and keys (default ./data)." };
var database = new Option<string?>("--database") { Description = "A PostgreSQL connection string; without it, SQLite in the data directory." };
var config = new Option<string?>("--config") { Description = "A JSON configuration file (see config/junction.example.json)." };

var serve = new Command("serve", "Start the Junction server. Other --Key=value pairs are passed on as configuration (--Junction:Quotas:EgConnections=500).")
{
    urls, data, database, config,
};
serve.TreatUnmatchedTokensAsErrors = false;
serve.SetAction(async (parse, _) =>
{
    var (app, failure) = Host(parse, serving: true);
    if (app is null)
    {
        return failure;
    }

    return await Listening.RunAsync(app);
});

var migrate = new Command("migrate", "Create or upgrade the database schema, then exit.") { data, database, config };
migrate.SetAction(async (parse, cancellationToken) =>
{
    var (app, failure) = Host(parse, serving: false);
    if (app is null)
    {
        return failure;
    }

    var applied = await app.Services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
    var version = await app.Services.GetRequiredService<Migrator>().CurrentVersionAsync(cancellationToken);
    Console.WriteLine($"applied {applied} migration(s); schema version {version}");
    return ExitCodes.Success;
});

var configCommand = new Command("config", "The effective configuration: print it, or check it without starting the server.");
var printConfig = new Command("print", "Every setting with its value and source (a file, the environment, the command line, or the default); secrets masked.")
{
    data, database, config,
};
printConfig.TreatUnmatchedTokensAsErrors = false;
printConfig.SetAction(parse =>
{
    var (app, failure) = Host(parse, serving: false);
    return app is null ? failure : ConfigCommand.Print(app);
});
var validateConfig = new Command("validate", "Check the configuration as a start would, without starting; exit 0 when valid, 3 otherwise (each problem named by its key).")
{
    data, database, config,
};
validateConfig.TreatUnmatchedTokensAsErrors = false;
validateConfig.SetAction(parse =>
{
    var (app, failure) = Host(parse, serving: false);
    return app is null ? failure : ConfigCommand.Validate(app);
});
configCommand.Subcommands.Add(printConfig);
configCommand.Subcommands.Add(validateConfig);

var root = new RootCommand("Junction: a self-hosted connection service speaking Huawei EG, Tencent EB and Huawei DLI.")
{
    serve,
    migrate,
    configCommand,
    ConnectionCommands.Status(),
    TenantCommands.Tenants(),
    TenantCommands.Keys(),
    TenantCommands.Users(),
    InventoryCommands.Networks(),
    InventoryCommands.Instances(),
    InventoryCommands.Functions(),
    ConnectionCommands.Connections(),
    DeliveryCommands.Deliveries(),
    KafkaMockCommand.Create(),
    DevCommand.Create(),
};
if (args.Length == 0)
{
    // A bare junction says what it can do.
    args = ["--help"];
}

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"junction: {error.Message}");
    }

    Console.Error.WriteLine("Run 'junction --help' for usage.");
    return ExitCodes.Usage;
}

// Leave SIGINT/SIGTERM to the host's console lifetime, which shuts down gracefully.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

// Turns the CLI's options into host configuration; answers no app and an exit code (after saying why) when it cannot.
(Microsoft.AspNetCore.Builder.WebApplication? App, int Failure) Host(ParseResult parse, bool serving)
{
    // Configuration keys given as --Key=value pass straight to the host; anything else is a usage error.
    var hostArgs = new List<string>();
    foreach (var token in parse.UnmatchedTokens)
    {
        if (!token.StartsWith("--", StringComparison.Ordinal) || !token.Contains('=', StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"junction: unrecognized argument '{token}' (configuration keys are given as --Key=value)");
            return (null, ExitCodes.Usage);
        }

        hostArgs.Add(token);
    }

    if (serving && parse.GetValue(urls) is { } u)
    {
        hostArgs.Add($"--urls={u}");
    }

    if (parse.GetValue(data) is { } d)
    {
        hostArgs.Add($"--Junction:DataDirectory={d}");
    }

    if (parse.GetValue(database) is { } db)
    {
        hostArgs.Add($"--Junction:Database={db}");
    }

    var configFile = parse.GetValue(config);
    if (configFile is not null && !File.Exists(configFile))
    {
        Console.Error.WriteLine($"junction: configuration file '{configFile}' does not exist");
        return (null, ExitCodes.Configuration);
    }

    try
    {
        var app = JunctionHost.Build([.. hostArgs], builder =>
        {
            if (configFile is not null)
            {
                // Precedence, lowest first: defaults, the --config file, environment variables, the command line.
                var sources = builder.Configuration.Sources;
                var environment = sources.Select((source, index) => (source, index))
                    .FirstOrDefault(s => s.source is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource).index;
                var file = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = Path.GetFullPath(configFile), Optional = false };
                file.ResolveFileProvider();
                sources.Insert(environment > 0 ? environment : 0, file);
            }
        });
        _ = app.Services.GetRequiredService<IOptions<JunctionOptions>>().Value;
        return (app, ExitCodes.Success);
    }
    catch (OptionsValidationException exception)
    {
        Console.Error.WriteLine($"junction: invalid configuration: {string.Join("; ", exception.Failures)}");
        return (null, ExitCodes.Configuration);
    }
}
