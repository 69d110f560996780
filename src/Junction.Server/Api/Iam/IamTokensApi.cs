using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Junction.Core.Tenancy;
using Junction.Server.Api.Wire;
using Junction.Server.Auth;
using Junction.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.Iam;

/// <summary>
/// An IAM-compatible token endpoint: <c>POST /v3/auth/tokens</c> with the password method and a project scope, as
/// Huawei IAM takes it. Answers 201 with the token in <c>X-Subject-Token</c> and its expiry in the body.
/// </summary>
internal static class IamTokensApi
{
    private static readonly JsonSerializerOptions s_json = Wire.SharedJsonOptions.Freeze(new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull });

    public static IEndpointRouteBuilder MapIamTokens(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v3/auth/tokens", IssueAsync);
        return app;
    }

    private static async Task<IResult> IssueAsync(
        HttpContext context, CredentialService credentials, TokenService tokens, AuthLockouts lockouts, IOptions<JunctionOptions> options,
        CancellationToken cancellationToken)
    {
        // A client address with many failed requests in a row is refused before the body is even read.
        var source = AuthLockouts.Source(context.Request);
        if (lockouts.Sources.Locked(source) is { } sourceLeft)
        {
            return Error(429, $"Too many failed token requests from this address; retry in {AuthLockouts.Seconds(sourceLeft)}.");
        }

        var body = await RequestBody.ReadAsync(context, options.Value.MaxRequestBodyBytes, cancellationToken);
        if (body.TooLarge)
        {
            return Error(413, "the request body is too large");
        }

        var root = JsonFields.Parse(body.Bytes, out var parseError);
        if (root is null)
        {
            return Error(400, parseError!);
        }

        var identity = root.Object("auth", required: true)?.Object("identity", required: true);
        var methods = identity is null ? default : identity.KindOf("methods");
        var user = identity?.Object("password", required: true)?.Object("user", required: true);
        var name = user?.String("name", required: true, minLength: 1, maxLength: 64);
        var password = user?.String("password", required: true, minLength: 1, maxLength: 256);
        var domain = user?.Object("domain", required: true);
        var domainName = domain?.String("name", required: true, minLength: 1, maxLength: 64);
        var scope = root.Object("auth")?.Object("scope");
        var scopeProject = scope?.Object("project");
        var scopeProjectId = scopeProject?.String("id");
        var scopeProjectName = scopeProject?.String("name");
        if (identity is not null && methods != JsonValueKind.Array)
        {
            root.Problem("auth.identity.methods must be an array containing \"password\"");
        }

        if (root.HasProblems)
        {
            return Error(400, string.Join("; ", root.Problems));
        }

        // Locked per user name whether or not it exists, so the lock tells nothing about which users exist.
        var userKey = $"{domainName}/{name}";
        if (lockouts.Users.Locked(userKey) is { } userLeft)
        {
            return Error(401, $"The user is locked after {lockouts.Users.MaxConsecutive} wrong passwords in a row; retry in {AuthLockouts.Seconds(userLeft)}.");
        }

        // PBKDF2 is deliberately slow: only a few checks run at once, and a request that cannot get a turn soon is refused.
        if (!await lockouts.PasswordChecks.WaitAsync(lockouts.PasswordCheckWait, cancellationToken))
        {
            return Error(429, "Too many token requests are being checked; retry shortly.");
        }

        (Tenant Tenant, TenantUser User)? checkedUser;
        try
        {
            checkedUser = await credentials.CheckPasswordAsync(domainName!, name!, password!, cancellationToken);
        }
        finally
        {
            lockouts.PasswordChecks.Release();
        }

        if (checkedUser is not { } found)
        {
            lockouts.Users.Failed(userKey);
            lockouts.Sources.Failed(source);
            return Error(401, "The username or password is wrong.");
        }

        lockouts.Users.Succeeded(userKey);
        lockouts.Sources.Succeeded(source);

        var tenant = found.Tenant;
        if ((scopeProjectId is not null && scopeProjectId != tenant.ProjectId)
            || (scopeProjectName is not null && scopeProjectName != tenant.ProjectName))
        {
            return Error(401, "The project in auth.scope does not belong to this user.");
        }

        var token = tokens.Issue(tenant, found.User);
        context.Response.Headers["X-Subject-Token"] = token.Value;
        return TokenAnswer(tenant, found.User.Id, found.User.Name, token.IssuedAt, token.ExpiresAt, StatusCodes.Status201Created);
    }

    /// <summary>The token body IAM answers on issue and on validation.</summary>
    internal static IResult TokenAnswer(Tenant tenant, string userId, string userName, DateTimeOffset issuedAt, DateTimeOffset expiresAt, int status)
    {
        var domainRef = new NamedRef(tenant.Id, tenant.DomainName, null);
        var response = new TokenResponse(new TokenBody(
            Time(expiresAt),
            Time(issuedAt),
            ["password"],
            new NamedRef(userId, userName, domainRef),
            new NamedRef(tenant.ProjectId, tenant.ProjectName, domainRef),
            [new Role("te_admin", "te_admin")],
            []));
        return Results.Json(response, s_json, "application/json; charset=utf-8", status);
    }

    /// <summary>IAM's errors follow OpenStack Keystone: <c>{"error": {"code", "message", "title"}}</c>.</summary>
    internal static IResult Error(int status, string message) =>
        Results.Json(new ErrorResponse(new ErrorBody(status, message, status switch
        {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            413 => "Request Entity Too Large",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            _ => "Error",
        })), s_json, "application/json; charset=utf-8", status);

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private sealed record TokenResponse([property: JsonPropertyName("token")] TokenBody Token);

    private sealed record TokenBody(
        [property: JsonPropertyName("expires_at")] string ExpiresAt,
        [property: JsonPropertyName("issued_at")] string IssuedAt,
        [property: JsonPropertyName("methods")] string[] Methods,
        [property: JsonPropertyName("user")] NamedRef User,
        [property: JsonPropertyName("project")] NamedRef Project,
        [property: JsonPropertyName("roles")] Role[] Roles,
        [property: JsonPropertyName("catalog")] object[] Catalog);

    private sealed record NamedRef(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("domain")] NamedRef? Domain);

    private sealed record Role([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("name")] string Name);

    private sealed record ErrorResponse([property: JsonPropertyName("error")] ErrorBody Error);

    private sealed record ErrorBody(
        [property: JsonPropertyName("code")] int Code,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("title")] string Title);
}
