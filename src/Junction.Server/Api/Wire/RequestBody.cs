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

        if (request.ContentLength is { } declared)
        {
            // The usual case: read straight into an array of the declared size (no zeroed chunk, no copy).
            var exact = GC.AllocateUninitializedArray<byte>((int)declared);
            var filled = 0;
            while (filled < exact.Length)
            {
                var got = await request.Body.ReadAsync(exact.AsMemory(filled), cancellationToken);
                if (got == 0)
                {
                    return new BodyResult(exact[..filled], false);
                }

                filled += got;
            }

            return new BodyResult(exact, false);
        }

        using var buffer = new MemoryStream(256);
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return new BodyResult([], true);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        return new BodyResult(buffer.ToArray(), false);
    }
}
