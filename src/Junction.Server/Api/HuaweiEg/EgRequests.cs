using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Junction.Core.Connections;
using Junction.Server.Api.Wire;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>A validated create request, ready for Core.</summary>
internal sealed record EgCreate(string Name, string Description, string VpcId, string SubnetId, string Type, KafkaTarget? Kafka, string? Password);

/// <summary>Parses and validates EG request bodies and queries. Every rule names its field; all problems are reported together.</summary>
internal static partial class EgRequests
{
    public const string Webhook = "WEBHOOK";
    public const string Kafka = "KAFKA";

    private static readonly string[] s_protocols = ["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"];
    private static readonly string[] s_acks = ["0", "1", "all"];
    private static readonly string[] s_mechanisms = ["PLAIN", "SCRAM-SHA-512", "SCRAM-SHA-256"];

    public static EgCreate? ParseCreate(JsonFields body)
    {
        var name = body.String("name", required: true, maxLength: 128, minLength: 1);
        if (name is not null)
        {
            if (!NamePattern().IsMatch(name))
            {
                body.Problem("name may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit");
            }
            else if (string.Equals(name, "default", StringComparison.OrdinalIgnoreCase))
            {
                body.Problem("name cannot be 'default': it is reserved for EG's built-in public-network connection");
            }
        }

        var description = body.String("description", maxLength: 255) ?? "";
        var vpcId = body.String("vpc_id", required: true, maxLength: 128, minLength: 1);
        var subnetId = body.String("subnet_id", required: true, maxLength: 128, minLength: 1);
        var type = ParseType(body);

        KafkaTarget? kafka = null;
        string? password = null;
        if (type == Kafka)
        {
            var detail = body.Object("kafka_detail", required: true);
            if (detail is not null)
            {
                (kafka, password) = ParseKafka(detail);
            }
        }
        else if (type == Webhook && body.Has("kafka_detail") && !body.IsEmptyObject("kafka_detail"))
        {
            body.Problem("kafka_detail is only allowed when type is KAFKA");
        }

        return body.HasProblems ? null : new EgCreate(name!, description, vpcId!, subnetId!, type!, kafka, password);
    }

    /// <summary>Update changes only <c>description</c>; other fields are read-only and ignored, as in EG (Terraform marks them ForceNew).</summary>
    public static string? ParseUpdate(JsonFields body, out bool given)
    {
        given = body.Has("description");
        return body.String("description", maxLength: 255);
    }

    public static ConnectionQuery? ParseList(IQueryCollection query, string tenantId, out string? problem)
    {
        var problems = new List<string>();
        var offset = Integer(query, "offset", 0, 0, int.MaxValue, problems);
        var limit = Integer(query, "limit", 15, 1, 1000, problems);
        var (sort, descending) = ParseSort(query["sort"].ToString(), problems);
        var name = Text(query, "name", problems);
        var fuzzy = Text(query, "fuzzy_name", problems);
        var instance = Text(query, "instance_id", problems);
        problem = problems.Count > 0 ? string.Join("; ", problems) : null;
        return problem is null
            ? new ConnectionQuery(tenantId, Scopes.HuaweiEg, offset, limit, sort, descending, name, fuzzy, instance)
            : null;
    }

    private static string? ParseType(JsonFields body)
    {
        // The published example sends "type": {} (a documentation generator's rendering of an unset enum): treat an
        // empty object as "not given" so the seed's own example request works.
        if (body.IsEmptyObject("type"))
        {
            return Webhook;
        }

        var type = body.String("type");
        if (type is null)
        {
            return body.Has("type") ? null : Webhook;
        }

        var upper = type.ToUpperInvariant();
        if (upper is Webhook or Kafka)
        {
            return upper;
        }

        body.Problem(upper == "ROCKETMQ"
            ? "type ROCKETMQ is not supported by Junction; use WEBHOOK or KAFKA"
            : $"type must be WEBHOOK or KAFKA (got '{type}')");
        return null;
    }

