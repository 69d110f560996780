using System.Globalization;
using System.Security.Cryptography;
using Junction.Core.Tenancy;
using Junction.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Junction.Server.Auth;

public sealed record IssuedToken(string Value, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

public enum TokenStatus
{
    Valid,
    Expired,
    Invalid,
}

public sealed record TokenCheck(TokenStatus Status, string? TenantId = null, string? UserId = null);

/// <summary>
/// Issues and checks the tokens of the IAM-compatible endpoint. A token is self-contained: tenant, user and expiry,
/// encrypted and authenticated with Data Protection, so any node that shares the key ring can check it without a
/// database read. The expiry is checked against the injected clock.
/// </summary>
public sealed class TokenService(IDataProtectionProvider provider, TimeProvider time, IOptions<IamOptions> options)
{
    private const string Version = "t1";
    private readonly IDataProtector _protector = provider.CreateProtector("Junction.IamToken.v1");

    public IssuedToken Issue(Tenant tenant, TenantUser user)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(user);
        var issued = time.GetUtcNow();
        var expires = issued + options.Value.TokenLifetime;
        var payload = string.Join('|', Version, tenant.Id, user.Id,
            issued.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return new IssuedToken(_protector.Protect(payload), issued, expires);
    }

    public TokenCheck Check(string token)
    {
        string payload;
        try
        {
            payload = _protector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return new TokenCheck(TokenStatus.Invalid);
        }

        var parts = payload.Split('|');
        if (parts.Length != 5 || parts[0] != Version
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresMs))
        {
            return new TokenCheck(TokenStatus.Invalid);
        }

        return time.GetUtcNow().ToUnixTimeMilliseconds() >= expiresMs
            ? new TokenCheck(TokenStatus.Expired)
            : new TokenCheck(TokenStatus.Valid, parts[1], parts[2]);
    }
}
