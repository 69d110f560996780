using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Junction.Testing;

namespace Junction.Bench;

/// <summary>
/// The baseline of every HTTP figure: an empty ASP.NET Core endpoint (<c>GET /empty</c> answering a small JSON
/// object) with Junction's host settings (Kestrel on loopback, no Server header, no logging), in its own process.
/// </summary>
internal sealed class BaselineServer : IDisposable
{
    private readonly Process _process;

    private BaselineServer(Process process, string url, TimeSpan startup)
    {
        _process = process;
        Url = url;
        Startup = startup;
    }

    public string Url { get; }

    public TimeSpan Startup { get; }

    public int Pid => _process.Id;

    /// <summary>Runs in the child process: <c>Junction.Bench baseline-server --urls URL</c>.</summary>
    public static async Task ServeAsync(string urls)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = "Junction.Bench.Baseline" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var app = builder.Build();
        app.MapGet("/empty", () => Results.Json(new { status = "ok" }));
        await app.RunAsync();
    }

    public static async Task<BaselineServer> StartAsync()
    {
        var url = $"http://127.0.0.1:{Loopback.FreePort()}";
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(BaselineServer).Assembly.Location);
        start.ArgumentList.Add("baseline-server");
        start.ArgumentList.Add(url);
        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        if (!await Loopback.AnswersAsync($"{url}/empty", process, TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the baseline server at {url} did not answer within 60 s");
        }

        return new BaselineServer(process, url, clock.Elapsed);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}

internal static class Ready
{
    /// <summary>Resident memory of a process, from /proc (Linux).</summary>
    public static double RssMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
    }
}
