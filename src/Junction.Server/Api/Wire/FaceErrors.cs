using Junction.Server.Api.HuaweiEg;

namespace Junction.Server.Api.Wire;

/// <summary>
/// Answers what no endpoint answered (unknown routes, wrong methods, unhandled failures) in the error format of the
/// face the path belongs to, so that a client's SDK can always parse the error.
/// </summary>
internal static class FaceErrors
{
    public static IResult NotFound(HttpContext context) =>
        EgError.NotFound($"no API at {context.Request.Method} {context.Request.Path}");

    public static IResult MethodNotAllowed(HttpContext context) =>
        new EgError(405, EgCodes.MethodNotAllowed, $"method {context.Request.Method} is not allowed on {context.Request.Path}");

    public static IResult Internal() =>
        new EgError(500, EgCodes.Internal, "Internal Server Error", "the server failed to handle the request; the request id identifies it in the server's log");
}
