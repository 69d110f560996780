using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Testing;

namespace Junction.ProcessTests;

/// <summary>
/// Issue 20: <c>junction dev</c> gives a newcomer a first success without writing code — a KAFKA connection to the
/// built-in cluster goes CREATED, one outside loopback is refused with its reason, and an event published through
/// the EG face arrives at the echo webhook. A real <c>junction dev</c> process; its summary is what the test reads.
/// </summary>
[Trait("Category", "Process")]
public sealed partial class DevModeTests
{
    private const string Eg = "/v1/0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task DevMode_KafkaConnectionGoesCreated_RefusedOneSaysWhy_EventReachesTheEcho()
    {
        var url = $"http://127.0.0.1:{Loopback.FreePort()}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Loopback.CliPath(), "dev", "--urls", url })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string folder;
        try
        {
            Assert.True(await Loopback.AnswersAsync($"{url}/readyz", process, TimeSpan.FromSeconds(60)), "junction dev did not become ready");
            var summary = await UntilAsync(() => Task.FromResult(Text(output) is var text && DataLine().IsMatch(text) ? text : null));
            var bootstrap = BootstrapLine().Match(summary).Groups[1].Value;
            folder = DataLine().Match(summary).Groups[1].Value.Trim();
            Assert.StartsWith("127.0.0.1:", bootstrap, StringComparison.Ordinal);
            Assert.True(Directory.Exists(folder));

            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var eg = new HuaweiClient(http, TimeProvider.System, "JUNCTIONDEVAK0000001", "junction-dev-secret-key-0123456789");

            var kafka = await CreateAsync(eg, $"{Eg}/connections", new { name = "orders", vpc_id = "vpc-1", subnet_id = "subnet-1", type = "KAFKA", kafka_detail = new { instance_id = "dev", addr = bootstrap } });
            var refused = await CreateAsync(eg, $"{Eg}/connections", new { name = "far", vpc_id = "vpc-1", subnet_id = "subnet-1", type = "KAFKA", kafka_detail = new { instance_id = "far", addr = "10.1.2.3:9092" } });
            var green = await UntilAsync(async () => await ShowAsync(eg, kafka) is { } c && c["status"]!.GetValue<string>() == "CREATED" ? c : null);
            Assert.Equal("CREATED", green["status"]!.GetValue<string>());
            var red = await UntilAsync(async () => await ShowAsync(eg, refused) is { } c && c["status"]!.GetValue<string>() == "CREATE_FAILED" ? c : null);
            Assert.Equal("JUNCTION.EGRESS_REFUSED", red["error_info"]!["error_code"]!.GetValue<string>());
            Assert.Contains("10.1.2.3", red["error_info"]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);

            var channel = await CreateAsync(eg, $"{Eg}/channels", new { name = "shop" });
            Assert.Equal(HttpStatusCode.OK, (await eg.PostAsync($"{Eg}/sources", new { name = "shop", channel_id = channel })).StatusCode);
            await CreateAsync(eg, $"{Eg}/subscriptions", new
            {
                name = "to-echo",
                channel_id = channel,
                sources = new[] { new { name = "shop", provider_type = "CUSTOM", filter = new { source = new[] { new { op = "StringIn", values = new[] { "shop" } } } } } },
                targets = new[] { new { name = "HTTPS", provider_type = "CUSTOM", detail = new { url = $"{url}/junction/dev/echo/orders" }, transform = new { type = "ORIGINAL" } } },
            });
            var put = await eg.PostAsync($"{Eg}/channels/{channel}/events", new { events = new[] { new { id = "first-event", source = "shop", specversion = "1.0", type = "order.created", data = new { order = 1 } } } });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var echoed = await UntilAsync(async () =>
            {
                var items = JsonNode.Parse(await http.GetStringAsync("/junction/dev/echo"))!["items"]!.AsArray();
                return items.FirstOrDefault(i => i!["body"]?["id"]?.GetValue<string>() == "first-event");
            });
            Assert.Equal("/junction/dev/echo/orders", echoed!["path"]!.GetValue<string>());
        }
        finally
        {
            // SIGTERM, as a service manager stops it: the dev data folder goes with it.
            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(0, process.ExitCode);
        Assert.False(Directory.Exists(folder), $"the dev data folder {folder} was left behind");
    }

    private static string Text(System.Text.StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static async Task<string> CreateAsync(HuaweiClient eg, string path, object body)
    {
        var response = await eg.PostAsync(path, body);
        var json = await HuaweiClient.JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {json.ToJsonString()}");
        return json["id"]!.GetValue<string>();
    }

    private static async Task<JsonObject?> ShowAsync(HuaweiClient eg, string id) =>
        await HuaweiClient.JsonAsync(await eg.SendAsync(HttpMethod.Get, $"{Eg}/connections/{id}"));

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"^  kafka bootstrap\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex BootstrapLine();

    [GeneratedRegex(@"^  data folder\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex DataLine();
}
