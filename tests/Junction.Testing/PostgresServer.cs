using System.Diagnostics;

namespace Junction.Testing;

/// <summary>
/// A real, throwaway PostgreSQL server for tests: <c>initdb</c> in a temporary folder and <c>pg_ctl start</c> on a free
/// loopback port, as an unprivileged user when the tests run as root (PostgreSQL refuses to run as root). One per test
/// process; each test asks it for a fresh database. Debian's postgresql-15 provides the binaries (scripts/test.sh
/// installs it where it is missing).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly Lazy<PostgresServer> s_shared = new(() => new PostgresServer());
    private readonly string _directory;
    private readonly string _bin;
    private int _databases;

    private PostgresServer()
    {
        _bin = FindBin();
        _directory = Path.Combine(Path.GetTempPath(), "junction-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_directory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", ["postgres:postgres", _directory]);
        }

        var data = Path.Combine(_directory, "data");
        RunPg("initdb", ["-D", data, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-sync"], asRoot);
        Port = Loopback.FreePort();
        RunPg("pg_ctl", ["-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "start"], asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    public static PostgresServer Shared => s_shared.Value;

    public int Port { get; }

    /// <summary>A connection string to a new, empty database.</summary>
    public string CreateDatabase()
    {
        var name = $"junction_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        using var connection = new Npgsql.NpgsqlConnection(ConnectionString("postgres"));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE {name}";
        command.ExecuteNonQuery();
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=40;Timeout=30;Command Timeout=60";

    public void Dispose()
    {
        try
        {
            RunPg("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "stop"], Environment.UserName == "root");
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Already stopped or removed.
        }
    }

    private void RunPg(string tool, string[] args, bool asRoot)
    {
        var path = Path.Combine(_bin, tool);
        if (asRoot)
        {
            Run("runuser", ["-u", "postgres", "--", path, .. args]);
        }
        else
        {
            Run(path, args);
        }
    }

    private static void Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {output.Result}{error.Result}");
        }
    }

    private static string FindBin()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install postgresql (scripts/test.sh does)");
    }
}
