using System.Collections;
using System.Globalization;
using System.Reflection;
using Junction.Core.Connections;
using Junction.Core.Instances;
using Junction.Core.Networks;
using Junction.Delivery;
using Junction.Server.Api.Admin;
using Junction.Server.Api.HuaweiEg;
using Junction.Server.Hosting;
using Junction.Verification.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Junction.Cli;

/// <summary>
/// <c>junction config print|validate</c>: the effective configuration — every setting with its value and where it
/// came from (a file, the environment, the command line, or the default), secrets masked — and a check of all of it
/// without starting the server.
/// </summary>
internal static class ConfigCommand
{
    /// <summary>The settings sections, each with the options type bound to it.</summary>
    private static readonly (string Section, Type Type)[] s_sections =
    [
        (JunctionOptions.SectionName, typeof(JunctionOptions)),
        (IamOptions.SectionName, typeof(IamOptions)),
        (SignatureOptions.SectionName, typeof(SignatureOptions)),
        (TencentOptions.SectionName, typeof(TencentOptions)),
        (ConnectionQuotas.SectionName, typeof(ConnectionQuotas)),
        (AdminOptions.SectionName, typeof(AdminOptions)),
        (TelemetryOptions.SectionName, typeof(TelemetryOptions)),
        (EgDataPlaneOptions.SectionName, typeof(EgDataPlaneOptions)),
        (Junction.Core.EventBuses.EbDataPlaneOptions.SectionName, typeof(Junction.Core.EventBuses.EbDataPlaneOptions)),
        (VerificationOptions.SectionName, typeof(VerificationOptions)),
        (DeliveryOptions.SectionName, typeof(DeliveryOptions)),
        (NetworkOptions.SectionName, typeof(NetworkOptions)),
        (EgressOptions.SectionName, typeof(EgressOptions)),
        (InstanceOptions.SectionName, typeof(InstanceOptions)),
    ];

    /// <summary>Prints every setting as <c>key = value   (source)</c>.</summary>
    public static int Print(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var root = (IConfigurationRoot)app.Configuration;
        if (Problems(app) is { Count: > 0 } problems)
        {
            // Values that do not validate cannot be shown as the server would use them.
            return Report(problems);
        }

        foreach (var (section, type) in s_sections)
        {
            var value = Value(app, type);
            foreach (var (key, text) in Flatten(section, value))
            {
                Console.Out.WriteLine($"{key} = {(IsSecret(key) && text.Length > 0 ? "****" : text)}   ({Source(root, key)})");
            }
        }

        foreach (var variable in TenantBootstrapper.Variables)
        {
            var text = app.Configuration[variable];
            Console.Out.WriteLine($"{variable} = {(string.IsNullOrEmpty(text) ? "" : IsSecret(variable) ? "****" : text)}   ({(string.IsNullOrEmpty(text) ? "unset: the default or a generated value, on the first start only" : Source(root, variable))})");
        }

        return ExitCodes.Success;
    }

    /// <summary>Checks every section (and the log format) as the server's start would; prints each problem by its key.</summary>
    public static int Validate(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (Problems(app) is { Count: > 0 } problems)
        {
            return Report(problems);
        }

        Console.Out.WriteLine("the configuration is valid");
        return ExitCodes.Success;
    }

    /// <summary>What every section's validation says (each problem names its key).</summary>
    private static List<string> Problems(WebApplication app)
    {
        var problems = new List<string>();
        foreach (var (_, type) in s_sections)
        {
            try
            {
                _ = Value(app, type);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is OptionsValidationException invalid)
            {
                problems.AddRange(invalid.Failures);
            }
        }

        return problems;
    }

    private static int Report(List<string> problems)
    {
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"junction: {problem}");
        }

        return ExitCodes.Configuration;
    }

    private static object Value(WebApplication app, Type type)
    {
        var options = typeof(IOptions<>).MakeGenericType(type);
        return options.GetProperty("Value")!.GetValue(app.Services.GetRequiredService(options))!;
    }

    /// <summary>Settings whose value is a secret (or holds one, as a connection string's password): printed as ****.</summary>
    private static bool IsSecret(string key) =>
        key[(key.LastIndexOf(':') + 1)..] is "Key" or "Password" or "Database" or "Headers" or "JUNCTION_SECRET_KEY" or "JUNCTION_PASSWORD";

    private static string Source(IConfigurationRoot root, string key)
    {
        var provider = root.Providers.Reverse().FirstOrDefault(p => p.TryGet(key, out _));
        return provider switch
        {
            null => "default",
            FileConfigurationProvider file => $"file {file.Source.Path}",
            _ when provider.GetType().Name.StartsWith("EnvironmentVariables", StringComparison.Ordinal) => "environment",
            _ when provider.GetType().Name.StartsWith("CommandLine", StringComparison.Ordinal) => "command line",
            _ => provider.GetType().Name,
        };
    }

    /// <summary>Every bindable setting under <paramref name="prefix"/> (public get and set), lists by index.</summary>
    private static IEnumerable<(string Key, string Text)> Flatten(string prefix, object? value)
    {
        switch (value)
        {
            case null:
                yield return (prefix, "");
                yield break;
            case string or bool or TimeSpan or Enum or IFormattable:
                yield return (prefix, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                yield break;
            case IEnumerable list:
                var index = 0;
                foreach (var item in list)
                {
                    foreach (var entry in Flatten($"{prefix}:{index++}", item))
                    {
                        yield return entry;
                    }
                }

                if (index == 0)
                {
                    yield return (prefix, "[]");
                }

                yield break;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.SetMethod?.IsPublic == true))
        {
            foreach (var entry in Flatten($"{prefix}:{property.Name}", property.GetValue(value)))
            {
                yield return entry;
            }
        }
    }
}
