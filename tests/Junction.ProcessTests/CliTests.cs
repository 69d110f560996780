using System.Net;
using System.Text.Json.Nodes;
using Junction.Testing;
using Microsoft.Data.Sqlite;

namespace Junction.ProcessTests;

/// <summary>
/// The <c>junction</c> admin commands, each run as its own process against a real <c>junction serve</c> on loopback:
/// what they print, and their exit codes (docs/cli.md).
/// </summary>
[Trait("Category", "Process")]
public sealed class CliTests : IAsyncLifetime
{
    private const string AdminKey = "cli-test-operator-key-0123456789";
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _home = new();
    private readonly MockKafkaCluster _cluster = new();
    private JunctionProcess _server = null!;
    private CliRunner _cli = null!;

    public async Task InitializeAsync()
    {
        _server = await JunctionProcess.StartAsync(_data.Path, new Dictionary<string, string>
        {
            ["Junction__Admin__Key"] = AdminKey,
            ["Junction__Verification__PollInterval"] = "00:00:00.200",
        });
        _cli = new CliRunner(Environment(_server.Url, AdminKey));
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        _cluster.Dispose();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
        _home.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Tenants_Keys_Users_FromCreateToUse()
    {
        var list = await Ok("tenants list");
        Assert.StartsWith("ID", list.Stdout, StringComparison.Ordinal);
        Assert.Contains(JunctionProcess.ProjectId, list.Stdout, StringComparison.Ordinal);

        var created = JsonNode.Parse((await Ok("tenants create --domain acme --project-id acmeproject01 --output json")).Stdout)!;
        var tenant = created["tenant"]!["id"]!.GetValue<string>();
        var ak = created["access_key"]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, await ListAsync(ak, created["access_key"]!["secret"]!.GetValue<string>()));

        var table = await Ok($"tenants show {tenant}");
        Assert.Contains("domain:     acme", table.Stdout, StringComparison.Ordinal);

        var rotated = await Ok($"keys rotate {tenant} {ak}");
        Assert.Contains("Save the secret now", rotated.Stderr, StringComparison.Ordinal);
        var newId = Value(rotated.Stdout, "access key id");
        Assert.Equal(HttpStatusCode.OK, await ListAsync(newId, Value(rotated.Stdout, "secret key")));
        Assert.Equal(HttpStatusCode.Unauthorized, await ListAsync(ak, created["access_key"]!["secret"]!.GetValue<string>()));
        Assert.Contains(newId, (await Ok($"keys list {tenant}")).Stdout, StringComparison.Ordinal);
        Assert.Contains($"revoked access key {newId}", (await Ok($"keys revoke {tenant} {newId}")).Stdout, StringComparison.Ordinal);
        await Fails(4, $"no access key '{newId}'", $"keys revoke {tenant} {newId}");

        Assert.Contains("created user ops", (await _cli.RunAsync(["users", "create", tenant, "ops", "--password-stdin"], "chosen-password-1")).Stdout, StringComparison.Ordinal);
        var users = await Ok($"users list {tenant}");
        Assert.Contains("ops", users.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("chosen-password-1", users.Stdout, StringComparison.Ordinal);
        var reset = await Ok($"users set-password {tenant} ops");
        Assert.Matches("password: \\S{8,}", reset.Stdout);
        Assert.Contains("deleted user ops", (await Ok($"users delete {tenant} ops")).Stdout, StringComparison.Ordinal);

        await Fails(5, "already exists", "tenants create --domain acme");
        await Fails(6, "account_id must be 5 to 20 digits", "tenants create --domain other --account-id 12");
        await Fails(6, "password must be 8 to 128 characters", ["users", "create", tenant, "short", "--password-stdin"], "abc");
        await Fails(4, "tenant 'nobody' does not exist", "tenants show nobody");
    }

    [Fact]
    public async Task Deliveries_ListShowAndRedrive()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Default = new ReceiverAnswer(404);
        using var http = new HttpClient { BaseAddress = new Uri(_server.Url) };
        var eg = new HuaweiClient(http, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey);
        var root = $"/v1/{JunctionProcess.ProjectId}";
        var channel = (await HuaweiClient.JsonAsync(await eg.PostAsync($"{root}/channels", new { name = "cli" })))["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await eg.PostAsync($"{root}/sources", new { name = "app", channel_id = channel })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await eg.PostAsync($"{root}/subscriptions", new
        {
            name = "cli-sub",
            channel_id = channel,
            sources = new[] { new { name = "app", provider_type = "CUSTOM", filter = new { source = new[] { new { op = "StringIn", values = new[] { "app" } } } } } },
            targets = new[] { new { name = "HTTPS", provider_type = "CUSTOM", detail = new { url = receiver.Url + "/x" }, retry_times = 0, transform = new { type = "ORIGINAL" } } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await eg.PostAsync($"{root}/channels/{channel}/events", new { events = new[] { new { id = "cli-1", source = "app", specversion = "1.0", type = "t" } } })).StatusCode);
        Assert.True(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(30)));

        JsonNode failed = new JsonObject();
        for (var i = 0; i < 100 && failed["items"] is not JsonArray { Count: 1 }; i++)
        {
            await Task.Delay(100);
            failed = JsonNode.Parse((await Ok("deliveries list --state Failed -o json")).Stdout)!;
        }

        var id = failed["items"]![0]!["id"]!.GetValue<long>();
        var table = await Ok("deliveries list --state Failed");
        Assert.Matches($"{id} +Failed +Target +1 +cli-1", table.Stdout);
        var shown = await Ok($"deliveries show {id}");
        Assert.Contains("HTTP_404", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains("Terminal", shown.Stdout, StringComparison.Ordinal);

        receiver.Default = new ReceiverAnswer(200);
        Assert.Contains("redriven: 1", (await Ok($"deliveries redrive --id {id}")).Stdout, StringComparison.Ordinal);
        Assert.True(await receiver.WaitForAsync(2, TimeSpan.FromSeconds(30)));
        await Fails(6, "say which deliveries", "deliveries redrive");
        await Fails(4, "does not exist", "deliveries show 999999");
    }

    [Fact]
    public async Task Networks_Instances_AndConnectionsAcrossFaces()
    {
        Assert.Contains("registered VPC vpc-1", (await Ok("networks add-vpc vpc-1 --cidr 10.0.0.0/16 --name prod --shared")).Stdout, StringComparison.Ordinal);
        await Ok("networks add-subnet vpc-1 subnet-1 --cidr 10.0.1.0/24");
        var networks = await Ok("networks list");
        Assert.Matches("subnet-1 +subnet +vpc-1 +10.0.1.0/24", networks.Stdout);
        await Fails(5, "still has subnets", "networks delete vpc-1");
        await Fails(6, "is not a CIDR", "networks add-vpc vpc-2 --cidr 10.0.0.0/99 --shared");
        await Ok("networks delete-subnet vpc-1 subnet-1");
        await Ok("networks delete vpc-1");

        var added = await _cli.RunAsync(["instances", "add", "ckafka-1", "--bootstrap-servers", "127.0.0.1:9092", "--security-protocol", "SASL_PLAINTEXT", "--user-name", "alice", "--shared", "--password-stdin"], "kafka-secret-1");
        Assert.Equal(0, added.ExitCode);
        Assert.Matches("has_password: +true", added.Stdout);
        var instances = await Ok("instances list --output json");
        Assert.Equal("alice", JsonNode.Parse(instances.Stdout)!["items"]![0]!["user_name"]!.GetValue<string>());
        Assert.DoesNotContain("kafka-secret-1", instances.Stdout, StringComparison.Ordinal);
        await Fails(6, "user_name is required", "instances update ckafka-1 --bootstrap-servers 127.0.0.1:9092 --security-protocol SASL_SSL");
        await Ok("instances delete ckafka-1");
        await Fails(4, "'ckafka-1' is not registered", "instances show ckafka-1");

        // Connections made through a cloud face, seen and waited for through the CLI.
        using var http = new HttpClient { BaseAddress = new Uri(_server.Url) };
        var eg = new HuaweiClient(http, TimeProvider.System, JunctionProcess.AccessKey, JunctionProcess.SecretKey);
        var good = await CreateKafkaAsync(eg, "good", _cluster.Bootstrap);
        var bad = await CreateKafkaAsync(eg, "bad", "127.0.0.1:1");

        var waitedGood = await _cli.RunAsync($"connections wait {good} --timeout 60");
        Assert.Equal(0, waitedGood.ExitCode);
        Assert.Contains($"{good}: Ready", waitedGood.Stdout, StringComparison.Ordinal);
        var waitedBad = await _cli.RunAsync($"connections wait {bad} --timeout 60");
        Assert.Equal(1, waitedBad.ExitCode);
        Assert.Contains("JUNCTION.KAFKA_UNREACHABLE", waitedBad.Stdout, StringComparison.Ordinal);

        var listed = await Ok("connections list --face eg --state Ready");
        Assert.Contains(good, listed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(bad, listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 of 1", listed.Stdout, StringComparison.Ordinal);
        var all = JsonNode.Parse((await Ok("connections list --all -o json")).Stdout)!;
        Assert.Equal(2, all["items"]!.AsArray().Count);
        Assert.Contains("state:   Failed", (await Ok($"connections show {bad}")).Stdout, StringComparison.Ordinal);
        Assert.Matches("Pending +Failed +JUNCTION.KAFKA_UNREACHABLE", (await Ok($"connections history {bad}")).Stdout);
        await Fails(6, "face must be eg, eb or dli", "connections list --face sqs");
        var searched = await Ok("connections list --search goo");
        Assert.Contains(good, searched.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 of 1", searched.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 of 0", (await Ok("connections list --search nothing-matches")).Stdout, StringComparison.Ordinal);
        await Fails(4, "connection 'nope' does not exist", "connections history nope");

        // Issue 20: a tenant by its project id; status; recheck; a bare junction prints the help.
        Assert.Contains("2 of 2", (await Ok($"connections list --tenant {JunctionProcess.ProjectId}")).Stdout, StringComparison.Ordinal);
        await Fails(4, "no tenant has the id, project id, account id or domain name 'nobody'", "connections list --tenant nobody");
        var status = await Ok("status");
        Assert.Matches("eg +Ready +1", status.Stdout);
        Assert.Contains("failing now: 1", status.Stdout, StringComparison.Ordinal);
        Assert.Contains(bad, status.Stdout, StringComparison.Ordinal);
        Assert.Contains("is due for a check now", (await Ok($"connections recheck {bad}")).Stdout, StringComparison.Ordinal);
        await Fails(4, "connection 'nope' does not exist", "connections recheck nope");
        Assert.Contains($"deleted connection {bad}", (await Ok($"connections delete {bad}")).Stdout, StringComparison.Ordinal);
        await Fails(4, "does not exist", $"connections show {bad}");
        var help = await _cli.RunAsync(Array.Empty<string>());
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Usage:", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_AndExitCodes_WhenThingsAreWrong()
    {
        // A config file gives the address and key when neither flag nor environment does.
        var config = Path.Combine(_home.Path, "cli.json");
        await File.WriteAllTextAsync(config, $$"""{"server":"{{_server.Url}}","admin_key":"{{AdminKey}}"}""");
        var bare = new CliRunner(Environment(null, null));
        Assert.Equal(0, (await bare.RunAsync($"tenants list --cli-config {config}")).ExitCode);

        await Expect(bare, 3, "no operator key", "tenants list");
        await Expect(bare, 3, "does not exist", "tenants list --cli-config /nonexistent/cli.json");
        await Expect(new CliRunner(Environment(_server.Url, "wrong-key-0123456789")), 7, "the operator key is wrong", "tenants list");
        await Expect(new CliRunner(Environment($"http://127.0.0.1:{Loopback.FreePort()}", AdminKey)), 8, "cannot reach the server", "tenants list");
        await Expect(_cli, 3, "is not an http:// or https:// URL", "tenants list --server ftp://x");
        await Expect(_cli, 2, "Unrecognized command or argument 'bogus'", "tenants bogus");
        await Expect(_cli, 2, "--output", "tenants list --output yaml");
        await Expect(_cli, 2, "--domain", "tenants create");
    }

    private static Dictionary<string, string> Environment(string? server, string? key)
    {
        var environment = new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        if (server is not null)
        {
            environment["JUNCTION_SERVER"] = server;
        }

        if (key is not null)
        {
            environment["JUNCTION_ADMIN_KEY"] = key;
        }

        return environment;
    }

    private async Task<CliResult> Ok(string arguments)
    {
        var result = await _cli.RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"junction {arguments}\n{result}");
        return result;
    }

    private Task Fails(int exitCode, string message, string arguments) => Expect(_cli, exitCode, message, arguments);

    private async Task Fails(int exitCode, string message, string[] arguments, string stdin)
    {
        var result = await _cli.RunAsync(arguments, stdin);
        Assert.True(result.ExitCode == exitCode && result.Stderr.Contains(message, StringComparison.Ordinal), $"junction {string.Join(' ', arguments)}\n{result}");
    }

    private static async Task Expect(CliRunner cli, int exitCode, string message, string arguments)
    {
        var result = await cli.RunAsync(arguments);
        Assert.True(result.ExitCode == exitCode && result.Stderr.Contains(message, StringComparison.Ordinal), $"junction {arguments}: expected exit {exitCode} and '{message}'\n{result}");
        Assert.Empty(result.Stdout);
    }

    private async Task<HttpStatusCode> ListAsync(string ak, string sk)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_server.Url) };
        var client = new HuaweiClient(http, TimeProvider.System, ak, sk);
        using var response = await client.SendAsync(HttpMethod.Get, "/v1/acmeproject01/connections");
        return response.StatusCode;
    }

    private static string Value(string output, string label) =>
        output.Split('\n').Single(l => l.StartsWith(label + ": ", StringComparison.Ordinal))[(label.Length + 2)..].Trim();

    private static async Task<string> CreateKafkaAsync(HuaweiClient client, string name, string bootstrap)
    {
        var response = await client.PostAsync($"/v1/{JunctionProcess.ProjectId}/connections", new
        {
            name,
            vpc_id = "vpc",
            subnet_id = "subnet",
            type = "KAFKA",
            kafka_detail = new { instance_id = "mock", addr = bootstrap },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await HuaweiClient.JsonAsync(response))["id"]!.GetValue<string>();
    }
}
