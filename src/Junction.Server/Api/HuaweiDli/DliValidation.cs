using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Junction.Core.Dli;
using Junction.Core.Networks;
using Junction.Server.Api.Wire;

namespace Junction.Server.Api.HuaweiDli;

/// <summary>DLI's field rules (spec/huawei-dli.md §6); problems are collected in the request's <see cref="JsonFields"/>.</summary>
internal static partial class DliValidation
{
    public const int MaxHosts = 20_000;
    public const int MaxTags = 20;

    public static IReadOnlyList<DliHost>? Hosts(JsonFields body)
    {
        var items = body.Objects("hosts");
        if (items is null)
        {
            return null;
        }

        if (items.Count > MaxHosts)
        {
            body.Problem($"hosts may have at most {MaxHosts} entries (got {items.Count})");
            return null;
        }

        var hosts = new List<DliHost>(items.Count);
        foreach (var item in items)
        {
            var name = item.String("name", required: true, maxLength: 128);
            var ip = item.String("ip", required: true);
            if (name is not null && !HostNamePattern().IsMatch(name))
            {
                item.Problem($"{item.Path("name")} '{name}' must start with a letter and contain only letters, digits, '_', '-' and '.'");
            }

            if (ip is not null && !(IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetwork && ip.Count(c => c == '.') == 3))
            {
                item.Problem($"{item.Path("ip")} '{ip}' is not an IPv4 address");
            }

            if (name is not null && ip is not null)
            {
                hosts.Add(new DliHost(name, ip));
            }
        }

        return hosts;
    }

    public static IReadOnlyList<KeyValuePair<string, string>>? Tags(JsonFields body)
    {
        var items = body.Objects("tags");
        if (items is null)
        {
            return null;
        }

        if (items.Count > MaxTags)
        {
            body.Problem($"tags may have at most {MaxTags} entries (got {items.Count})");
            return null;
        }

        var tags = new List<KeyValuePair<string, string>>();
        foreach (var item in items)
        {
            var key = item.String("key", required: true, minLength: 1, maxLength: 128);
            var value = item.String("value", required: true, maxLength: 255);
            if (key is not null && (!TagPattern().IsMatch(key) || key.Trim() != key || key.StartsWith("_sys_", StringComparison.Ordinal)))
            {
                item.Problem($"{item.Path("key")} '{key}' must be letters, digits, spaces and _ . : + - @ =, not start or end with a space, and not start with _sys_");
            }

            if (value is not null && value.Length > 0 && !TagPattern().IsMatch(value))
            {
                item.Problem($"{item.Path("value")} '{value}' may contain only letters, digits, spaces and _ . : + - @ =");
            }

            if (key is not null && value is not null)
            {
                if (tags.Any(t => t.Key == key))
                {
                    item.Problem($"tag key '{key}' is given twice");
                }

                tags.Add(new(key, value));
            }
        }

        return tags;
    }

    public static bool IsConnectionName(string name) => ConnectionNamePattern().IsMatch(name);

    public static bool IsRouteName(string name) => RouteNamePattern().IsMatch(name);

    /// <summary>A CIDR, or a bare IP address (the documented example sends one).</summary>
    public static bool IsRouteCidr(string cidr) => Cidr.TryParse(cidr, out _);

    /// <summary>Queue names: 1–128 of letters, digits and '_', not all digits, not starting with '_' (checked lower-cased).</summary>
    public static bool IsQueueName(string name) => QueueNamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex(@"^[\p{L}\p{N} _.:+\-@=]+$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex ConnectionNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex RouteNamePattern();

    [GeneratedRegex("^(?![0-9]+$)(?!_)[a-z0-9_]{1,128}$")]
    private static partial Regex QueueNamePattern();
}
