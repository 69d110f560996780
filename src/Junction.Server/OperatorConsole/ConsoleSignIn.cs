using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Junction.Server.Api.Admin;
using Junction.Server.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Junction.Server.OperatorConsole;

/// <summary>
/// Sign-in to the console with the operator key (<c>Junction:Admin:Key</c>, the admin API's). The key is compared in
/// constant time and never stored in the cookie: the session carries a fingerprint of it, so changing the key ends
/// every session at its next request. Five wrong keys from one address lock that address out for five minutes.
/// </summary>
public sealed class ConsoleSignIn(IOptionsMonitor<AdminOptions> admin, TimeProvider time)
{
    public const string Scheme = "JunctionConsole";
    public const string Policy = "JunctionConsoleOperator";
    private const string FingerprintClaim = "junction:key";

    private readonly FailureLockout _lockout = new(time, 5, TimeSpan.FromMinutes(5));

    /// <summary>Whether sign-in can work at all: the operator key is set.</summary>
    public bool Configured => !string.IsNullOrEmpty(admin.CurrentValue.Key);

    /// <summary>Checks a key given at sign-in: null when it is the operator key, else why not (in words for the page).</summary>
    public string? Check(string? given, string source)
    {
        if (!Configured)
        {
            return "The console cannot sign anyone in: set Junction:Admin:Key (the operator key).";
        }

        if (_lockout.Locked(source) is { } left)
        {
            return $"Too many wrong keys from this address; try again in {AuthLockouts.Seconds(left)}.";
        }

        if (string.IsNullOrEmpty(given) || !Matches(given))
        {
            _lockout.Failed(source);
            return "That is not the operator key.";
        }

        _lockout.Succeeded(source);
        return null;
    }

    /// <summary>The session's identity: an operator, with the fingerprint of the key it signed in with.</summary>
    public ClaimsPrincipal Principal() =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator"), new Claim(FingerprintClaim, Fingerprint(admin.CurrentValue.Key!))], Scheme));

    /// <summary>Ends a session whose key is no longer the operator key (or when no key is set any more).</summary>
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = admin.CurrentValue.Key;
        var claim = context.Principal?.FindFirst(FingerprintClaim)?.Value;
        if (string.IsNullOrEmpty(key) || claim is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(claim), Encoding.ASCII.GetBytes(Fingerprint(key))))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private bool Matches(string given) => CryptographicOperations.FixedTimeEquals(
        SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(admin.CurrentValue.Key!)));

    // A keyed hash, so that the (encrypted) cookie does not even carry a plain hash of the key.
    private static string Fingerprint(string key) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), "junction-console-session"u8))[..32];
}
