using System.Text.RegularExpressions;
using Junction.Core.Security;
using Junction.Core.Tenancy;
using Microsoft.Extensions.Options;

namespace Junction.Server.Hosting;

/// <summary>
/// On first start with an empty database, creates one tenant and prints its credentials once. Like MinIO's root
/// credentials, each value can be given instead through an environment variable (<see cref="Variables"/>).
/// </summary>
public sealed partial class TenantBootstrapper(
    ITenantStore store, ISecretProtector protector, IConfiguration configuration, IOptions<JunctionOptions> options, TimeProvider time,
    ILogger<TenantBootstrapper> logger)
{
    public static readonly string[] Variables =
        ["JUNCTION_DOMAIN", "JUNCTION_PROJECT_ID", "JUNCTION_ACCOUNT_ID", "JUNCTION_ACCESS_KEY", "JUNCTION_SECRET_KEY", "JUNCTION_USER", "JUNCTION_PASSWORD"];

    /// <summary>The first tenant's IAM domain name unless <c>JUNCTION_DOMAIN</c> gives one.</summary>
    public const string DefaultDomainName = "junction";

    /// <summary>Creates the first tenant if there is none; answers the text to print, or null when nothing was created.</summary>
    public async Task<string?> BootstrapAsync(CancellationToken cancellationToken)
    {
        if (await store.AnyTenantAsync(cancellationToken))
        {
            if (Variables.Any(v => !string.IsNullOrEmpty(configuration[v])))
            {
                LogIgnored(logger);
            }

            return null;
        }

        var problems = new List<string>();
        var domain = Read("JUNCTION_DOMAIN", UserPattern(), "1 to 64 letters, digits, '-', '_' or '.'", () => DefaultDomainName, problems);
        var projectId = Read("JUNCTION_PROJECT_ID", ProjectIdPattern(), "32 lower-case hex characters or up to 64 letters, digits, '-' or '_'", RandomIds.ProjectId, problems);
        var accountId = Read("JUNCTION_ACCOUNT_ID", AccountIdPattern(), "5 to 20 digits", RandomIds.AccountId, problems);
        var accessKey = Read("JUNCTION_ACCESS_KEY", AccessKeyPattern(), "8 to 128 letters and digits", RandomIds.AccessKeyId, problems);
        var secretKey = Read("JUNCTION_SECRET_KEY", SecretPattern(), "16 to 256 printable characters without spaces", RandomIds.SecretKey, problems);
        var user = Read("JUNCTION_USER", UserPattern(), "1 to 64 letters, digits, '-', '_' or '.'", () => "admin", problems);
        var password = Read("JUNCTION_PASSWORD", SecretPattern(), "16 to 256 printable characters without spaces", RandomIds.Password, problems);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Cannot create the first tenant: " + string.Join("; ", problems));
        }

        var now = time.GetUtcNow();
        var tenant = new Tenant(Guid.NewGuid().ToString("N"), domain.Value, projectId.Value, options.Value.Region, accountId.Value, now);
        var created = await store.CreateFirstTenantAsync(
            tenant,
            new AccessKey(accessKey.Value, tenant.Id, protector.Protect(secretKey.Value), now),
            new TenantUser(Guid.NewGuid().ToString("N"), tenant.Id, user.Value, PasswordHasher.Hash(password.Value), now),
            cancellationToken);
        if (!created)
        {
            // Another node on the same database created it between our check and our write.
            return null;
        }

        LogCreated(logger, tenant.ProjectId, tenant.AccountId);

        return $"""

            Junction created its first tenant. These credentials are shown once; keep them.
              project_id (Huawei)     {projectId.Value}
              account id (Tencent)    {accountId.Value}
              access key / SecretId   {accessKey.Value}
              secret key / SecretKey  {Shown(secretKey, "JUNCTION_SECRET_KEY")}
              IAM domain              {domain.Value}
              IAM user                {user.Value}
              IAM password            {Shown(password, "JUNCTION_PASSWORD")}
              IAM project name        {tenant.ProjectName}

            """;
    }

    /// <summary>A secret given by the operator is not echoed back; one Junction generated is shown this once.</summary>
    private static string Shown((string Value, bool Generated) value, string variable) =>
        value.Generated ? value.Value : $"(from {variable})";

    private (string Value, bool Generated) Read(string variable, Regex pattern, string rule, Func<string> generate, List<string> problems)
    {
        var given = configuration[variable];
        if (string.IsNullOrEmpty(given))
        {
            return (generate(), true);
        }

        if (!pattern.IsMatch(given))
        {
            problems.Add($"{variable} must be {rule}");
        }

        return (given, false);
    }

    [GeneratedRegex(@"\A[A-Za-z0-9_-]{1,64}\z")]
    internal static partial Regex ProjectIdPattern();

    [GeneratedRegex(@"\A[0-9]{5,20}\z")]
    internal static partial Regex AccountIdPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9]{8,128}\z")]
    private static partial Regex AccessKeyPattern();

    [GeneratedRegex(@"\A[!-~]{16,256}\z")]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9._-]{1,64}\z")]
    internal static partial Regex UserPattern();

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Created the first tenant: project {ProjectId}, account {AccountId}")]
    private static partial void LogCreated(ILogger logger, string projectId, string accountId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "The database already has tenants; JUNCTION_* credential variables are ignored")]
    private static partial void LogIgnored(ILogger logger);
}
