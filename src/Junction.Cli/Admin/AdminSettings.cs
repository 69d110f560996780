using System.CommandLine;
using System.Text.Json;

namespace Junction.Cli.Admin;

/// <summary>
/// Where the admin API is and the operator key, from (first found wins) the flags <c>--server</c> and
/// <c>--admin-key</c>, the environment (<c>JUNCTION_SERVER</c>, <c>JUNCTION_ADMIN_KEY</c>), or a JSON file
/// (<c>--cli-config</c>, <c>JUNCTION_CLI_CONFIG</c>, or <c>~/.config/junction/cli.json</c>):
/// <c>{"server": "http://127.0.0.1:8080", "admin_key": "..."}</c>.
/// </summary>
internal sealed record AdminSettings(Uri Server, string Key, bool Json)
{
    public static Option<string?> ServerOption { get; } = new("--server")
    {
        Description = "The Junction server (default: JUNCTION_SERVER, the CLI config file, then http://127.0.0.1:8080).",
        Recursive = true,
    };

    public static Option<string?> KeyOption { get; } = new("--admin-key")
    {
        Description = "The operator key (Junction:Admin:Key). Prefer JUNCTION_ADMIN_KEY or the CLI config file: flags show in the process list.",
        Recursive = true,
    };

    public static Option<string> OutputOption { get; } = new("--output", "-o")
    {
        Description = "table (for people) or json (the API's answer, for scripts).",
        DefaultValueFactory = _ => "table",
        Recursive = true,
    };

    public static Option<string?> ConfigOption { get; } = new("--cli-config")
    {
        Description = "A JSON file with server and admin_key (default: JUNCTION_CLI_CONFIG, then ~/.config/junction/cli.json).",
        Recursive = true,
    };

    static AdminSettings() => OutputOption.Validators.Add(result =>
    {
        if (result.GetValueOrDefault<string>() is not ("table" or "json") and var given)
        {
            result.AddError($"--output must be table or json (got '{given}')");
        }
    });

    public static IEnumerable<Option> All => [ServerOption, KeyOption, OutputOption, ConfigOption];

    public static AdminSettings Resolve(ParseResult parse)
    {
        var file = ReadFile(parse.GetValue(ConfigOption) ?? Environment.GetEnvironmentVariable("JUNCTION_CLI_CONFIG"));
        var server = parse.GetValue(ServerOption) ?? Env("JUNCTION_SERVER") ?? file.Server ?? "http://127.0.0.1:8080";
        var key = parse.GetValue(KeyOption) ?? Env("JUNCTION_ADMIN_KEY") ?? file.Key;
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.Configuration, $"the server address '{server}' is not an http:// or https:// URL");
        }

        if (string.IsNullOrEmpty(key))
        {
            throw new CliException(ExitCodes.Configuration,
                "no operator key: set JUNCTION_ADMIN_KEY, put \"admin_key\" in the CLI config file, or pass --admin-key (the server's Junction:Admin:Key)");
        }

        return new AdminSettings(uri, key, parse.GetValue(OutputOption) == "json");
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static (string? Server, string? Key) ReadFile(string? path)
    {
        var explicitPath = path is not null;
        path ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "junction", "cli.json");
        if (!File.Exists(path))
        {
            return explicitPath ? throw new CliException(ExitCodes.Configuration, $"the CLI config file '{path}' does not exist") : (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            return (Text(root, "server"), Text(root, "admin_key"));
        }
        catch (JsonException exception)
        {
            throw new CliException(ExitCodes.Configuration, $"the CLI config file '{path}' is not valid JSON: {exception.Message}");
        }
        catch (InvalidOperationException)
        {
            throw new CliException(ExitCodes.Configuration, $"the CLI config file '{path}' must be a JSON object with string fields server and admin_key");
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.GetString() : null;
}
