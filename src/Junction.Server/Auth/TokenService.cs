using System.Collections.Concurrent;
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

public sealed record TokenCheck(TokenStatus Status, string? TenantId = null, string? UserId = null, long IssuedAtMs = 0, long ExpiresAtMs = 0)
{
    public DateTimeOffset IssuedAt => DateTimeOffset.FromUnixTimeMilliseconds(IssuedAtMs);

    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAtMs);
}

/// <summary>
/// Issues and checks the tokens of the IAM-compatible endpoint. A token is self-contained: tenant, user and expiry,
/// encrypted and authenticated with Data Protection, so any node that shares the key ring can check it without a
/// database read. The expiry is checked against the injected clock.
/// <para>
/// Decrypting a token (key derivation, HMAC, AES) was a sixth of the CPU time of an EG show in a profile, and a client
/// sends the same token with every request, so tokens that decrypted are remembered for up to
/// <see cref="RememberFor"/>: a repeated token costs a dictionary look-up, and its expiry is still checked every time.
/// Only tokens that decrypted are remembered (a flood of made-up tokens cannot fill the memory), at most
/// <see cref="MaxRemembered"/> of them.
/// </para>
/// </summary>
public sealed class TokenService(IDataProtectionProvider provider, TimeProvider time, IOptions<IamOptions> options)
{
    /// <summary>How long a decrypted token is trusted without decrypting it again (a revoked Data Protection key takes effect after it).</summary>
    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);

    /// <summary>Beyond this many remembered tokens, the memory starts over.</summary>
    public const int MaxRemembered = 10_000;

    private const string Version = "t1";
    private readonly IDataProtector _protector = provider.CreateProtector("Junction.IamToken.v1");
    private readonly ConcurrentDictionary<string, Remembered> _remembered = new(StringComparer.Ordinal);

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
        ArgumentNullException.ThrowIfNull(token);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_remembered.TryGetValue(token, out var known) && now < known.Until)
        {
            return now >= known.ExpiresMs ? new TokenCheck(TokenStatus.Expired) : known.Check;
        }

        var check = Decrypt(token, now, out var expiresMs);
        if (check.Status == TokenStatus.Valid)
        {
            if (_remembered.Count >= MaxRemembered)
            {
                _remembered.Clear();
            }

            _remembered[token] = new Remembered(check, expiresMs, now + (long)RememberFor.TotalMilliseconds);
        }

        return check;
    }

    private TokenCheck Decrypt(string token, long now, out long expiresMs)
    {
        expiresMs = 0;
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
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out expiresMs))
        {
            return new TokenCheck(TokenStatus.Invalid);
        }

        _ = long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var issuedMs);
        return now >= expiresMs
            ? new TokenCheck(TokenStatus.Expired)
            : new TokenCheck(TokenStatus.Valid, parts[1], parts[2], issuedMs, expiresMs);
    }

    private sealed record Remembered(TokenCheck Check, long ExpiresMs, long Until);
}
