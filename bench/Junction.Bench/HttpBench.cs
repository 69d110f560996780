using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Junction.Testing;

namespace Junction.Bench;

/// <summary>
/// The HTTP figures of design.md §6, each next to its baseline from the same run: an empty ASP.NET Core endpoint in
/// its own process, loaded by wrk with the same settings (2 threads, 64 connections). One junction process on SQLite,
/// verification off (its cost is the verification scenario's), quotas and the Tencent rate limit lifted.
/// </summary>
internal static class HttpBench
{
    internal const string Password = "bench-password-0123456789";
    // Tiered compilation and dynamic PGO take ~20 s of load to settle on 2 busy cores (show went 3,800 -> 9,100
    // requests/s over its first 25 s): each server gets that once, and each figure 5 s of its own requests first.
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(TimeSpan duration, int stored)
    {
        var rows = new List<(string Figure, string Value, string Baseline, string Ratio)>();
        using var baseline = await BaselineServer.StartAsync();
        await Wrk.RunAsync($"{baseline.Url}/empty", s_settle);
        var empty = await Wrk.RunAsync($"{baseline.Url}/empty", duration);
        Console.Error.WriteLine($"baseline: {empty}");
        var baselineRss = Ready.RssMegabytes(baseline.Pid);

        using var data = new TempDirectory();
        var settings = new Dictionary<string, string>
        {
            ["Junction__Quotas__EgConnections"] = "1000000",
            ["Junction__Quotas__DliConnections"] = "1000000",
            ["Junction__Quotas__EbConnectorsPerBus"] = "1000000",
            ["Junction__Tencent__RequestsPerSecond"] = "0",
            ["Junction__Verification__Enabled"] = "false",
            ["JUNCTION_PASSWORD"] = Password,
        };
        var eg = $"/v1/{JunctionProcess.ProjectId}/connections";
        var clock = Stopwatch.StartNew();
        var node = await JunctionProcess.StartAsync(data.Path, settings);
        var firstStart = clock.Elapsed;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(node.Url) };
            var token = await TokenAsync(http);
            var env = new Dictionary<string, string> { ["JUNCTION_TOKEN"] = token, ["JUNCTION_RUN"] = "w" };
            var seeded = 0;
            string? anyId = null;

            // Show and the baseline: the same wrk settings, the same kind of answer (a small JSON object).
            seeded = await SeedAsync(http, token, eg, seeded, 1_000, id => anyId ??= id);
            await Wrk.RunAsync($"{node.Url}{eg}/{anyId}", s_settle, "token.lua", env);
            var show = await Wrk.RunAsync($"{node.Url}{eg}/{anyId}", duration, "token.lua", env);
            Add(rows, "EG show (token, SQLite, 1,000 stored)", show, empty);

            var dliId = await CreateDliAsync(http, token);
            var dli = await MeasureAsync($"{node.Url}/v2.0/{JunctionProcess.ProjectId}/datasource/enhanced-connections/{dliId}", duration, "token.lua", env);
            Add(rows, "DLI show enhanced connection", dli, empty);

            var lists = new List<(int Stored, WrkResult Result)>();
            lists.Add((seeded, await MeasureAsync($"{node.Url}{eg}?limit=15", duration, "token.lua", env)));

            seeded = await SeedAsync(http, token, eg, seeded, 10_000, _ => { });
            lists.Add((seeded, await MeasureAsync($"{node.Url}{eg}?limit=15", duration, "token.lua", env)));

            // eg-create.lua names each connection after JUNCTION_RUN: the warm-up and the measured run differ.
            await Wrk.RunAsync($"{node.Url}{eg}", s_warmUp, "eg-create.lua", new Dictionary<string, string>(env) { ["JUNCTION_RUN"] = "warm" });
            var create = await Wrk.RunAsync($"{node.Url}{eg}", duration, "eg-create.lua", env);
            Add(rows, "EG create (token, SQLite)", create, empty);
            seeded = await CountAsync(http, token, eg);
            seeded = await SeedAsync(http, token, eg, seeded, stored, _ => { });
            lists.Add((seeded, await MeasureAsync($"{node.Url}{eg}?limit=15", duration, "token.lua", env)));

