using System.Text.Json;
using Junction.Server.Api.Wire;

namespace Junction.Server.Api.HuaweiEg;

/// <summary>The EG error codes Junction answers with (spec/huawei-eg.md §7).</summary>
internal static class EgCodes
{
    public const string InvalidParameters = "EG.00513000";
    public const string NameDuplicated = "EG.00513001";
    public const string NoPermission = "EG.00512000";
    public const string QuotaUnavailable = "EG.00514003";
    public const string Unauthorized = "EG.00014010";
    public const string NotFound = "EG.00014040";
    public const string MethodNotAllowed = "EG.00014050";
    public const string Internal = "EG.00015000";
}

/// <summary>An EG error: <c>{error_code, error_msg, error_details, request_id}</c>, with the request id also in <c>X-Request-Id</c>.</summary>
internal sealed class EgError(int status, string code, string message, string? details = null) : IResult
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public int Status => status;

    public string Code => code;

    public static EgError BadRequest(string message) => new(StatusCodes.Status400BadRequest, EgCodes.InvalidParameters, message);

    public static EgError Unauthorized(string message) => new(StatusCodes.Status401Unauthorized, EgCodes.Unauthorized, "Incorrect token or token resolution failed", message);

    public static EgError NotFound(string message) => new(StatusCodes.Status404NotFound, EgCodes.NotFound, message);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var requestId = RequestIds.Get(httpContext);
        httpContext.Response.StatusCode = status;
        return httpContext.Response.WriteAsJsonAsync(
            new Envelope(code, message, details ?? message, requestId), s_json, "application/json; charset=utf-8");
    }

    private sealed record Envelope(string ErrorCode, string ErrorMsg, string ErrorDetails, string RequestId);
}
