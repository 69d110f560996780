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

    /// <summary>
    /// The address of a connectivity test: <c>host:port</c>, <c>[IPv6]:port</c> — an IP address or a DNS name, and a port
    /// from 1 to 65535. Null with <paramref name="problem"/> naming what is wrong.
    /// </summary>
    public static (string Host, int Port)? Address(string text, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = null;
        string host;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                problem = $"address '{text}' must be [IPv6]:port, e.g. [fd00::1]:5432";
                return null;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = $"address '{text}': '{host}' is not an IPv6 address";
                return null;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                problem = colon < 0
                    ? $"address '{text}' has no port: give host:port, e.g. {text}:5432"
                    : $"address '{text}' has no port or is an IPv6 address without brackets: give host:port or [IPv6]:port";
                return null;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
            var isIp = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork && host.Count(c => c == '.') == 3;
            if (!isIp && !DnsNamePattern().IsMatch(host))
            {
                problem = $"address '{text}': '{host}' is neither an IPv4 address nor a DNS name (letters, digits, '-' and '.', at most 253 characters)";
                return null;
            }
        }

        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            problem = $"address '{text}': the port must be a number from 1 to 65535 (got '{portText}')";
            return null;
        }

        return (host, port);
    }

    /// <summary>The <c>tags=k1=v1,k2=v2</c> filter of the lists: at most <see cref="MaxTags"/> pairs, as many as a resource can have.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> QueryTags(IQueryCollection query, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(problems);
        var tags = new List<KeyValuePair<string, string>>();
        var pairs = query["tags"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (pairs.Length > MaxTags)
        {
            problems.Add($"tags may name at most {MaxTags} key=value pairs (got {pairs.Length})");
            return tags;
        }

        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                problems.Add($"tags must be key=value[,key=value...] (got '{pair}')");
                continue;
            }

            tags.Add(new(pair[..equals], pair[(equals + 1)..]));
        }

        return tags;
    }

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

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.-]{0,127}\z")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex(@"^[\p{L}\p{N} _.:+\-@=]+\z")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_]{1,64}\z")]
    private static partial Regex ConnectionNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex RouteNamePattern();

    [GeneratedRegex(@"^(?![0-9]+\z)(?!_)[a-z0-9_]{1,128}\z")]
    private static partial Regex QueueNamePattern();

    /// <summary>A DNS name: labels of letters, digits and '-' (not at either end), at most 63 each and 253 in all.</summary>
    [GeneratedRegex(@"\A(?=.{1,253}\z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex DnsNamePattern();
}
