namespace Junction.Core.Tests.Routing;

/// <summary>JSON texts with numbered holes (<c>&lt;0&gt;</c>, …): raw interpolated strings cannot hold a literal <c>}}</c>.</summary>
internal static class Json
{
    public static string F(string template, params object?[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            template = template.Replace($"<{i}>", Convert.ToString(args[i], System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return template;
    }
}
