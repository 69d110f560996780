using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Junction.Core.Tenancy;
using Junction.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Junction.Server.Auth;

/// <summary>The tenant of a TC3-signed request, or the Tencent error code and message that refuse it.</summary>
public sealed record Tc3AuthResult(Tenant? Tenant, string? Code, string? Message)
{
    public static Tc3AuthResult Ok(Tenant tenant) => new(tenant, null, null);

    public static Tc3AuthResult Fail(string code, string message) => new(null, code, message);
}

/// <summary>
/// Verifies <c>TC3-HMAC-SHA256</c> exactly as spec/tencent-eb.md §2 says: the service from the credential scope (the Node
/// SDK signs <c>127</c> for a <c>127.0.0.1</c> endpoint), the host with or without its port (Node signs it without),
/// the timestamp window, and a constant-time compare over the raw body's hash.
/// </summary>
public sealed partial class Tc3Authenticator(CredentialService credentials, TimeProvider time, IOptions<TencentOptions> options, AuthLockouts lockouts)
{
    public async Task<Tc3AuthResult> AuthenticateAsync(HttpRequest request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        var match = AuthorizationPattern().Match(authorization);
        if (!match.Success)
        {
            return Tc3AuthResult.Fail("AuthFailure.InvalidAuthorization",
                authorization.Length == 0
                    ? "The request is missing the Authorization header."
                    : "The Authorization header is not 'TC3-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'.");
        }

        var timestampText = request.Headers["X-TC-Timestamp"].ToString();
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return Tc3AuthResult.Fail("MissingParameter", "The request is missing a required parameter `Timestamp` (X-TC-Timestamp).");
        }

        var skew = Math.Abs(time.GetUtcNow().ToUnixTimeSeconds() - timestamp);
        if (skew > options.Value.ClockSkew.TotalSeconds)
        {
            return Tc3AuthResult.Fail("AuthFailure.SignatureExpire", "The signature is expired, please request again.");
        }

        var secretId = match.Groups["id"].Value;
        var date = match.Groups["date"].Value;
        var service = match.Groups["service"].Value;
        var lockKey = AuthLockouts.SignatureKey(secretId, request);
        if (lockouts.Signatures.Locked(lockKey) is { } left)
        {
            return Tc3AuthResult.Fail("AuthFailure.SignatureFailure",
                $"The provided credentials could not be validated: {lockouts.Signatures.MaxConsecutive} consecutive failures for this SecretId from this address; refused for {AuthLockouts.Seconds(left)}.");
        }

        var key = await credentials.ResolveAccessKeyAsync(secretId, cancellationToken);
        if (key is null)
        {
            lockouts.Signatures.Failed(lockKey);
            return Tc3AuthResult.Fail("AuthFailure.SecretIdNotFound", "The SecretId is not found, please ensure that your SecretId is correct.");
        }

        var names = match.Groups["headers"].Value.Split(';');
        if (!names.Contains("content-type") || !names.Contains("host"))
        {
            return Tc3AuthResult.Fail("AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host.");
        }

        var host = request.Headers.Host.ToString();
        var contentSha = request.Headers["X-TC-Content-SHA256"].ToString();
        var payloadHash = contentSha == "UNSIGNED-PAYLOAD" ? Tc3Signature.Sha256Hex("UNSIGNED-PAYLOAD"u8) : Tc3Signature.Sha256Hex(body.Span);
        var query = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        var given = Encoding.ASCII.GetBytes(match.Groups["signature"].Value);
        var matched = false;
        // The Node SDK signs the host without its port, the Go SDK with it: accept either form of the Host received.
        foreach (var signedHost in HostForms(host))
        {
            var headers = new List<(string, string)>(names.Length);
            foreach (var name in names)
            {
                var value = name == "host" ? signedHost : request.Headers[name].ToString();
                headers.Add((name, value));
            }

            var canonical = Tc3Signature.CanonicalRequest(request.Method, "/", query, headers, payloadHash);
            var expected = Tc3Signature.Sign(key.SecretKey, date, service, Tc3Signature.StringToSign(timestamp, date, service, canonical));
            matched |= CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), given);
        }

        if (!matched)
        {
            lockouts.Signatures.Failed(lockKey);
            var hint = date != Tc3Signature.DateOf(timestamp) ? " (the credential date is not the UTC date of X-TC-Timestamp)" : "";
            return Tc3AuthResult.Fail("AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. Please check your signature is correct." + hint);
        }

        lockouts.Signatures.Succeeded(lockKey);
        return Tc3AuthResult.Ok(key.Tenant);
    }

    private static IEnumerable<string> HostForms(string host)
    {
        yield return host;
        var colon = host.LastIndexOf(':');
        if (colon > 0 && !host.EndsWith(']'))
        {
            yield return host[..colon];
        }
    }

    [GeneratedRegex(@"^TC3-HMAC-SHA256\s+Credential=(?<id>[^/\s]+)/(?<date>\d{4}-\d{2}-\d{2})/(?<service>[^/\s]+)/tc3_request,\s*SignedHeaders=(?<headers>[a-z0-9;\-]+),\s*Signature=(?<signature>[0-9a-f]{64})\z")]
    private static partial Regex AuthorizationPattern();
}
