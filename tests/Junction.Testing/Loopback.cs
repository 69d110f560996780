using System.Net;
using System.Net.Sockets;

namespace Junction.Testing;

/// <summary>Small facts about the machine tests run on: a free loopback port, the repository's root.</summary>
public static class Loopback
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Polls <paramref name="url"/> every 10 ms (short, so that benchmarks can time start-up from it) until it answers
    /// 2xx: true; false when <paramref name="process"/> exits or <paramref name="timeout"/> passes first.
    /// </summary>
    public static async Task<bool> AnswersAsync(string url, System.Diagnostics.Process process, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        using var http = new HttpClient();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.Elapsed < timeout && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or System.Net.Sockets.SocketException)
            {
                // Not listening yet (a connect can also land on the port while `serve` checks it is free, and be reset).
            }

            await Task.Delay(10);
        }

        return false;
    }

    /// <summary>The folder holding Junction.slnx, found upwards from the test assembly.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Junction.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Junction.slnx) above " + AppContext.BaseDirectory);
    }

    /// <summary>The built <c>junction</c> CLI of the configuration this assembly was built with (…/bin/{Configuration}/net10.0/).</summary>
    public static string CliPath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(RepositoryRoot(), "src", "Junction.Cli", "bin", configuration, "net10.0", "junction.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/Junction.Cli first", dll);
    }
}
