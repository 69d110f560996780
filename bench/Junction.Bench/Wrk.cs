using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Junction.Bench;

/// <summary>One wrk run's figures: requests/s, latency percentiles, and the requests that failed.</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Failed)
{
    public override string ToString() => $"{RequestsPerSecond:0} req/s, p50 {P50Ms:0.00} ms, p99 {P99Ms:0.00} ms ({Requests} requests, {Failed} failed)";
}

/// <summary>
/// Runs <c>wrk</c> (Debian's package; bench/run.sh installs it) with the same settings for every figure, and reads
/// its report. Every benchmark figure and its baseline go through here.
/// </summary>
internal static partial class Wrk
{
    public const int Threads = 2;
    public const int Connections = 64;

    public static async Task<WrkResult> RunAsync(string url, TimeSpan duration, string? script = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { $"-t{Threads}", $"-c{Connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "--timeout", "10s" })
        {
            start.ArgumentList.Add(argument);
        }

        if (script is not null)
        {
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add(Path.Combine(Junction.Testing.Loopback.RepositoryRoot(), "bench", "wrk", script));
        }

        start.ArgumentList.Add(url);
        start.Environment["JUNCTION_THREADS"] = Threads.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start: install it (bench/run.sh does)");
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {errors}{output}");
        }

        var failed = Long(NonSuccess().Match(output)) + Long(LuaErrors().Match(output)) + Long(SocketErrors().Match(output));
        return new WrkResult(
            double.Parse(Rps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile(output, "50%"),
            Percentile(output, "99%"),
            Long(Total().Match(output)),
            failed);
    }

    private static double Percentile(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s+{Regex.Escape(percentile)}\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            _ => value * 60_000,
        };
    }

    private static long Long(Match match) =>
        match.Success ? match.Groups.Values.Skip(1).Sum(g => long.TryParse(g.Value, CultureInfo.InvariantCulture, out var v) ? v : 0) : 0;

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Total();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"lua-errors: (\d+)")]
    private static partial Regex LuaErrors();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
