using System.Globalization;

namespace Junction.Server.Api.Wire;

/// <summary>
/// Gives every request an id, in the form Huawei documents (<c>request_uuid-timestamp-hostname</c>), and puts it on the
/// response as <c>X-Request-Id</c>. Faces that carry the id in their bodies (EG, EB) read it from here.
/// </summary>
internal static class RequestIds
{
    private const string ItemKey = "Junction.RequestId";
    private static readonly string s_host = SafeHostName();

    public static string Get(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemKey, out var value) && value is string id)
        {
            return id;
        }

        id = $"{Guid.NewGuid():N}-{TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}-{s_host}";
        context.Items[ItemKey] = id;
        return id;
    }

    public static IApplicationBuilder UseRequestIds(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var id = Get(context);
            context.Response.Headers["X-Request-Id"] = id;
            return next(context);
        });

    private static string SafeHostName()
    {
        var name = Environment.MachineName;
        var safe = new string(name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_').ToArray());
        return safe.Length == 0 ? "junction" : safe;
    }
}
