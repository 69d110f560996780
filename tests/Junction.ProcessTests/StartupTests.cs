using Junction.Testing;

namespace Junction.ProcessTests;

/// <summary>
/// Issue 20: what a person (or a service manager) sees at start — one start-up summary; the first tenant's credentials
/// in an owner-only file when standard output is not a terminal (never in the log); a port in use as one line and
/// exit code 10.
/// </summary>
[Trait("Category", "Process")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StartupTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _other = new();

    public void Dispose()
    {
        _data.Dispose();
        _other.Dispose();
    }

    [Fact]
    public async Task Start_SummarizesItself_KeepsCredentialsOutOfTheLog_AndABusyPortIsOneLine()
    {
        using var node = await JunctionProcess.StartAsync(_data.Path, new Dictionary<string, string> { ["JUNCTION_PASSWORD"] = "startup-password-0123456", ["Logging__LogLevel__Default"] = "Information" });

        var summary = await UntilAsync(() => node.Output.Contains("is ready.", StringComparison.Ordinal) ? node.Output : null);
        Assert.Contains($"listening     {node.Url}", summary, StringComparison.Ordinal);
        Assert.Contains("database      sqlite", summary, StringComparison.Ordinal);
        Assert.Contains("egress        127.0.0.0/8", summary, StringComparison.Ordinal);
        var file = Path.Combine(_data.Path, "first-tenant-credentials.txt");
        Assert.True(File.Exists(file), summary);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains(JunctionProcess.ProjectId, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        Assert.Contains("its credentials were written to", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("IAM password", summary, StringComparison.Ordinal);

        var busy = await new CliRunner(new Dictionary<string, string>()).RunAsync(["serve", "--urls", node.Url, "--data", _other.Path]);
        Assert.Equal(10, busy.ExitCode);
        Assert.Equal($"junction: cannot listen on {node.Url}: the address is already in use (another junction? stop it, or choose another with --urls)", busy.Stderr.Trim());
    }

    private static async Task<string> UntilAsync(Func<string?> probe)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }
}
