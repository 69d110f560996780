using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Junction.Server.Api.Admin;
using Junction.Server.Api.HuaweiEg;
using Junction.Server.Api.Wire;

namespace Junction.Server.Tests.Api;

/// <summary>
/// Options that requests share are handed to <c>Results.Json</c>, which writes a resolver into options that are still
/// writable: two requests at once made one of them throw (a 500 for a connection that was created). Shared options are
/// read-only, with their resolver, before any request sees them.
/// </summary>
public sealed class SharedJsonOptionsTests
{
    public static TheoryData<string> Shared => ["eg", "admin"];

    /// <summary>
    /// Fails on options declared without <see cref="SharedJsonOptions.Freeze"/> when it runs before anything serialized
    /// with them (run on its own it did); after a use, unfrozen options look read-only too.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shared))]
    public void SharedOptions_AreReadOnly_WithAResolver(string which)
    {
        var options = which == "eg" ? EgRequests.ResponseJson : AdminJson.Options;
        Assert.True(options.IsReadOnly);
        Assert.NotNull(options.TypeInfoResolver);
    }

    [Fact]
    public async Task FrozenOptions_AreReadOnly_AndServeAResultWithTheirSettings()
    {
        var options = SharedJsonOptions.Freeze(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        Assert.True(options.IsReadOnly);
        Assert.IsType<System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver>(options.TypeInfoResolver);

        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await Results.Json(new { RunNumber = 7 }, options).ExecuteAsync(context);
        Assert.Equal("{\"run_number\":7}", System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }
}
