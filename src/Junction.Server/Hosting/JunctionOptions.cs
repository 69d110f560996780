using System.ComponentModel.DataAnnotations;

namespace Junction.Server.Hosting;

/// <summary>Server-wide settings. Configuration section <c>Junction</c>.</summary>
public sealed class JunctionOptions
{
    public const string SectionName = "Junction";

    /// <summary>Folder for the SQLite database and the data-protection keys. The default value is <c>./data</c>.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Largest request body accepted by any API face, in bytes. The default value is 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The region name Junction answers as (IAM project name, Tencent region). The default value is <c>local</c>.</summary>
    [Required]
    [RegularExpression("^[a-z0-9-]{1,64}$", ErrorMessage = "Junction:Region must be 1-64 lower-case letters, digits or hyphens.")]
    public string Region { get; set; } = "local";

    /// <summary>
    /// A PostgreSQL connection string (<c>Host=...;Database=...;Username=...;Password=...</c>). Unset: the embedded
    /// SQLite database in <see cref="DataDirectory"/>. Several nodes share one PostgreSQL database.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>How often networks and instances registered through the admin API (possibly on another node) are re-read. The default value is 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan InventoryRefresh { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>text</c> or <c>json</c> log lines. Unset: text on a terminal, JSON otherwise (read at start by the logging set-up).</summary>
    [RegularExpression("^(?i:text|json)$", ErrorMessage = "Junction:LogFormat must be text or json")]
    public string? LogFormat { get; set; }

    public string DatabasePath => Path.Combine(DataDirectory, "junction.db");

    public string KeysDirectory => Path.Combine(DataDirectory, "keys");
}

/// <summary>IAM-compatible token settings. Configuration section <c>Junction:Iam</c>.</summary>
public sealed class IamOptions
{
    public const string SectionName = "Junction:Iam";

    /// <summary>How long an issued token is valid. The default value is 24 hours, as Huawei IAM.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Consecutive wrong passwords after which a user (known or not) is locked. The default value is 5.</summary>
    [Range(1, 1_000_000)]
    public int LockoutFailures { get; set; } = 5;

    /// <summary>Consecutive failed token requests from one client address after which that address is locked. The default value is 20.</summary>
    [Range(1, 1_000_000)]
    public int SourceLockoutFailures { get; set; } = 20;

    /// <summary>How long a locked user or address is refused without a password check. The default value is 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Password checks (PBKDF2, ~100,000 iterations) running at once; more wait. Unset (the default): half the cores, at least 1.</summary>
    [Range(1, 1024)]
    public int? MaxConcurrentPasswordChecks { get; set; }

    /// <summary><see cref="MaxConcurrentPasswordChecks"/>, or half the cores when it is unset.</summary>
    public int PasswordCheckSlots => MaxConcurrentPasswordChecks ?? Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>How long a token request waits for a free password check before it is refused with 429. The default value is 2 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan PasswordCheckWait { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>AK/SK signature settings. Configuration section <c>Junction:Signatures</c>.</summary>
public sealed class SignatureOptions
{
    public const string SectionName = "Junction:Signatures";

    /// <summary>How far a signed request's timestamp may be from the server's clock. The default value is 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Consecutive failed signatures of one access key from one client address after which that pair is locked (for
    /// Huawei AK/SK and Tencent TC3 alike). The default value is 5, as Huawei APIG locks an AK/SK.
    /// </summary>
    [Range(1, 1_000_000)]
    public int LockoutFailures { get; set; } = 5;

    /// <summary>How long a locked access key and address pair is refused without a signature check. The default value is 5 minutes, as Huawei APIG.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Tencent EB face settings. Configuration section <c>Junction:Tencent</c>.</summary>
public sealed class TencentOptions
{
    public const string SectionName = "Junction:Tencent";

    /// <summary>How far X-TC-Timestamp may be from the server's clock. The default value is 5 minutes, as Tencent Cloud.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The region used when a request carries no X-TC-Region. The default value is <c>ap-guangzhou</c>.</summary>
    [Required]
    [RegularExpression("^[a-z0-9-]{1,64}$", ErrorMessage = "Junction:Tencent:DefaultRegion must be 1-64 lower-case letters, digits or hyphens.")]
    public string DefaultRegion { get; set; } = "ap-guangzhou";

    /// <summary>Requests per second per account and action (PutEvents 50 times as many); 0 turns the limit off. The default value is 20, as Tencent Cloud.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 20;
}
