using System.Diagnostics;

namespace Junction.Testing;

/// <summary>What one run of the <c>junction</c> command printed, and how it exited.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the built <c>junction</c> CLI as its own process, as an operator would, with a chosen environment.</summary>
public sealed class CliRunner(IDictionary<string, string> environment)
{
    public async Task<CliResult> RunAsync(string arguments, string? stdin = null) => await RunAsync(Split(arguments), stdin);

    public async Task<CliResult> RunAsync(IReadOnlyList<string> arguments, string? stdin = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Loopback.CliPath());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing from the machine running the tests: only what the test gives.
        foreach (var name in new[] { "JUNCTION_SERVER", "JUNCTION_ADMIN_KEY", "JUNCTION_CLI_CONFIG" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string[] Split(string arguments) => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
