using System.Text.Json;
using Microsoft.OpenApi;

namespace Junction.Server.Api.Admin;

/// <summary>
/// The admin API's OpenAPI document, generated from the endpoints (Microsoft.AspNetCore.OpenApi), served at
/// <c>/junction/v1/openapi.json</c> and committed as docs/api/admin.openapi.json (a test keeps the two equal).
/// </summary>
internal static class AdminOpenApi
{
    public const string Path = AdminApi.Prefix + "/openapi.json";

    public static IServiceCollection AddAdminOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            // Only the admin API: the three cloud faces are described by their clouds' own documents.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("junction/v1/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Junction admin API",
                    Version = "v1",
                    Description = "The operator's API: tenants, access keys, users, networks, Kafka instances and every connection of every face. "
                        + "Send the operator key (Junction:Admin:Key) as 'Authorization: Bearer KEY'.",
                };
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    ["operatorKey"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "Junction:Admin:Key" },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("operatorKey", document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<AdminBodyMetadata>().FirstOrDefault() is { } body)
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken) },
                        },
                    };
                }
            });
            // Bodies go out in snake_case (AdminJson.Options); the generator names properties after the global options.
            // In a request, a field that may be null may also be left out; in an answer, every field is written.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (schema.Properties is { Count: > 0 } properties)
                {
                    var isRequest = context.JsonTypeInfo.Type.Name.EndsWith("Request", StringComparison.Ordinal);
                    var optional = isRequest
                        ? properties.Where(p => p.Value.Type is { } type && type.HasFlag(JsonSchemaType.Null)).Select(p => p.Key).ToHashSet()
                        : [];
                    schema.Properties = properties.ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), p => p.Value);
                    if (schema.Required is { Count: > 0 } required)
                    {
                        schema.Required = new HashSet<string>(required.Where(r => !optional.Contains(r)).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName));
                    }
                }

                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// Describes the JSON body an endpoint reads (it parses the body itself, for precise messages). Unlike
    /// <c>Accepts</c>, this does not make routing refuse other content types.
    /// </summary>
    public static RouteHandlerBuilder AdminBody<T>(this RouteHandlerBuilder builder) => builder.WithMetadata(new AdminBodyMetadata(typeof(T)));

    public static IEndpointRouteBuilder MapAdminOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(Path);
        return app;
    }
}

internal sealed record AdminBodyMetadata(Type Type);
