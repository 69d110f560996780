using System.Diagnostics;
using Junction.Testing;

namespace Junction.ProcessTests;

/// <summary>
/// Issue 20: the README's dev-mode tour is a test. Its shell block is taken from README.md as written (only the port
/// and the log file are changed, so that it cannot collide with anything on 8080) and run with <c>bash -euo
/// pipefail</c> from the repository's root: any failing command, or any expected line missing, fails the test.
/// </summary>
[Trait("Category", "Process")]
public sealed class ReadmeTourTests
{
    [Fact]
    public async Task DevModeTour_RunsAsWritten_AndShowsWhatItsCommentsPromise()
    {
        var root = Loopback.RepositoryRoot();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var section = readme.IndexOf("## Try it in five minutes", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no dev-mode tour");
        var start = readme.IndexOf("```sh\n", section, StringComparison.Ordinal) + "```sh\n".Length;
        var block = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        var port = Loopback.FreePort();
        using var data = new TempDirectory();
        var log = Path.Combine(data.Path, "junction-dev.log");
        var script = block
            .Replace("scripts/run.sh --dev", $"scripts/run.sh --dev --urls http://127.0.0.1:{port}", StringComparison.Ordinal)
            .Replace("127.0.0.1:8080", $"127.0.0.1:{port}", StringComparison.Ordinal)
            .Replace("/tmp/junction-dev.log", log, StringComparison.Ordinal)
            // A tour that fails half-way must not leave its server running.
            .Replace("JUNCTION_PID=$!\n", "JUNCTION_PID=$!\ntrap 'kill $JUNCTION_PID 2>/dev/null || true' EXIT\n", StringComparison.Ordinal);
        Assert.Contains("trap ", script, StringComparison.Ordinal);
        var file = Path.Combine(data.Path, "tour.sh");
        await File.WriteAllTextAsync(file, script);

        var run = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-euo", "pipefail", file })
        {
            run.ArgumentList.Add(argument);
        }

        using var process = Process.Start(run)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(4));
        try
        {
            await exited;
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"the tour failed (exit {process.ExitCode}):\n{output}\n{await stderr}");
        Assert.Contains("dev mode is running", output, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"CREATED\"", output, StringComparison.Ordinal);
        Assert.Contains("refused 10.1.2.3:9092", output, StringComparison.Ordinal);
        Assert.Contains("\"failed_count\":0", output, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"o-1\"", output, StringComparison.Ordinal);
        Assert.Contains("\"successCounts\":2", output, StringComparison.Ordinal);
        Assert.Contains(">far</a>", output, StringComparison.Ordinal);
    }
}
