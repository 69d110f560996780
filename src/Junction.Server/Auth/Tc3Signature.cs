using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Junction.Server.Auth;

/// <summary>Tencent Cloud API 3.0 signature <c>TC3-HMAC-SHA256</c> (spec/tencent-eb.md §2).</summary>
internal static class Tc3Signature
{
    public const string Algorithm = "TC3-HMAC-SHA256";

    public static string CanonicalRequest(string method, string canonicalUri, string canonicalQuery, IReadOnlyList<(string Name, string Value)> signedHeaders, string payloadHash)
    {
        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in signedHeaders)
        {
            builder.Append(name).Append(':').Append(value.Trim().ToLowerInvariant()).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', signedHeaders.Select(h => h.Name))).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    public static string StringToSign(long timestamp, string date, string service, string canonicalRequest) =>
        $"{Algorithm}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{date}/{service}/tc3_request\n{Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest))}";

    public static string Sign(string secretKey, string date, string service, string stringToSign)
    {
        var secretDate = HMACSHA256.HashData(Encoding.UTF8.GetBytes("TC3" + secretKey), Encoding.UTF8.GetBytes(date));
        var secretService = HMACSHA256.HashData(secretDate, Encoding.UTF8.GetBytes(service));
        var secretSigning = HMACSHA256.HashData(secretService, "tc3_request"u8);
        return Convert.ToHexStringLower(HMACSHA256.HashData(secretSigning, Encoding.UTF8.GetBytes(stringToSign)));
    }

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The UTC date of a Unix timestamp, as the credential scope carries it.</summary>
    public static string DateOf(long timestamp) =>
        DateTimeOffset.FromUnixTimeSeconds(timestamp).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
