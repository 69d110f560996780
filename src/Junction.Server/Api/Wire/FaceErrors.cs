using Junction.Server.Api.Admin;
using Junction.Server.Api.HuaweiDli;
using Junction.Server.Api.HuaweiEg;
using Junction.Server.Api.Iam;
using Junction.Server.Api.TencentEb;

namespace Junction.Server.Api.Wire;

/// <summary>
/// Answers what no endpoint answered (unknown routes, wrong methods, unhandled failures) in the error format of the
/// face the path belongs to, so that a client's SDK can always parse the error.
/// </summary>
internal static class FaceErrors
{
    public static IResult NotFound(HttpContext context) => Face(context) switch
    {
        Faces.Tencent => EbApi.Error(context, "InvalidAction", $"No API at {context.Request.Method} {context.Request.Path}: EventBridge is POST /."),
        Faces.Admin => AdminApi.Error(context, 404, "Junction.NotFound", $"no API at {context.Request.Method} {context.Request.Path}"),
        Faces.Dli => new DliError(404, "DLI.0023", $"No related resources were found: no API at {context.Request.Method} {context.Request.Path}"),
        Faces.Iam => IamTokensApi.Error(404, $"Could not find the resource: no API at {context.Request.Method} {context.Request.Path}"),
        _ => EgError.NotFound($"no API at {context.Request.Method} {context.Request.Path}"),
    };

    public static IResult MethodNotAllowed(HttpContext context) => Face(context) switch
    {
        Faces.Tencent => EbApi.Error(context, "UnsupportedProtocol", $"HTTP method {context.Request.Method} is not supported."),
        Faces.Admin => AdminApi.Error(context, 405, "Junction.MethodNotAllowed", $"method {context.Request.Method} is not allowed on {context.Request.Path}"),
        Faces.Dli => new DliError(405, "DLI.0007", $"The operation is not supported: method {context.Request.Method} on {context.Request.Path}"),
        Faces.Iam => IamTokensApi.Error(405, $"method {context.Request.Method} is not allowed on {context.Request.Path}"),
        _ => new EgError(405, EgCodes.MethodNotAllowed, $"method {context.Request.Method} is not allowed on {context.Request.Path}"),
    };

    /// <summary>A request refused before any face read it (a NUL in its query), in the face's envelope.</summary>
    public static IResult BadRequest(HttpContext context, string message, int status = StatusCodes.Status400BadRequest) => Face(context) switch
    {
        Faces.Tencent => EbApi.Error(context, "InvalidParameter", message),
        Faces.Admin => AdminApi.Error(context, status, "Junction.BadRequest", message),
        Faces.Dli => new DliError(status, "DLI.0001", message),
        Faces.Iam => IamTokensApi.Error(status, message),
        _ => new EgError(status, EgCodes.InvalidParameters, message),
    };

    /// <summary>
    /// A request the server could not read as HTTP (a bad chunk size, a body shorter than its Content-Length, a body
    /// too slow to arrive): Kestrel's 400 or 408, in the face's envelope, never a 500.
    /// </summary>
    public static IResult Malformed(HttpContext context, int status) => BadRequest(
        context,
        status == StatusCodes.Status408RequestTimeout
            ? "the request body did not arrive in time"
            : "the request is malformed: its framing (chunk sizes or Content-Length) does not match the body",
        status);

    /// <summary>The database takes no writes (its file is gone, the disk refuses): 503, nothing of the request kept.</summary>
    public static IResult Unavailable(HttpContext context, string reason) => Face(context) switch
    {
        Faces.Tencent => EbApi.Error(context, "InternalError", $"The service cannot store anything now: {reason}."),
        Faces.Admin => AdminApi.Error(context, 503, "Junction.Unavailable", $"the database takes no writes: {reason}"),
        Faces.Dli => new DliError(503, "DLI.0999", $"Server-side errors occur: the database takes no writes: {reason}"),
        Faces.Iam => IamTokensApi.Error(503, $"the database takes no writes: {reason}"),
        _ => new EgError(503, EgCodes.Internal, "Service Unavailable", $"the database takes no writes: {reason}"),
    };

    /// <summary>A bug: the response says nothing about it but the request id; the log has the details.</summary>
    public static IResult Internal(HttpContext context) => Face(context) switch
    {
        // Tencent clients need HTTP 200 to read the code.
        Faces.Tencent => EbApi.Error(context, "InternalError", "An internal error occurred; the RequestId identifies it in the server's log."),
        Faces.Admin => AdminApi.Error(context, 500, "Junction.InternalError", "the server failed to handle the request; the request id identifies it in the log"),
        Faces.Dli => new DliError(500, "DLI.0999", "Server-side errors occur; the X-Request-Id identifies the request in the server's log."),
        Faces.Iam => IamTokensApi.Error(500, "the server failed to handle the request; the X-Request-Id identifies it in the server's log"),
        _ => new EgError(500, EgCodes.Internal, "Internal Server Error", "the server failed to handle the request; the request id identifies it in the server's log"),
    };

    /// <summary>The face a request belongs to, for metrics: <c>eg</c>, <c>dli</c>, <c>eb</c>, <c>admin</c>, <c>iam</c> or <c>other</c>.</summary>
    public static string FaceName(HttpContext context)
    {
        var path = context.Request.Path;
        if (path == "/" && !EbApi.Owns(context.Request))
        {
            return "other";
        }

        if (path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics"))
        {
            return "other";
        }

        return Face(context) switch
        {
            Faces.Tencent => "eb",
            Faces.Dli => "dli",
            Faces.Admin => "admin",
            Faces.Iam => "iam",
            _ => "eg",
        };
    }

    /// <summary>IAM's collections under <c>/v3</c>; any other <c>/v3/{project_id}/…</c> is DLI's.</summary>
    private static readonly HashSet<string> s_iamCollections = new(StringComparer.Ordinal)
    {
        "auth", "projects", "regions", "domains", "users", "groups", "roles", "role_assignments", "services", "endpoints",
        "credentials", "policies", "system",
    };

    private static Faces Face(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/junction"))
        {
            return Faces.Admin;
        }

        if (EbApi.Owns(context.Request))
        {
            return Faces.Tencent;
        }

        if (path.StartsWithSegments("/v3.0"))
        {
            return Faces.Iam;
        }

        if (path.StartsWithSegments("/v3", out var rest))
        {
            var first = rest.Value is { Length: > 1 } r ? r[1..].Split('/')[0] : "";
            return first.Length == 0 || s_iamCollections.Contains(first) || first.StartsWith("OS-", StringComparison.Ordinal) ? Faces.Iam : Faces.Dli;
        }

        return path.StartsWithSegments("/v1.0") || path.StartsWithSegments("/v2.0") ? Faces.Dli : Faces.Huawei;
    }

    private enum Faces
    {
        Huawei,
        Tencent,
        Dli,
        Admin,
        Iam,
    }
}