            foreach (var (count, result) in lists)
            {
                Add(rows, $"EG list, first page of 15, {count:N0} stored", result, empty);
            }

            var showLarge = await MeasureAsync($"{node.Url}{eg}/{anyId}", duration, "token.lua", env);
            Add(rows, $"EG show ({seeded:N0} stored)", showLarge, empty);
            rows.Add(($"list p50 at {lists[^1].Stored:N0} ÷ at {lists[0].Stored:N0}", $"{lists[^1].Result.P50Ms / lists[0].Result.P50Ms:0.00}×", "target ≤ 1.5×", ""));

            // Tencent EB with TC3-signed requests (signed ahead, replayed by wrk; valid for 5 minutes).
            var tencent = new TencentClient(http, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey) { Region = "ap-guangzhou" };
            var bus = (await tencent.CallAsync("CreateEventBus", new { EventBusName = "bench" }))["EventBusId"]!.GetValue<string>();
            // Every replayed create needs a name of its own: the warm-up's are not the measured run's.
            var ebWarm = await ReplayAsync(node.Url, s_warmUp, Enumerable.Range(200_000, 40_000).Select(i => tencent.RawRequest("CreateConnection", EbConnector(bus, i))));
            var ebCreate = await ReplayAsync(node.Url, duration, Enumerable.Range(0, 100_000).Select(i => tencent.RawRequest("CreateConnection", EbConnector(bus, i))));
            Add(rows, "EB CreateConnection (TC3)", ebCreate, empty);
            await ReplayAsync(node.Url, s_warmUp, [tencent.RawRequest("ListConnections", $$"""{"EventBusId":"{{bus}}","Limit":20}""")]);
            var ebList = await ReplayAsync(node.Url, duration, [tencent.RawRequest("ListConnections", $$"""{"EventBusId":"{{bus}}","Limit":20}""")]);
            Add(rows, "EB ListConnections (TC3)", ebList, empty);

