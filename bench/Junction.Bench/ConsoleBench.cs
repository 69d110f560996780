using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Junction.Testing;

namespace Junction.Bench;

/// <summary>
/// The operator console at 100,000 stored connections: the server time of each page (one request at a time, on
/// loopback, so the client's clock measures the server) beside the admin API's JSON for the same data, measured in the
/// same run with the two requests interleaved. Issue 21's goal: every page ≤ 2× its JSON.
/// </summary>
internal static partial class ConsoleBench
{
    private const string AdminKey = "bench-admin-key-0123456789abcdef";

    public static async Task RunAsync(int stored, int requests)
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string>
        {
            ["Junction__Quotas__EgConnections"] = "1000000",
            ["Junction__Verification__Enabled"] = "false",
            ["Junction__Delivery__Enabled"] = "false",
            ["Junction__Admin__Key"] = AdminKey,
            ["Junction__Console__Enabled"] = "true",
            ["JUNCTION_PASSWORD"] = HttpBench.Password,
        };
        using var node = await JunctionProcess.StartAsync(data.Path, settings);
        using var api = new HttpClient { BaseAddress = new Uri(node.Url) };
        var token = await HttpBench.TokenAsync(api);
        string? anyId = null;
        await HttpBench.SeedAsync(api, token, $"/v1/{JunctionProcess.ProjectId}/connections", 0, stored, id => anyId ??= id);
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);

        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var console = new HttpClient(handler) { BaseAddress = new Uri(node.Url) };
        await SignInAsync(console);

        var pageSize = 50;
        var deep = stored / pageSize / 2;
        var tenant = (await api.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/junction/v1/connections/{anyId}"))!["tenant_id"]!.GetValue<string>();
        var pairs = new (string Figure, string Console, string[] Json)[]
        {
            ("connections list, first page (50 rows)", "/console/connections", [$"/junction/v1/connections?limit={pageSize}"]),
            ($"connections list, page {deep:N0} (offset {(deep - 1) * pageSize:N0})", $"/console/connections?page={deep}",
                [$"/junction/v1/connections?limit={pageSize}&offset={(deep - 1) * pageSize}"]),
            ("connections list filtered by text", "/console/connections?q=seed-4242", [$"/junction/v1/connections?limit={pageSize}&q=seed-4242"]),
            ("a connection's page, against its history alone", $"/console/connections/{anyId}", [$"/junction/v1/connections/{anyId}/history"]),
            ("a connection's page, against its history and its tenant (two requests)", $"/console/connections/{anyId}",
                [$"/junction/v1/connections/{anyId}/history", $"/junction/v1/tenants/{tenant}"]),
            ("overview", "/console", ["/junction/v1/status"]),
            ("an empty list (HTTP functions): the fixed cost of a page", "/console/functions", ["/junction/v1/functions"]),
        };

        Console.WriteLine($"| page, {stored:N0} connections stored | console p50 / p99 | admin JSON p50 / p99 | ratio p50 / p99 |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (figure, page, json) in pairs)
        {
            var (consoleTimes, jsonTimes) = await MeasureAsync(console, page, api, json, requests);
            Console.WriteLine(
                $"| {figure} | {P(consoleTimes, 0.5):0.0} / {P(consoleTimes, 0.99):0.0} ms | {P(jsonTimes, 0.5):0.0} / {P(jsonTimes, 0.99):0.0} ms | "
                + $"{P(consoleTimes, 0.5) / P(jsonTimes, 0.5):0.00}× / {P(consoleTimes, 0.99) / P(jsonTimes, 0.99):0.00}× |");
        }

        Console.WriteLine($"\nresident memory of the server afterwards: {Ready.RssMegabytes(node.Pid)} MB");
    }

    /// <summary>Warms both up, then times them interleaved (console, JSON, console, …) so that the machine's noise falls on both alike.</summary>
    private static async Task<(List<double> Console, List<double> Json)> MeasureAsync(HttpClient console, string page, HttpClient api, string[] json, int requests)
    {
        for (var i = 0; i < 20; i++)
        {
            await TimeAsync(console, page);
            await JsonAsync(api, json);
        }

        var a = new List<double>(requests);
        var b = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            a.Add(await TimeAsync(console, page));
            b.Add(await JsonAsync(api, json));
        }

        a.Sort();
        b.Sort();
        return (a, b);
    }

    /// <summary>The JSON for the same data as a page: one request, or several one after another (their times added).</summary>
    private static async Task<double> JsonAsync(HttpClient api, string[] paths)
    {
        var total = 0.0;
        foreach (var path in paths)
        {
            total += await TimeAsync(api, path);
        }

        return total;
    }

    private static async Task<double> TimeAsync(HttpClient client, string path)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK || body.Length == 0)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
        }

        return elapsed;
    }

    private static async Task SignInAsync(HttpClient console)
    {
        var form = await console.GetStringAsync("/console/signin");
        var token = AntiForgery().Match(form).Groups[1].Value;
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["key"] = AdminKey });
        using var response = await console.PostAsync("/console/signin", content);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"console sign-in: {(int)response.StatusCode}");
        }
    }

    private static double P(List<double> sorted, double p) => DeliveryBench.Percentile(sorted, p);

    [GeneratedRegex("name=\"__af\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgery();
}
