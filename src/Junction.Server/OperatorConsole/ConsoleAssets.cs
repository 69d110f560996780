using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Junction.Server.OperatorConsole;

/// <summary>The console's style sheet and script, embedded in the assembly (nothing from a CDN, nothing to install).</summary>
internal static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, (byte[] Bytes, string Type, string ETag)> s_assets = new Dictionary<string, (byte[], string, string)>
    {
        ["console.css"] = Load("console.css", "text/css; charset=utf-8"),
        ["console.js"] = Load("console.js", "text/javascript; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IResult Serve(HttpContext context, string name)
    {
        if (!s_assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        context.Response.Headers.CacheControl = "public, max-age=300";
        context.Response.Headers.ETag = asset.ETag;
        return context.Request.Headers.IfNoneMatch == asset.ETag ? Results.StatusCode(304) : Results.Bytes(asset.Bytes, asset.Type);
    }

    private static (byte[], string, string) Load(string name, string type)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream($"Junction.Server.OperatorConsole.Assets.{name}")
            ?? throw new InvalidOperationException($"the console asset {name} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return (bytes, type, $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"");
    }
}
