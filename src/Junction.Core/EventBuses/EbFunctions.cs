using System.Text.RegularExpressions;

namespace Junction.Core.EventBuses;

/// <summary>The function an EB <c>scf</c> target names, read the same way where targets are created and where they are delivered.</summary>
public static partial class EbFunctions
{
    /// <summary>
    /// <c>{namespace}/{function}</c> of <c>qcs::scf:&lt;region&gt;:uin/&lt;uin&gt;:namespace/&lt;ns&gt;/function/&lt;name&gt;[/&lt;qualifier&gt;]</c>
    /// (or <c>custom_scf</c>, optionally with <c>appid/&lt;id&gt;/</c>), or null when the resource names no function.
    /// </summary>
    public static string? IdOf(string resource)
    {
        var match = FunctionPattern().Match(resource ?? "");
        return match.Success ? $"{match.Groups["ns"].Value}/{match.Groups["fn"].Value}" : null;
    }

    [GeneratedRegex(@"^qcs::(?:custom_)?scf:[a-z0-9-]*:(?:appid/[0-9]+/)?(?:uin/[0-9]+)?:namespace/(?<ns>[A-Za-z0-9_-]+)/function/(?<fn>[A-Za-z0-9_-]+)(?:/[A-Za-z0-9_$-]+)?\z")]
    private static partial Regex FunctionPattern();
}
