using System.Text.Json;
using Junction.Server.Api.Wire;
using Junction.Server.Auth;

namespace Junction.Server.Api.HuaweiDli;

/// <summary>The DLI error codes Junction answers with (spec/huawei-dli.md §1.3).</summary>
internal static class DliCodes
{
    public const string ParameterCheck = "DLI.0001";
    public const string NotExist = "DLI.0002";
    public const string Exists = "DLI.0006";
    public const string NotSupported = "DLI.0007";
    public const string UserAuthentication = "DLI.0013";
    public const string IdentityIncorrect = "DLI.0016";
    public const string SystemRestrictions = "DLI.0009";
    public const string NoResources = "DLI.0023";
    public const string ServerError = "DLI.0999";
    public const string QuotaInsufficient = "DLI.1028";
}

/// <summary>A DLI error: HTTP status with <c>{error_code, error_msg}</c>, and the request id in <c>X-Request-Id</c>.</summary>
internal sealed class DliError(int status, string code, string message) : IResult
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static DliError BadRequest(string message) => new(400, DliCodes.ParameterCheck, message);

    public static DliError NotExist(string message) => new(400, DliCodes.NotExist, message);

    public static DliError Exists(string message) => new(400, DliCodes.Exists, message);

    public static DliError NotSupported(string message) => new(400, DliCodes.NotSupported, message);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = status;
        return httpContext.Response.WriteAsJsonAsync(new Envelope(code, message, RequestIds.Get(httpContext)), s_json, "application/json; charset=utf-8");
    }

    private sealed record Envelope(string ErrorCode, string ErrorMsg, string RequestId);

    /// <summary>The gate's errors in DLI's words.</summary>
    internal sealed class Gate : IHuaweiGateErrors
    {
        public static readonly Gate Instance = new();

        public IResult Unauthorized(string reason) => new DliError(401, DliCodes.UserAuthentication, $"User authentication failed: {reason}");

        public IResult WrongProject(string reason) => new DliError(400, DliCodes.IdentityIncorrect, reason);

        public IResult TooLarge(string reason) => new DliError(413, DliCodes.ParameterCheck, reason);
    }
}
