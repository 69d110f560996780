using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Junction.Core.Tenancy;
using Junction.Server.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Junction.Server.Auth;

/// <summary>The outcome of authenticating a request to a Huawei face: the tenant, or a reason for a 401.</summary>
public sealed record HuaweiAuthResult(Tenant? Tenant, string? Failure)
{
    public static HuaweiAuthResult Ok(Tenant tenant) => new(tenant, null);

    public static HuaweiAuthResult Fail(string reason) => new(null, reason);
}

/// <summary>
/// Authenticates requests to the Huawei faces (EG, DLI) the way the cloud does: an <c>X-Auth-Token</c> from the
/// IAM-compatible endpoint, or an AK/SK <c>SDK-HMAC-SHA256</c> signature rebuilt from the client's own SignedHeaders
/// over the raw body bytes.
/// </summary>
public sealed partial class HuaweiAuthenticator(
    CredentialService credentials, TokenService tokens, TimeProvider time, IOptions<SignatureOptions> options, AuthLockouts lockouts)
{
    public async Task<HuaweiAuthResult> AuthenticateAsync(HttpRequest request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            return await VerifySignatureAsync(request, authorization, body, cancellationToken);
        }

        var token = request.Headers["X-Auth-Token"].ToString();
        if (token.Length == 0)
        {
            return HuaweiAuthResult.Fail("no credentials: send X-Auth-Token or an SDK-HMAC-SHA256 Authorization header");
        }

        var check = tokens.Check(token);
        switch (check.Status)
        {
            case TokenStatus.Expired:
                return HuaweiAuthResult.Fail("the token has expired");
            case TokenStatus.Invalid:
                return HuaweiAuthResult.Fail("the token is not valid");
        }

        var tenant = await credentials.GetTenantAsync(check.TenantId!, cancellationToken);
        if (tenant is null)
        {
            return HuaweiAuthResult.Fail("the token's tenant no longer exists");
        }

        return await credentials.UserExistsAsync(tenant.Id, check.UserId!, cancellationToken)
            ? HuaweiAuthResult.Ok(tenant)
            : HuaweiAuthResult.Fail("the token's user no longer exists");
    }

    private async Task<HuaweiAuthResult> VerifySignatureAsync(HttpRequest request, string authorization, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var match = AuthorizationPattern().Match(authorization);
        if (!match.Success)
        {
            return HuaweiAuthResult.Fail("Authorization must be 'SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...'");
        }

        // A pair (access key, client address) locked after repeated failures is refused before any work is done.
        var lockKey = AuthLockouts.SignatureKey(match.Groups["access"].Value, request);
        if (lockouts.Signatures.Locked(lockKey) is { } left)
        {
            return HuaweiAuthResult.Fail(
                $"verify aksk signature fail: {lockouts.Signatures.MaxConsecutive} consecutive failures for this access key from this address; refused for {AuthLockouts.Seconds(left)}");
        }

        var sdkDate = request.Headers["X-Sdk-Date"].ToString();
        if (!HuaweiSignature.TryParseDate(sdkDate, out var date))
        {
            return HuaweiAuthResult.Fail("X-Sdk-Date is missing or not in the form yyyyMMddTHHmmssZ");
        }

        if ((time.GetUtcNow() - date).Duration() > options.Value.ClockSkew)
        {
            return HuaweiAuthResult.Fail("X-Sdk-Date is more than 15 minutes away from the server's time");
        }

        var signedNames = match.Groups["headers"].Value.Split(';');
        var signedHeaders = new List<(string, string)>(signedNames.Length);
        foreach (var name in signedNames)
        {
            if (name.Length == 0 || !string.Equals(name, name.ToLowerInvariant(), StringComparison.Ordinal))
            {
                return HuaweiAuthResult.Fail("SignedHeaders must be lower-case header names separated by ';'");
            }

            var values = request.Headers[name];
            if (values.Count == 0)
            {
                return HuaweiAuthResult.Fail($"signed header '{name}' is not in the request");
            }

            signedHeaders.Add((name, string.Join(',', values.ToArray())));
        }

        // The payload hash is always the body's own. X-Sdk-Content-Sha256 may only say UNSIGNED-PAYLOAD (as the SDKs do for
        // non-JSON bodies), and only when that header is itself signed; any other value must be the body's hash, or a
        // body replaced after signing would pass with the original's hash in an unsigned header.
        var contentSha = request.Headers["X-Sdk-Content-Sha256"].ToString();
        var bodyHash = HuaweiSignature.Sha256Hex(body.Span);
        string payloadHash;
        if (contentSha.Length == 0)
        {
            payloadHash = bodyHash;
        }
        else if (contentSha == UnsignedPayload)
        {
            if (!signedNames.Contains("x-sdk-content-sha256", StringComparer.Ordinal))
            {
                return HuaweiAuthResult.Fail("X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD must be one of the SignedHeaders");
            }

            payloadHash = UnsignedPayload;
        }
        else if (string.Equals(contentSha, bodyHash, StringComparison.OrdinalIgnoreCase))
        {
            payloadHash = contentSha;
        }
        else
        {
            return HuaweiAuthResult.Fail("X-Sdk-Content-Sha256 is not the SHA-256 of the request body");
        }

        var canonical = HuaweiSignature.CanonicalRequest(
            request.Method,
            HuaweiSignature.CanonicalUri(RawPath(request)),
            HuaweiSignature.CanonicalQuery(request.QueryString.Value ?? ""),
            signedHeaders,
            payloadHash);

        var key = await credentials.ResolveAccessKeyAsync(match.Groups["access"].Value, cancellationToken);
        // Compute a signature even for an unknown AK so that timing does not tell which AKs exist.
        var expected = HuaweiSignature.Sign(key?.SecretKey ?? "unknown-access-key", HuaweiSignature.StringToSign(sdkDate, canonical));
        var given = match.Groups["signature"].Value.ToLowerInvariant();
        var equal = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given));
        // One answer for an unknown access key and a wrong signature: the caller cannot tell which keys exist.
        if (key is null || !equal)
        {
            lockouts.Signatures.Failed(lockKey);
            return HuaweiAuthResult.Fail("verify aksk signature fail");
        }

        lockouts.Signatures.Succeeded(lockKey);
        return HuaweiAuthResult.Ok(key.Tenant);
    }

    private const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>The path exactly as the client sent it (Kestrel's decoded path would lose how segments were escaped).</summary>
    private static string RawPath(HttpRequest request)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            return (request.PathBase + request.Path).ToUriComponent();
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    [GeneratedRegex(@"^SDK-HMAC-SHA256\s+Access=(?<access>[^,\s]+),\s*SignedHeaders=(?<headers>[^,\s]+),\s*Signature=(?<signature>[0-9a-fA-F]+)\z")]
    private static partial Regex AuthorizationPattern();
}
