using System.Net;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Junction.Server.Tests.Hosting;

public sealed class HostingTests
{
    [Fact]
    public async Task Probes_AnswerLiveAndReady()
    {
        using var factory = new JunctionFactory();
        using var http = factory.CreateClient();

        var live = await http.GetAsync("/healthz");
        var ready = await http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal("sqlite", body["database"]!.GetValue<string>());
        Assert.True(body["schema"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task Bootstrap_SecondStartOnSameData_KeepsTheFirstTenant()
    {
        using var first = new JunctionFactory();
        using (var http = first.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        }

        // Same data folder, different credential variables: the stored tenant wins, the variables are ignored.
        using var second = new JunctionFactory()
            .With("Junction:DataDirectory", first.DataDirectory)
            .With("JUNCTION_ACCESS_KEY", "ANOTHERACCESSKEY0001");
        var client = second.CreateHuaweiClient();
        var response = await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        client.AccessKey = "ANOTHERACCESSKEY0001";
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, $"/v1/{JunctionFactory.ProjectId}/connections")).StatusCode);
    }

    [Fact]
    public void Bootstrap_InvalidVariable_FailsStartNamingIt()
    {
        using var factory = new JunctionFactory().With("JUNCTION_ACCOUNT_ID", "not-digits");

        var error = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());

        Assert.Contains("JUNCTION_ACCOUNT_ID must be 5 to 20 digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_InvalidValue_FailsStartNamingTheKey()
    {
        using var factory = new JunctionFactory().With("Junction:Quotas:EgConnections", "0");

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("EgConnections", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Issue 19, item 15: the shipped default logs no request lines (paths and query strings), unless turned on.</summary>
public sealed class RequestLoggingTests
{
    [Fact]
    public async Task DefaultLogging_WritesNoRequestLines_ConfigurationTurnsThemOn()
    {
        var quiet = await LogAsync(null);
        Assert.Contains(quiet, l => l.StartsWith("Junction.", StringComparison.Ordinal));
        Assert.DoesNotContain(quiet, l => l.Contains("tenant-filter-value", StringComparison.Ordinal));
        Assert.DoesNotContain(quiet, l => l.StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal));

        var loud = await LogAsync("Information");
        Assert.Contains(loud, l => l.StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal) && l.Contains("tenant-filter-value", StringComparison.Ordinal));
    }

    private static async Task<List<string>> LogAsync(string? aspNetCoreLevel)
    {
        var provider = new CapturingProvider();
        using (var factory = new JunctionFactory()
            .With("Logging:LogLevel:Default", "Information")
            .With("Logging:LogLevel:Microsoft.AspNetCore", aspNetCoreLevel)
            .WithServices(s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(s, provider)))
        {
            using var http = factory.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz?name=tenant-filter-value", UriKind.Relative))).StatusCode);
        }

        return provider.Lines;
    }

    private sealed class CapturingProvider : Microsoft.Extensions.Logging.ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public List<string> Lines => [.. _lines];

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

            public void Log<TState>(
                Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }
}

/// <summary>Issue 19, item 13: readiness reflects whether writes can succeed, and a vanished database stops acknowledgements.</summary>
public sealed class StorageLossTests
{
    [Fact]
    public async Task DatabaseFileDeleted_WritesAre503InTheFacesEnvelope_AndTheNodeIsNotReady()
    {
        using var factory = new JunctionFactory();
        using var http = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        foreach (var file in Directory.GetFiles(factory.DataDirectory, "junction.db*"))
        {
            File.Delete(file);
        }

        var client = factory.CreateHuaweiClient();
        var create = await client.PostAsync($"/v1/{JunctionFactory.ProjectId}/connections", new { name = "lost", vpc_id = "v", subnet_id = "s" });
        var body = JsonNode.Parse(await create.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
        Assert.Equal("EG.00015000", body["error_code"]!.GetValue<string>());
        Assert.Contains("is gone", body["error_details"]!.GetValue<string>(), StringComparison.Ordinal);

        var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("takes no writes", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
