using System.Diagnostics;
using System.Text;

namespace Junction.Testing;

/// <summary>A `junction serve` process on a free loopback port, with the settings a test or benchmark gives it.</summary>
public sealed class JunctionProcess : IDisposable
{
    public const string ProjectId = "7f3e1c0a2b3d4e5f60718293a4b5c6d7";
    public const string AccountId = "300000000003";
    public const string AccessKey = "PROCESSTESTAK0000001";
    public const string SecretKey = "process-test-secret-key-0123456789abcdef";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private JunctionProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>junction serve</c> on a free loopback port and waits until it is ready. The port is free when picked
    /// but another process may take it before junction binds it; a start that failed on "address already in use" is
    /// tried again on another port (up to three times).
    /// </summary>
    public static async Task<JunctionProcess> StartAsync(string dataDirectory, IDictionary<string, string> settings)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(dataDirectory, settings);
            }
            catch (InvalidOperationException exception) when (attempt < 3 && exception.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // Taken between the pick and the bind: pick again.
            }
        }
    }

    private static async Task<JunctionProcess> StartOnceAsync(string dataDirectory, IDictionary<string, string> settings)
    {
        var port = Loopback.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Loopback.CliPath());
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(dataDirectory);
        start.Environment["JUNCTION_PROJECT_ID"] = ProjectId;
        start.Environment["JUNCTION_ACCOUNT_ID"] = AccountId;
        start.Environment["JUNCTION_ACCESS_KEY"] = AccessKey;
        start.Environment["JUNCTION_SECRET_KEY"] = SecretKey;
        start.Environment["Junction__LogFormat"] = "text";
        start.Environment["Junction__Egress__Allow__0"] = "127.0.0.0/8";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var junction = new JunctionProcess(process, url);
        process.OutputDataReceived += (_, e) => junction.Append(e.Data);
        process.ErrorDataReceived += (_, e) => junction.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (await Loopback.AnswersAsync($"{url}/readyz", process, TimeSpan.FromSeconds(60)))
        {
            return junction;
        }

        if (process.HasExited)
        {
            process.WaitForExit();
            var (code, output) = (process.ExitCode, junction.Output);
            junction.Dispose();
            throw new InvalidOperationException($"junction exited with {code}:\n{output}");
        }

        junction.Kill();
        throw new TimeoutException($"junction did not become ready:\n{junction.Output}");
    }

    /// <summary>SIGKILL: no shutdown, no lease release.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
