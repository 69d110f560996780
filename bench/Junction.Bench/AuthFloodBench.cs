using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Junction.Testing;

namespace Junction.Bench;

/// <summary>
/// Issue 19, item 2: a flood of unauthenticated token requests for unknown users (each a PBKDF2 check) beside an
/// authenticated tenant's GETs, through a real junction process. The baseline is the same GETs with no flood, in the
/// same run; the flood runs once with the shipped lockouts and once with them lifted, so that only the bound on
/// concurrent password checks protects the other tenant.
/// </summary>
internal static class AuthFloodBench
{
    private const string Password = "bench-password-0123456789";

    public static async Task RunAsync(TimeSpan duration, int flooders)
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"{flooders} flooding clients (POST /v3/auth/tokens, random unknown user, wrong password) for {duration.TotalSeconds:0} s; one authenticated client: GET /v1/{{project}}/connections every 10 ms");
        Console.WriteLine();
        Console.WriteLine("| scenario | authenticated GET p50 / p99 | p99 vs no flood | token answers |");
        Console.WriteLine("|---|---|---|---|");
        var quiet = await ScenarioAsync(duration, 0, new Dictionary<string, string>());
        Print("no flood (baseline)", quiet, quiet);
        Print("flood, shipped defaults", quiet, await ScenarioAsync(duration, flooders, new Dictionary<string, string>()));
        Print("flood, lockouts lifted (only the bound on concurrent checks)", quiet, await ScenarioAsync(duration, flooders, new Dictionary<string, string>
        {
            ["Junction__Iam__SourceLockoutFailures"] = "1000000",
            ["Junction__Iam__LockoutFailures"] = "1000000",
        }));
    }

    private static void Print(string label, Result baseline, Result result) =>
        Console.WriteLine($"| {label} | {result.P50:0.0} / {result.P99:0.0} ms | {result.P99 / baseline.P99:0.0}× | {string.Join(", ", result.Answers.OrderBy(a => a.Key).Select(a => $"{a.Key}: {a.Value}"))} |");

    private static async Task<Result> ScenarioAsync(TimeSpan duration, int flooders, Dictionary<string, string> settings)
    {
        using var data = new TempDirectory();
        settings["JUNCTION_PASSWORD"] = Password;
        using var node = await JunctionProcess.StartAsync(data.Path, settings);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = flooders + 1 }) { BaseAddress = new Uri(node.Url) };
        using var issued = await http.PostAsync("/v3/auth/tokens", Json(TokenRequest("admin", Password)));
        issued.EnsureSuccessStatusCode();
        var token = issued.Headers.GetValues("X-Subject-Token").Single();

        var answers = new ConcurrentDictionary<int, int>();
        using var stop = new CancellationTokenSource(duration);
        var flood = Enumerable.Range(0, flooders).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.PostAsync("/v3/auth/tokens", Json(TokenRequest($"ghost{Random.Shared.Next()}", "wrong-password-123")));
                answers.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            }
        })).ToList();

        var latencies = new List<double>();
        while (!stop.IsCancellationRequested)
        {
            var watch = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/{JunctionProcess.ProjectId}/connections");
            request.Headers.Add("X-Auth-Token", token);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            await Task.Delay(10);
        }

        await Task.WhenAll(flood);
        latencies.Sort();
        return new Result(latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)], new Dictionary<int, int>(answers));
    }

    private static string TokenRequest(string user, string password) => JsonSerializer.Serialize(new
    {
        auth = new { identity = new { methods = new[] { "password" }, password = new { user = new { name = user, password, domain = new { name = "junction" } } } } },
    });

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private sealed record Result(double P50, double P99, IReadOnlyDictionary<int, int> Answers);
}