    private static (KafkaTarget?, string?) ParseKafka(JsonFields detail)
    {
        var instanceId = detail.String("instance_id", required: true, maxLength: 128, minLength: 1);
        var addr = detail.String("addr", required: true, maxLength: 2048, minLength: 1);
        if (addr is not null)
        {
            foreach (var problem in AddressProblems(addr))
            {
                detail.Problem($"{detail.Path("addr")} {problem}");
            }
        }

        var protocol = detail.String("security_protocol")?.ToUpperInvariant();
        if (protocol is not null && !s_protocols.Contains(protocol))
        {
            detail.Problem($"{detail.Path("security_protocol")} must be one of {string.Join(", ", s_protocols)} (got '{protocol}')");
        }

        var enable = detail.Bool("enable_sasl_ssl");
        var legacyEnable = detail.Bool("sasl_ssl");
        if (enable is not null && legacyEnable is not null && enable != legacyEnable)
        {
            detail.Problem($"{detail.Path("enable_sasl_ssl")} and {detail.Path("sasl_ssl")} disagree; send one of them");
        }

        var userName = detail.String("user_name", maxLength: 256);
        var legacyUser = detail.String("username", maxLength: 256);
        if (userName is not null && legacyUser is not null && userName != legacyUser)
        {
            detail.Problem($"{detail.Path("user_name")} and {detail.Path("username")} disagree; send one of them");
        }

        userName ??= legacyUser;
        var password = detail.String("password", maxLength: 256);
        var acks = detail.String("acks") ?? "1";
        if (!s_acks.Contains(acks))
        {
            detail.Problem($"{detail.Path("acks")} must be \"0\", \"1\" or \"all\" (got '{acks}')");
        }

        // A Junction extension (EG has no field for it): PLAIN by default, SCRAM as Huawei DMS also offers.
        var mechanism = detail.String("sasl_mechanism")?.ToUpperInvariant();
        if (mechanism is not null && !s_mechanisms.Contains(mechanism))
        {
            detail.Problem($"{detail.Path("sasl_mechanism")} must be one of {string.Join(", ", s_mechanisms)} (got '{mechanism}')");
        }

        var sasl = enable ?? legacyEnable ?? protocol is "SASL_SSL" or "SASL_PLAINTEXT";
        protocol ??= sasl ? "SASL_SSL" : "PLAINTEXT";
        var protocolIsSasl = protocol.StartsWith("SASL_", StringComparison.Ordinal);
        if (sasl && !protocolIsSasl)
        {
            detail.Problem($"{detail.Path("enable_sasl_ssl")} is true but {detail.Path("security_protocol")} is {protocol}");
        }
        else if (!sasl && protocolIsSasl && (enable ?? legacyEnable) == false)
        {
            detail.Problem($"{detail.Path("security_protocol")} is {protocol} but {detail.Path("enable_sasl_ssl")} is false");
        }

        if (protocolIsSasl)
        {
            if (string.IsNullOrEmpty(userName))
            {
                detail.Problem($"{detail.Path("user_name")} is mandatory when SASL is enabled");
            }

            if (string.IsNullOrEmpty(password))
            {
                detail.Problem($"{detail.Path("password")} is mandatory when SASL is enabled");
            }
        }

        if (detail.HasProblems)
        {
            return (null, null);
        }

        return (new KafkaTarget(instanceId!, NormalizeAddresses(addr!), protocol, protocolIsSasl, userName, acks,
            protocolIsSasl ? mechanism ?? "PLAIN" : null), password);
    }

    /// <summary>Checks <c>host:port[,host:port...]</c>; hosts may be names, IPv4, or bracketed IPv6.</summary>
    internal static IEnumerable<string> AddressProblems(string addr)
    {
        foreach (var raw in addr.Split(','))
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                yield return "has an empty entry; use host:port separated by commas";
                continue;
            }

            var colon = entry.LastIndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1)
            {
                yield return $"entry '{entry}' must be host:port";
                continue;
            }

            var host = entry[..colon];
            var port = entry[(colon + 1)..];
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                yield return $"entry '{entry}' has port '{port}', which is not a number from 1 to 65535";
            }
            else if (!HostPattern().IsMatch(host))
            {
                yield return $"entry '{entry}' has host '{host}', which is not a host name or IP address";
            }
            else if (host.StartsWith('[')
                && !(System.Net.IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
            {
                yield return $"entry '{entry}' has host '{host}', whose brackets hold no IPv6 address";
            }
        }
    }

    private static string NormalizeAddresses(string addr) =>
        string.Join(',', addr.Split(',').Select(a => a.Trim()));

    private static (SortField, bool) ParseSort(string sort, List<string> problems)
    {
        if (sort.Length == 0)
        {
            return (SortField.CreatedTime, true);
        }

        var parts = sort.Split(':');
        SortField? field = parts[0] switch
        {
            "created_time" => SortField.CreatedTime,
            "updated_time" => SortField.UpdatedTime,
            "name" => SortField.Name,
            _ => null,
        };
        bool? descending = parts.Length == 1 ? true : parts[1].ToUpperInvariant() switch
        {
            "DESC" => true,
            "ASC" => false,
            _ => null,
        };
        if (field is null || descending is null || parts.Length > 2)
        {
            problems.Add($"sort must be <created_time|updated_time|name>:<ASC|DESC> (got '{sort}')");
            return (SortField.CreatedTime, true);
        }

        return (field.Value, descending.Value);
    }

    private static int Integer(IQueryCollection query, string name, int fallback, int min, int max, List<string> problems)
    {
        if (!query.TryGetValue(name, out var values) || values.Count == 0 || values.ToString().Length == 0)
        {
            return fallback;
        }

        if (values.Count > 1)
        {
            problems.Add($"{name} is given more than once");
            return fallback;
        }

        if (!int.TryParse(values.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            problems.Add(max == int.MaxValue
                ? $"{name} must be an integer of at least {min} (got '{values}')"
                : $"{name} must be an integer from {min} to {max} (got '{values}')");
            return fallback;
        }

        return value;
    }

    private static string? Text(IQueryCollection query, string name, List<string> problems)
    {
        if (!query.TryGetValue(name, out var values) || values.ToString().Length == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            problems.Add($"{name} is given more than once");
            return null;
        }

        var text = values.ToString();
        if (text.Length > 128)
        {
            problems.Add($"{name} must be at most 128 characters");
            return null;
        }

        return text;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)\z")]
    private static partial Regex HostPattern();

    internal static JsonSerializerOptions ResponseJson { get; } = Wire.SharedJsonOptions.Freeze(new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
