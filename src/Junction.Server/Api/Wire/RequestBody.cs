using Microsoft.AspNetCore.Http.Features;

namespace Junction.Server.Api.Wire;

/// <summary>A request body read whole into memory, or the fact that it was larger than allowed.</summary>
internal readonly record struct BodyResult(byte[] Bytes, bool TooLarge);

internal static class RequestBody
{
    /// <summary>
    /// Reads the raw body bytes (signatures are computed over them, so nothing may re-serialize first), stopping as
    /// soon as more than <paramref name="maxBytes"/> have arrived.
    /// </summary>
    public static async Task<BodyResult> ReadAsync(HttpContext context, int maxBytes, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return new BodyResult([], true);
        }

        // Our own limit is authoritative; lift the server's so that its exception never reaches a face.
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        using var buffer = new MemoryStream(request.ContentLength is > 0 and var length ? (int)length : 256);
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return new BodyResult([], true);
            }

            buffer.Write(chunk, 0, read);
        }

        return new BodyResult(buffer.ToArray(), false);
    }
}
