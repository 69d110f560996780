using Junction.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Infrastructure;

/// <summary>
/// The real server in memory, on its own SQLite file in a temporary folder, with a known first tenant and a clock the
/// test controls.
/// </summary>
public sealed class JunctionFactory : WebApplicationFactory<Program>
{
    public const string ProjectId = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    public const string AccountId = "100000000001";
    public const string AccessKey = "JUNCTIONTESTAK000001";
    public const string SecretKey = "junction-test-secret-key-0123456789abcdef";
    public const string User = "admin";
    public const string Password = "junction-test-password";
    public const string AdminKey = "junction-test-admin-key-0123456789";

    private readonly TempDirectory _data = new();
    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);
    private readonly List<Action<IServiceCollection>> _services = [];

    public JunctionFactory(DateTimeOffset? start = null)
    {
        // A real wall-clock start keeps Data Protection's key activation (which reads its own clock) in range.
        Time = new FakeTimeProvider(start ?? TimeProvider.System.GetUtcNow());
    }

    public FakeTimeProvider Time { get; }

    public string DataDirectory => _data.Path;

    /// <summary>A client that signs with the first tenant's AK/SK, as the Huawei SDKs do.</summary>
    public HuaweiClient CreateHuaweiClient() => new(CreateClient(), Time, AccessKey, SecretKey);

    /// <summary>A client that signs TC3 with the first tenant's SecretId/SecretKey, as tencentcloud-sdk-nodejs does.</summary>
    public TencentClient CreateTencentClient() => new(CreateClient(), Time, AccessKey, SecretKey);

    /// <summary>Overrides a configuration key before the server starts.</summary>
    public JunctionFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Replaces services before the server starts (a faulty store, say).</summary>
    public JunctionFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Junction:DataDirectory", _data.Path);
        builder.UseSetting("JUNCTION_PROJECT_ID", ProjectId);
        builder.UseSetting("JUNCTION_ACCOUNT_ID", AccountId);
        builder.UseSetting("JUNCTION_ACCESS_KEY", AccessKey);
        builder.UseSetting("JUNCTION_SECRET_KEY", SecretKey);
        builder.UseSetting("JUNCTION_USER", User);
        builder.UseSetting("JUNCTION_PASSWORD", Password);
        builder.UseSetting("Junction:LogFormat", "text");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Tests reach loopback only (design.md §3); the engine is driven by hand unless a test turns it on.
        builder.UseSetting("Junction:Egress:Allow:0", "127.0.0.0/8");
        builder.UseSetting("Junction:Verification:Enabled", "false");
        builder.UseSetting("Junction:Delivery:Enabled", "false");
        builder.UseSetting("Junction:Verification:ProbeTimeout", "00:00:02");
        builder.UseSetting("Junction:Admin:Key", AdminKey);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _data.Dispose();
        }
    }
}