            var rssLoaded = Ready.RssMegabytes(node.Pid);
            rows.Add(($"resident memory after the load ({seeded:N0} EG + {ebWarm.Requests - ebWarm.Failed + ebCreate.Requests - ebCreate.Failed:N0} EB stored)", $"{rssLoaded:0} MB", $"{baselineRss:0} MB", $"{rssLoaded / baselineRss:0.00}×"));
        }
        finally
        {
            node.Dispose();
        }

        // Start-up on the full database, and memory after start and one list.
        clock.Restart();
        using (var restarted = await JunctionProcess.StartAsync(data.Path, settings))
        {
            var start = clock.Elapsed;
            rows.Add(("start-up, empty database → ready", $"{firstStart.TotalMilliseconds:0} ms", $"{baseline.Startup.TotalMilliseconds:0} ms", $"{firstStart / baseline.Startup:0.00}×"));
            rows.Add(("start-up, full database → ready", $"{start.TotalMilliseconds:0} ms", $"{baseline.Startup.TotalMilliseconds:0} ms", $"{start / baseline.Startup:0.00}×"));
            using var http = new HttpClient { BaseAddress = new Uri(restarted.Url) };
            var token = await TokenAsync(http);
            await Wrk.RunAsync($"{restarted.Url}{eg}?limit=15", TimeSpan.FromSeconds(2), "token.lua", new Dictionary<string, string> { ["JUNCTION_TOKEN"] = token });
            var rss = Ready.RssMegabytes(restarted.Pid);
            rows.Add(("resident memory, restarted on the full database, after a list", $"{rss:0} MB", $"{baselineRss:0} MB", $"{rss / baselineRss:0.00}×"));
        }

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; wrk -t{Wrk.Threads} -c{Wrk.Connections} -d{duration.TotalSeconds:0}s");
        Console.WriteLine();
        Console.WriteLine("| figure | Junction | baseline (same run) | ratio |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (figure, value, baselineValue, ratio) in rows)
        {
            Console.WriteLine($"| {figure} | {value} | {baselineValue} | {ratio} |");
        }
    }

    private static void Add(List<(string, string, string, string)> rows, string figure, WrkResult result, WrkResult empty)
    {
        Console.Error.WriteLine($"{figure}: {result}");
        if (result.Failed > 0)
        {
            throw new InvalidOperationException($"{figure}: {result.Failed} requests failed; the figure would not be honest");
        }

        rows.Add(($"{figure}, requests/s", $"{result.RequestsPerSecond:0}", $"{empty.RequestsPerSecond:0}", $"{result.RequestsPerSecond / empty.RequestsPerSecond:0.00}×"));
        rows.Add(($"{figure}, p50 / p99", $"{result.P50Ms:0.00} / {result.P99Ms:0.00} ms", $"{empty.P50Ms:0.00} / {empty.P99Ms:0.00} ms", $"{result.P99Ms / empty.P99Ms:0.00}× (p99)"));
    }

    /// <summary>The figure's own requests for <see cref="s_warmUp"/>, then the measured run.</summary>
    private static async Task<WrkResult> MeasureAsync(string url, TimeSpan duration, string script, IDictionary<string, string> env)
    {
        await Wrk.RunAsync(url, s_warmUp, script, env);
        return await Wrk.RunAsync(url, duration, script, env);
    }

    private static async Task<WrkResult> ReplayAsync(string url, TimeSpan duration, IEnumerable<string> requests)
    {
        var file = Path.GetTempFileName();
        try
        {
            await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
            {
                foreach (var request in requests)
                {
                    await writer.WriteAsync(request);
                    await writer.WriteAsync("\n#####\n");
                }
            }

            return await Wrk.RunAsync($"{url}/", duration, "replay.lua", new Dictionary<string, string> { ["JUNCTION_REQUESTS"] = file });
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string EbConnector(string bus, int i) => new JsonObject
    {
        ["EventBusId"] = bus,
        ["ConnectionName"] = $"c{i}",
        ["ConnectionDescription"] = new JsonObject
        {
            ["ResourceDescription"] = $"qcs::ckafka:ap-guangzhou:uin/{JunctionProcess.AccountId}:ckafkaId/uin/{JunctionProcess.AccountId}/ckafka-bench",
            ["CkafkaParams"] = new JsonObject { ["Offset"] = "latest", ["TopicName"] = "t" },
        },
    }.ToJsonString();

    /// <summary>Creates EG connections with 32 concurrent token-authenticated clients until <paramref name="target"/> are stored.</summary>
    internal static async Task<int> SeedAsync(HttpClient http, string token, string path, int stored, int target, Action<string> first)
    {
        var next = stored - 1;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < target)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path)
                {
                    Content = new StringContent($$"""{"name":"seed-{{i}}","vpc_id":"vpc-1","subnet_id":"subnet-1"}""", Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Auth-Token", token);
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"seeding: {(int)response.StatusCode} {body}");
                }

                first(JsonNode.Parse(body)!["id"]!.GetValue<string>());
            }
        }));
        Console.Error.WriteLine($"seeded to {target:N0}");
        return Math.Max(stored, target);
    }

    private static async Task<int> CountAsync(HttpClient http, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?limit=1");
        request.Headers.Add("X-Auth-Token", token);
        using var response = await http.SendAsync(request);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["total"]!.GetValue<int>();
    }

    private static async Task<string> CreateDliAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2.0/{JunctionProcess.ProjectId}/datasource/enhanced-connections")
        {
            Content = new StringContent("""{"name":"bench","dest_vpc_id":"vpc-1","dest_network_id":"subnet-1"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Auth-Token", token);
        using var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return body["connection_id"]?.GetValue<string>() ?? throw new InvalidOperationException($"DLI create: {body}");
    }

    internal static async Task<string> TokenAsync(HttpClient http)
    {
        var body = $$$"""
            {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","password":"{{{Password}}}","domain":{"name":"junction"} } } },
             "scope":{"project":{"id":"{{{JunctionProcess.ProjectId}}}"} } } }
            """;
        using var response = await http.PostAsync("/v3/auth/tokens", new StringContent(body, Encoding.UTF8, "application/json"));
        return response.StatusCode == HttpStatusCode.Created
            ? response.Headers.GetValues("X-Subject-Token").Single()
            : throw new InvalidOperationException($"token: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
