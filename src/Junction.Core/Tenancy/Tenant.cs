namespace Junction.Core.Tenancy;

/// <summary>
/// One customer of Junction. The same tenant is a Huawei project (<see cref="ProjectId"/>, inside the IAM domain
/// <see cref="DomainName"/>) and a Tencent account (<see cref="AccountId"/>, the uin); every resource of every API face
/// belongs to exactly one tenant.
/// </summary>
public sealed record Tenant(
    string Id,
    string DomainName,
    string ProjectId,
    string ProjectName,
    string AccountId,
    DateTimeOffset CreatedAt);

/// <summary>An access key pair. The secret is kept encrypted (<see cref="ProtectedSecret"/>) because signature checks need it back.</summary>
public sealed record AccessKey(string Id, string TenantId, string ProtectedSecret, DateTimeOffset CreatedAt);

/// <summary>A user who can obtain tokens with a password; only a PBKDF2 hash of the password is kept.</summary>
public sealed record TenantUser(string Id, string TenantId, string Name, string PasswordHash, DateTimeOffset CreatedAt);
