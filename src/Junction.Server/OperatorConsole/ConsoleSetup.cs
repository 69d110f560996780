using Junction.Core.Configuration;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Junction.Server.OperatorConsole;

/// <summary>
/// The operator console: Razor Pages rendered on the server under <c>/console</c>, signed in with the operator key (an
/// HTTP-only, SameSite=Strict cookie), anti-forgery on every form, and the admin API's own operations behind every
/// action (<see cref="ConsoleActions"/>). Off unless <c>Junction:Console:Enabled</c>.
/// </summary>
internal static class ConsoleSetup
{
    public const string Prefix = "/console";

    public static IServiceCollection AddOperatorConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.SectionName).ValidateKeyed(ConsoleOptions.SectionName).ValidateOnStart();
        if (!configuration.GetValue<bool>($"{ConsoleOptions.SectionName}:Enabled"))
        {
            return services;
        }

        var lifetime = configuration.GetSection(ConsoleOptions.SectionName).Get<ConsoleOptions>()?.SessionLifetime ?? TimeSpan.FromHours(8);
        services.TryAddSingleton<ConsoleSignIn>();
        services.AddAuthentication(ConsoleSignIn.Scheme).AddCookie(ConsoleSignIn.Scheme, o =>
        {
            o.Cookie.Name = "junction_console";
            o.Cookie.Path = Prefix;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = Prefix + "/signin";
            o.LogoutPath = Prefix + "/signout";
            o.AccessDeniedPath = Prefix + "/signin";
            o.ExpireTimeSpan = lifetime;
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = context => context.HttpContext.RequestServices.GetRequiredService<ConsoleSignIn>().ValidateAsync(context);
        });
        services.AddAuthorization(o => o.AddPolicy(ConsoleSignIn.Policy, p => p.AddAuthenticationSchemes(ConsoleSignIn.Scheme).RequireAuthenticatedUser()));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "junction_console_af";
            o.Cookie.Path = Prefix;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__af";
            o.SuppressXFrameOptionsHeader = false;
        });
        services.Configure<CookieTempDataProviderOptions>(o =>
        {
            o.Cookie.Name = "junction_console_note";
            o.Cookie.Path = Prefix;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/OperatorConsole/Pages";
            o.Conventions.AuthorizeFolder("/", ConsoleSignIn.Policy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
        });
        return services;
    }

    /// <summary>Maps the console when it is on; when it is off, <c>/console</c> says so (404) and <c>GET /</c> stays JSON.</summary>
    public static WebApplication MapOperatorConsole(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        if (!options.Enabled)
        {
            app.Map(Prefix + "/{**rest}", () => Results.Text(
                "The operator console is off. Set Junction:Console:Enabled=true (junction dev turns it on).", "text/plain; charset=utf-8", statusCode: 404));
            return app;
        }

        app.MapGet(Prefix + "/assets/{name}", ConsoleAssets.Serve).AllowAnonymous();
        app.MapRazorPages();
        // A page that does not exist: an HTML answer a person can read, with the way back.
        app.Map(Prefix + "/{**rest}", () => Results.Content(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found · Junction</title>"
            + "<link rel=\"stylesheet\" href=\"/console/assets/console.css\"></head><body><main id=\"main\"><h1>Not found</h1>"
            + "<p>No console page has this address. <a href=\"/console\">Back to the overview</a>.</p></main></body></html>",
            "text/html; charset=utf-8", statusCode: 404));
        return app;
    }

    /// <summary>Security headers of every console answer: a strict content policy (no inline script or style), no framing, no caching.</summary>
    public static IApplicationBuilder UseConsoleHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(Prefix))
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                    + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                if (!context.Request.Path.StartsWithSegments(Prefix + "/assets"))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
        }

        await next(context);
    });

    /// <summary>A browser asking for <c>/</c> (it accepts HTML) goes to the console; every API client still gets the JSON index.</summary>
    public static bool WantsConsole(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled
        && context.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) ?? false);
}
