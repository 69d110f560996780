using System.Globalization;
using System.Text.Json.Nodes;
using Junction.Core.Tenancy;
using Junction.Server.Api.Wire;
using Junction.Server.Auth;
using Junction.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Junction.Server.Api.Iam;

/// <summary>
/// What the Huawei SDK cores ask IAM before their first call: <c>GET /v3/projects?name={region}</c> (the project id of
/// AK/SK credentials given without one), <c>GET /v3/auth/projects</c>, <c>GET /v3/auth/domains</c> and
/// <c>GET /v3/regions</c>; and token validation, <c>GET|HEAD /v3/auth/tokens</c> with <c>X-Subject-Token</c>. Signed
/// with AK/SK or carrying an X-Auth-Token; a caller sees its own tenant only: one domain, one project named after
/// Junction's region (<c>Junction:Region</c>).
/// </summary>
internal static class IamProjectsApi
{
    public static IEndpointRouteBuilder MapIamProjects(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v3/projects", ListProjectsAsync);
        app.MapGet("/v3/auth/projects", ListAuthProjectsAsync);
        app.MapGet("/v3/auth/domains", ListAuthDomainsAsync);
        app.MapGet("/v3/regions", ListRegionsAsync);
        app.MapMethods("/v3/auth/tokens", ["GET", "HEAD"], ValidateTokenAsync);
        return app;
    }

    private static async Task<IResult> ListProjectsAsync(
        HttpContext context, HuaweiAuthenticator authenticator, IOptions<JunctionOptions> options, CancellationToken cancellationToken)
    {
        var (tenant, error) = await AuthenticateAsync(context, authenticator, options, cancellationToken);
        if (tenant is null)
        {
            return error!;
        }

        var query = context.Request.Query;
        var problems = new List<string>();
        var enabled = Bool(query, "enabled", problems);
        var isDomain = Bool(query, "is_domain", problems);
        var page = Int(query, "page", 1, problems);
        _ = Int(query, "per_page", 5000, problems);
        if (problems.Count > 0)
        {
            return IamTokensApi.Error(400, string.Join("; ", problems));
        }

        var matches = Matches(query, "name", tenant.ProjectName) && Matches(query, "domain_id", tenant.Id)
            && Matches(query, "parent_id", tenant.Id) && Matches(query, "id", tenant.ProjectId)
            && enabled is null or true && isDomain is null or false;
        // One project per tenant: page 1 holds it whatever per_page is.
        var projects = matches && page == 1 ? new JsonArray(Project(context, tenant)) : [];
        var self = $"{Root(context)}/v3/projects{context.Request.QueryString}";
        return Json(new JsonObject
        {
            ["projects"] = projects,
            ["links"] = new JsonObject { ["self"] = self, ["previous"] = null, ["next"] = null },
        });
    }

    private static async Task<IResult> ListAuthProjectsAsync(
        HttpContext context, HuaweiAuthenticator authenticator, IOptions<JunctionOptions> options, CancellationToken cancellationToken)
    {
        var (tenant, error) = await AuthenticateAsync(context, authenticator, options, cancellationToken);
        return tenant is null ? error! : Json(new JsonObject
        {
            ["projects"] = new JsonArray(Project(context, tenant)),
            ["links"] = new JsonObject { ["self"] = $"{Root(context)}/v3/auth/projects", ["previous"] = null, ["next"] = null },
        });
    }

    private static async Task<IResult> ListAuthDomainsAsync(
        HttpContext context, HuaweiAuthenticator authenticator, IOptions<JunctionOptions> options, CancellationToken cancellationToken)
    {
        var (tenant, error) = await AuthenticateAsync(context, authenticator, options, cancellationToken);
        return tenant is null ? error! : Json(new JsonObject
        {
            ["domains"] = new JsonArray(new JsonObject
            {
                ["id"] = tenant.Id,
                ["name"] = tenant.DomainName,
                ["enabled"] = true,
                ["description"] = "",
                ["links"] = new JsonObject { ["self"] = $"{Root(context)}/v3/domains/{tenant.Id}" },
            }),
            ["links"] = new JsonObject { ["self"] = $"{Root(context)}/v3/auth/domains", ["previous"] = null, ["next"] = null },
        });
    }

