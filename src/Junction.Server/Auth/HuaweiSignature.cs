using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Junction.Server.Auth;

/// <summary>
/// The Huawei Cloud API Gateway signature <c>SDK-HMAC-SHA256</c> (spec/huawei-eg.md §9): canonical request, string to
/// sign and HMAC, built exactly as the official SDKs build them, so that the server can rebuild what a client signed.
/// </summary>
internal static class HuaweiSignature
{
    public const string Algorithm = "SDK-HMAC-SHA256";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";
    public const string EmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>Decodes each path segment, re-encodes it with the unreserved set, and ends the result with '/'.</summary>
    public static string CanonicalUri(string rawPath)
    {
        var segments = rawPath.Split('/');
        var builder = new StringBuilder(rawPath.Length + 8);
        for (var i = 0; i < segments.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            builder.Append(Encode(Uri.UnescapeDataString(segments[i])));
        }

        if (builder.Length == 0 || builder[^1] != '/')
        {
            builder.Append('/');
        }

        return builder.ToString();
    }

    /// <summary>Decodes the raw query (<c>+</c> is a space, as form encoding and axios send it), re-encodes and sorts it.</summary>
    public static string CanonicalQuery(string rawQuery)
    {
        var query = rawQuery.StartsWith('?') ? rawQuery[1..] : rawQuery;
        if (query.Length == 0)
        {
            return "";
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var part in query.Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add((Encode(Decode(name)), Encode(Decode(value))));
        }

        pairs.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    public static string CanonicalRequest(
        string method, string canonicalUri, string canonicalQuery, IReadOnlyList<(string Name, string Value)> signedHeaders, string payloadHash)
    {
        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in signedHeaders)
        {
            builder.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', signedHeaders.Select(h => h.Name))).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string sdkDate, string canonicalRequest) =>
        Algorithm + "\n" + sdkDate + "\n" + Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest));

    public static string Sign(string secretKey, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(stringToSign)));

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static bool TryParseDate(string value, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);

    /// <summary>Percent-encodes everything except A–Z a–z 0–9 - _ . ~, with upper-case hex, over UTF-8 bytes.</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
