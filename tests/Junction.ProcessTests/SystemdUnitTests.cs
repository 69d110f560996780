using System.Diagnostics;
using Junction.Testing;

namespace Junction.ProcessTests;

/// <summary>Issue 20: the systemd unit of docs/operations.md, as written there, passes <c>systemd-analyze verify</c>.</summary>
[Trait("Category", "Process")]
public sealed class SystemdUnitTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task OperationsUnit_PassesSystemdAnalyzeVerify()
    {
        var operations = await File.ReadAllTextAsync(Path.Combine(Loopback.RepositoryRoot(), "docs", "operations.md"));
        var section = operations.IndexOf("### Running under systemd", StringComparison.Ordinal);
        Assert.True(section >= 0, "docs/operations.md has no systemd section");
        var start = operations.IndexOf("```ini\n", section, StringComparison.Ordinal) + "```ini\n".Length;
        var unit = Path.Combine(_directory.Path, "junction.service");
        await File.WriteAllTextAsync(unit, operations[start..operations.IndexOf("```", start, StringComparison.Ordinal)]);
        Assert.True(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is missing: scripts/test.sh installs it (Debian package systemd)");

        var verify = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        verify.ArgumentList.Add("verify");
        verify.ArgumentList.Add(unit);
        using var process = Process.Start(verify)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0 && output.Trim().Length == 0, $"systemd-analyze verify (exit {process.ExitCode}): {output}");
    }
}