    private static async Task<IResult> ListRegionsAsync(
        HttpContext context, HuaweiAuthenticator authenticator, IOptions<JunctionOptions> options, CancellationToken cancellationToken)
    {
        var (tenant, error) = await AuthenticateAsync(context, authenticator, options, cancellationToken);
        if (tenant is null)
        {
            return error!;
        }

        var region = options.Value.Region;
        return Json(new JsonObject
        {
            ["regions"] = new JsonArray(new JsonObject
            {
                ["id"] = region,
                ["type"] = "public",
                ["description"] = "",
                ["parent_region_id"] = null,
                ["locales"] = new JsonObject { ["en-us"] = region, ["zh-cn"] = region },
                ["links"] = new JsonObject { ["self"] = $"{Root(context)}/v3/regions/{region}" },
            }),
            ["links"] = new JsonObject { ["self"] = $"{Root(context)}/v3/regions", ["previous"] = null, ["next"] = null },
        });
    }

    /// <summary>
    /// Token validation: the caller authenticates (its own token, or AK/SK) and names the token to check in
    /// <c>X-Subject-Token</c>; a token of another tenant is answered as unknown (404), as are invalid and expired ones.
    /// </summary>
    private static async Task<IResult> ValidateTokenAsync(
        HttpContext context, HuaweiAuthenticator authenticator, TokenService tokens, ITenantStore store, IOptions<JunctionOptions> options,
        CancellationToken cancellationToken)
    {
        var (tenant, error) = await AuthenticateAsync(context, authenticator, options, cancellationToken);
        if (tenant is null)
        {
            return error!;
        }

        var subject = context.Request.Headers["X-Subject-Token"].ToString();
        if (subject.Length == 0)
        {
            return IamTokensApi.Error(400, "X-Subject-Token is required: the token to validate");
        }

        var check = tokens.Check(subject);
        if (check.Status != TokenStatus.Valid || check.TenantId != tenant.Id)
        {
            return IamTokensApi.Error(404, "The token in X-Subject-Token is not valid: unknown, expired, or not of this domain.");
        }

        var user = (await store.ListUsersAsync(tenant.Id, cancellationToken)).FirstOrDefault(u => u.Id == check.UserId);
        if (user is null)
        {
            return IamTokensApi.Error(404, "The token in X-Subject-Token belongs to a user who no longer exists.");
        }

        context.Response.Headers["X-Subject-Token"] = subject;
        return HttpMethods.IsHead(context.Request.Method)
            ? Results.StatusCode(StatusCodes.Status200OK)
            : IamTokensApi.TokenAnswer(tenant, user.Id, user.Name, check.IssuedAt, check.ExpiresAt, StatusCodes.Status200OK);
    }

    private static async Task<(Tenant? Tenant, IResult? Error)> AuthenticateAsync(
        HttpContext context, HuaweiAuthenticator authenticator, IOptions<JunctionOptions> options, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(context, options.Value.MaxRequestBodyBytes, cancellationToken);
        if (body.TooLarge)
        {
            return (null, IamTokensApi.Error(413, "the request body is too large"));
        }

        var auth = await authenticator.AuthenticateAsync(context.Request, body.Bytes, cancellationToken);
        return auth.Tenant is null
            ? (null, IamTokensApi.Error(401, $"The request you have made requires authentication: {auth.Failure}"))
            : (auth.Tenant, null);
    }

    private static JsonObject Project(HttpContext context, Tenant tenant) => new()
    {
        ["id"] = tenant.ProjectId,
        ["name"] = tenant.ProjectName,
        ["domain_id"] = tenant.Id,
        ["parent_id"] = tenant.Id,
        ["enabled"] = true,
        ["is_domain"] = false,
        ["description"] = "",
        ["links"] = new JsonObject { ["self"] = $"{Root(context)}/v3/projects/{tenant.ProjectId}" },
    };

    private static bool Matches(IQueryCollection query, string name, string value) =>
        !query.TryGetValue(name, out var given) || given.ToString() == value;

    private static bool? Bool(IQueryCollection query, string name, List<string> problems)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        problems.Add($"{name} must be true or false (got '{text}')");
        return null;
    }

    private static int Int(IQueryCollection query, string name, int fallback, List<string> problems)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 5000)
        {
            return value;
        }

        problems.Add($"{name} must be an integer from 1 to 5000 (got '{text}')");
        return fallback;
    }

    private static string Root(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json; charset=utf-8", statusCode: 200);
}
