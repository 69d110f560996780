using System.Net;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;
using Junction.Verification.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.HuaweiDli;

public sealed class DliApiTests : IDisposable
{
    private const string Connections = $"/v2.0/{JunctionFactory.ProjectId}/datasource/enhanced-connections";
    private const string Queues = $"/v1.0/{JunctionFactory.ProjectId}/queues";

    /// <summary>The seed's create body (003_d648ac302f239706.txt) with its queue names.</summary>
    private const string SeedBody = """
        { "name": "test1", "dest_vpc_id": "22094d8f-c310-4621-913d-4c4d655d8495", "dest_network_id": "78f2562a-36e4-4b39-95b9-f5aab22e1281", "queues": ["q1","q2"], "hosts": [ { "ip":"192.168.0.1", "name":"ecs-97f8-0001" }, { "ip":"192.168.0.2", "name":"ecs-97f8-0002" } ] }
        """;

    private readonly JunctionFactory _factory = new();
    private readonly HuaweiClient _client;

    public DliApiTests() => _client = _factory.CreateHuaweiClient();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task SeedExample_CreateAndShow_HaveTheSeedFieldsAndTypes_AndItsAddressesAreRefused()
    {
        await CreateQueueAsync("q1");
        await CreateQueueAsync("q2");

        var created = await _client.SendAsync(HttpMethod.Post, Connections, SeedBody);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await HuaweiClient.JsonAsync(created);
        Assert.True(body["is_success"]!.GetValue<bool>());
        Assert.Equal("", body["message"]!.GetValue<string>().Replace("Create peer connection for queues:{q1,q2}", "", StringComparison.Ordinal));
        var id = body["connection_id"]!.GetValue<string>();

        var shown = await ShowAsync(id);
        string[] seedFields = ["is_success", "message", "name", "id", "available_queue_info", "dest_vpc_id", "dest_network_id", "create_time", "status", "hosts"];
        Assert.All(seedFields, f => Assert.True(shown.ContainsKey(f), $"missing {f}"));
        Assert.Equal("test1", shown["name"]!.GetValue<string>());
        Assert.Equal("ACTIVE", shown["status"]!.GetValue<string>());
        Assert.Equal(_factory.Time.GetUtcNow().ToUnixTimeMilliseconds(), shown["create_time"]!.GetValue<long>());
        var queue = shown["available_queue_info"]![0]!;
        Assert.Equal("CREATING", queue["status"]!.GetValue<string>());
        Assert.Equal("q1", queue["name"]!.GetValue<string>());
        Assert.Equal("", queue["err_msg"]!.GetValue<string>());
        Assert.True(Guid.TryParse(queue["peer_id"]!.GetValue<string>(), out _));
        Assert.Equal("ecs-97f8-0001", shown["hosts"]![0]!["name"]!.GetValue<string>());

        // The seed's example hosts (192.168.0.x) are outside the test egress policy: verified as FAILED, never contacted.
        await RunEngineAsync();
        var verified = await ShowAsync(id);
        var failed = verified["available_queue_info"]![0]!;
        Assert.Equal("FAILED", failed["status"]!.GetValue<string>());
        Assert.Contains("192.168.0.1 is outside the allowed networks", failed["err_msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binding_LoopbackHosts_BecomeActive_StrictModeUnknownNetwork_Fails()
    {
        await CreateQueueAsync("dq");
        var id = await CreateConnectionAsync("ok_conn", queues: ["dq"], hosts: [("db-1", "127.0.0.1")]);
        Assert.Equal("CREATING", (await ShowAsync(id))["available_queue_info"]![0]!["status"]!.GetValue<string>());

        await RunEngineAsync();

        Assert.Equal("ACTIVE", (await ShowAsync(id))["available_queue_info"]![0]!["status"]!.GetValue<string>());

        using var strict = new JunctionFactory().With("Junction:Networks:Mode", "Strict");
        var client = strict.CreateHuaweiClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Queues, new { queue_name = "sq", cu_count = 16, resource_mode = 1 })).StatusCode);
        var created = await HuaweiClient.JsonAsync(await client.PostAsync(Connections, new { name = "strict", dest_vpc_id = "vpc-x", dest_network_id = "net-x", queues = new[] { "sq" } }));
        await strict.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);
        var shown = await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Get, $"{Connections}/{created["connection_id"]}"));
        var binding = shown["available_queue_info"]![0]!;
        Assert.Equal("FAILED", binding["status"]!.GetValue<string>());
        Assert.Contains("VPC 'vpc-x' is not declared", binding["err_msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_WhileCreating_IsRefused_ThenSoftDeleted_NameReusable()
    {
        await CreateQueueAsync("dq");
        var id = await CreateConnectionAsync("soft", queues: ["dq"]);

        var refused = await _client.SendAsync(HttpMethod.Delete, $"{Connections}/{id}");
        await AssertDliErrorAsync(refused, HttpStatusCode.BadRequest, "DLI.0007", "being created");

        await RunEngineAsync();
        var deleted = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Delete, $"{Connections}/{id}"));
        Assert.Equal("Deleted", deleted["message"]!.GetValue<string>());

        var shown = await ShowAsync(id);
        Assert.Equal("DELETED", shown["status"]!.GetValue<string>());
        Assert.Empty(shown["available_queue_info"]!.AsArray());
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Delete, $"{Connections}/{id}"), HttpStatusCode.BadRequest, "DLI.0007", "deleted");
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/routes", new { name = "r", cidr = "10.0.0.0/24" }), HttpStatusCode.BadRequest, "DLI.0007", "deleted");

        _factory.Time.Advance(TimeSpan.FromSeconds(1));
        var again = await CreateConnectionAsync("soft");
        Assert.NotEqual(id, again);
        var all = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Connections));
        Assert.Equal(["DELETED", "ACTIVE"], all["connections"]!.AsArray().Select(c => c!["status"]!.GetValue<string>()));
        var deletedOnly = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Connections + "?status=deleted"));
        Assert.Single(deletedOnly["connections"]!.AsArray());
    }

    [Fact]
    public async Task Bindings_TwiceUnboundUnknownSharedDefaultAndPools_AreRefused()
    {
        await CreateQueueAsync("dq");
        await CreateQueueAsync("shared_q", resourceMode: 0);
        var id = await CreateConnectionAsync("binds", queues: ["dq"]);

        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/associate-queue", new { queues = new[] { "DQ" } }), HttpStatusCode.BadRequest, "DLI.0006", "already bound");
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/associate-queue", new { queues = new[] { "nope" } }), HttpStatusCode.BadRequest, "DLI.0002", "There is no queue named nope");
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/associate-queue", new { queues = new[] { "shared_q" } }), HttpStatusCode.BadRequest, "DLI.0001", "not a dedicated queue");
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/associate-queue", new { queues = new[] { "default" } }), HttpStatusCode.BadRequest, "DLI.0001", "default queue");
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/associate-queue", new { elastic_resource_pools = new[] { "pool" } }), HttpStatusCode.BadRequest, "DLI.0007", "Elastic resource pools");
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/associate-queue", new { }), HttpStatusCode.BadRequest, "DLI.0001", "queues is required");
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/disassociate-queue", new { queues = new[] { "shared_q" } }), HttpStatusCode.BadRequest, "DLI.0002", "not bound");
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Delete, $"{Queues}/dq"), HttpStatusCode.BadRequest, "DLI.0007", "unbind it");
    }

    [Theory]
    [InlineData("""{"name":"a-b","dest_vpc_id":"v","dest_network_id":"s"}""", "name 'a-b'")]
    [InlineData("""{"name":"ok","dest_network_id":"s"}""", "dest_vpc_id is required")]
    [InlineData("""{"name":"ok","dest_vpc_id":"v","dest_network_id":"s","hosts":[{"name":"1bad","ip":"127.0.0.1"}]}""", "hosts[0].name '1bad'")]
    [InlineData("""{"name":"ok","dest_vpc_id":"v","dest_network_id":"s","hosts":[{"name":"h","ip":"300.1.1.1"}]}""", "hosts[0].ip '300.1.1.1'")]
    [InlineData("""{"name":"ok","dest_vpc_id":"v","dest_network_id":"s","hosts":[{"name":"h"}]}""", "hosts[0].ip is required")]
    [InlineData("""{"name":"ok","dest_vpc_id":"v","dest_network_id":"s","tags":[{"key":"_sys_x","value":"v"}]}""", "_sys_")]
    [InlineData("""{"name":"ok","dest_vpc_id":"v","dest_network_id":"s","tags":[{"key":"k","value":"1"},{"key":"k","value":"2"}]}""", "given twice")]
    [InlineData("""{"name":"ok","dest_vpc_id":"v","dest_network_id":"s","queues":"q1"}""", "queues must be an array")]
    [InlineData("""{"name":5}""", "name must be a string")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{"name":""", "not valid JSON")]
    public async Task Create_InvalidBodies_AnswerDli0001NamingTheField(string body, string expected)
    {
        var response = await _client.SendAsync(HttpMethod.Post, Connections, body);

        await AssertDliErrorAsync(response, HttpStatusCode.BadRequest, "DLI.0001", expected);
    }

    [Fact]
    public async Task Create_LimitsAndDuplicates()
    {
        var tooManyTags = Enumerable.Range(0, 21).Select(i => new { key = $"k{i}", value = "v" }).ToArray();
        await AssertDliErrorAsync(await _client.PostAsync(Connections, new { name = "tags", dest_vpc_id = "v", dest_network_id = "s", tags = tooManyTags }), HttpStatusCode.BadRequest, "DLI.0001", "at most 20");
        var tooManyHosts = Enumerable.Range(0, 20_001).Select(i => new { name = "h", ip = "127.0.0.1" }).ToArray();
        await AssertDliErrorAsync(await _client.PostAsync(Connections, new { name = "hosts", dest_vpc_id = "v", dest_network_id = "s", hosts = tooManyHosts }), HttpStatusCode.BadRequest, "DLI.0001", "at most 20000");

        await CreateConnectionAsync("dup");
        await AssertDliErrorAsync(await _client.PostAsync(Connections, new { name = "dup", dest_vpc_id = "v", dest_network_id = "s" }), HttpStatusCode.BadRequest, "DLI.0006", "already exists");
    }

    [Fact]
    public async Task List_PagesWithOffsetOnly_LimitZeroMeansAll_FiltersByNameAndTags()
    {
        for (var i = 0; i < 5; i++)
        {
            var tags = i % 2 == 0 ? new[] { new { key = "env", value = "prod" }, new { key = "team", value = "data" } } : [new { key = "env", value = "dev" }];
            Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync(Connections, new { name = $"c{i}", dest_vpc_id = "v", dest_network_id = "s", tags })).StatusCode);
            _factory.Time.Advance(TimeSpan.FromSeconds(1));
        }

        async Task<string[]> NamesAsync(string query) =>
            (await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Connections + query)))["connections"]!.AsArray()
                .Select(c => c!["name"]!.GetValue<string>()).ToArray();

        Assert.Equal(["c3", "c4"], await NamesAsync("?offset=3"));
        Assert.Equal(["c0", "c1"], await NamesAsync("?limit=2"));
        Assert.Equal(5, (await NamesAsync("?limit=0")).Length);
        Assert.Empty(await NamesAsync("?offset=5"));
        Assert.Equal(["c2"], await NamesAsync("?name=c2"));
        Assert.Empty(await NamesAsync("?name=c"));
        Assert.Equal(["c0", "c2", "c4"], await NamesAsync("?tags=env=prod"));
        Assert.Equal(["c0", "c2", "c4"], await NamesAsync("?tags=env=prod,team=data"));
        Assert.Empty(await NamesAsync("?tags=env=dev,team=data"));
        Assert.Equal(["c0", "c2", "c4"], await NamesAsync("?tags=env=prod,env=prod"));
        Assert.Empty(await NamesAsync("?tags=env=prod,env=dev"));
        Assert.Equal(["c1", "c3"], await NamesAsync("?tags=env=dev&status=ACTIVE"));
        // Issue 19, item 11: the filter is capped at the create limit (it was one sub-query per pair, unbounded).
        var tooMany = string.Join(",", Enumerable.Range(0, 21).Select(i => $"k{i}=v"));
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, $"{Connections}?tags={tooMany}"), HttpStatusCode.BadRequest, "DLI.0001", "at most 20");
        Assert.Empty(await NamesAsync("?tags=" + string.Join(",", Enumerable.Range(0, 20).Select(i => $"k{i}=v"))));
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, Connections + "?status=GONE"), HttpStatusCode.BadRequest, "DLI.0001", "status must be");
    }

    [Fact]
    public async Task HostsAndRoutes_ReplaceClearAddDelete()
    {
        var id = await CreateConnectionAsync("hr", hosts: [("a", "127.0.0.1")]);

        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(HttpMethod.Put, $"{Connections}/{id}", """{"hosts":[{"name":"b","ip":"127.0.0.2"},{"name":"c","ip":"127.0.0.3"}]}""")).StatusCode);
        Assert.Equal(["b", "c"], (await ShowAsync(id))["hosts"]!.AsArray().Select(h => h!["name"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(HttpMethod.Put, $"{Connections}/{id}", "{}")).StatusCode);
        Assert.Empty((await ShowAsync(id))["hosts"]!.AsArray());

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"{Connections}/{id}/routes", new { name = "r1", cidr = "10.169.0.0/24" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/v3/{JunctionFactory.ProjectId}/datasource/enhanced-connections/{id}/routes", new { name = "r2", cidr = "127.0.0.0" })).StatusCode);
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/routes", new { name = "r1", cidr = "10.1.0.0/24" }), HttpStatusCode.BadRequest, "DLI.0006", "route named 'r1'");
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/routes", new { name = "r3", cidr = "10.169.0.0/24" }), HttpStatusCode.BadRequest, "DLI.0006", "cidr");
        await AssertDliErrorAsync(await _client.PostAsync($"{Connections}/{id}/routes", new { name = "r 4", cidr = "nonsense" }), HttpStatusCode.BadRequest, "DLI.0001", "cidr 'nonsense'");
        var routes = (await ShowAsync(id))["routes"]!.AsArray();
        Assert.Equal(["r1", "r2"], routes.Select(r => r!["name"]!.GetValue<string>()));
        Assert.Equal(_factory.Time.GetUtcNow().ToUnixTimeMilliseconds(), routes[0]!["create_time"]!.GetValue<long>());

        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(HttpMethod.Delete, $"/v3/{JunctionFactory.ProjectId}/datasource/enhanced-connections/{id}/routes/r1")).StatusCode);
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Delete, $"{Connections}/{id}/routes/r1"), HttpStatusCode.BadRequest, "DLI.0002", "no route named 'r1'");
    }

    [Fact]
    public async Task Queues_ValidationShowListAndErrors()
    {
        await AssertDliErrorAsync(await _client.PostAsync(Queues, new { queue_name = "123", cu_count = 16 }), HttpStatusCode.BadRequest, "DLI.0001", "not be all digits");
        await AssertDliErrorAsync(await _client.PostAsync(Queues, new { queue_name = "q", cu_count = 20 }), HttpStatusCode.BadRequest, "DLI.0001", "multiple of 16");
        await AssertDliErrorAsync(await _client.PostAsync(Queues, new { queue_name = "q", cu_count = 16, charging_mode = 2 }), HttpStatusCode.BadRequest, "DLI.0001", "charging_mode");
        await AssertDliErrorAsync(await _client.PostAsync(Queues, new { queue_name = "q", cu_count = 16, queue_type = "batch" }), HttpStatusCode.BadRequest, "DLI.0001", "queue_type");
        await AssertDliErrorAsync(await _client.PostAsync(Queues, new { queue_name = "q", cu_count = 16, elastic_resource_pool_name = "pool" }), HttpStatusCode.BadRequest, "DLI.0002", "elastic resource pool");

        var created = await HuaweiClient.JsonAsync(await _client.PostAsync(Queues, new { queue_name = "Mixed_Case", cu_count = 64, resource_mode = 1, queue_type = "general", labels = new[] { "multi_az=2" } }));
        Assert.Equal("mixed_case", created["queue_name"]!.GetValue<string>());
        await AssertDliErrorAsync(await _client.PostAsync(Queues, new { queue_name = "MIXED_CASE", cu_count = 16 }), HttpStatusCode.BadRequest, "DLI.0006", "already exists");

        var shown = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, $"{Queues}/MIXED_case"));
        Assert.Equal("mixed_case", shown["queueName"]!.GetValue<string>());
        Assert.Equal(64, shown["cuCount"]!.GetValue<int>());
        Assert.Equal("general", shown["queueType"]!.GetValue<string>());

        var sqlOnly = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Queues));
        Assert.Empty(sqlOnly["queues"]!.AsArray());
        var all = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Queues + "?queue_type=all"));
        Assert.Equal("multi_az=2", all["queues"]![0]!["labels"]!.GetValue<string>());

        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Put, $"{Queues}/mixed_case/action", """{"action":"scale_in","cu_count":64}"""), HttpStatusCode.BadRequest, "DLI.0001", "cannot be scaled in");
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(HttpMethod.Put, $"{Queues}/mixed_case", """{"cidr_in_vpc":"10.0.0.0/16"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(HttpMethod.Delete, $"{Queues}/mixed_case")).StatusCode);
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, $"{Queues}/mixed_case"), HttpStatusCode.BadRequest, "DLI.0002", "There is no queue named mixed_case");
    }

    [Fact]
    public async Task Auth_AndUnknownIds_AndRoutes_InTheDliEnvelope()
    {
        using var http = _factory.CreateClient();
        await AssertDliErrorAsync(await http.GetAsync(Queues), HttpStatusCode.Unauthorized, "DLI.0013", "no credentials");
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, "/v1.0/ffffffffffffffffffffffffffffffff/queues"), HttpStatusCode.BadRequest, "DLI.0016", "do not belong to project");
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, $"{Connections}/{Guid.NewGuid()}"), HttpStatusCode.BadRequest, "DLI.0001", "does not exist");
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, $"{Connections}/{Guid.NewGuid()}/privileges"), HttpStatusCode.BadRequest, "DLI.0001", "does not exist");
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, $"/v2.0/{JunctionFactory.ProjectId}/nothing"), HttpStatusCode.NotFound, "DLI.0023", "no API");
    }

    [Fact]
    public async Task Routes_ThirtyConcurrentAdds_AllKept_AndOneNameWinsOnce()
    {
        var id = await CreateConnectionAsync("racing");

        var adds = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            _client.PostAsync($"{Connections}/{id}/routes", new { name = $"r{i}", cidr = $"10.{i}.0.0/24" })));
        var sameName = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            _client.PostAsync($"{Connections}/{id}/routes", new { name = "same", cidr = $"10.200.{i}.0/24" })));

        Assert.All(adds, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, sameName.Count(r => r.StatusCode == HttpStatusCode.OK));
        var routes = (await ShowAsync(id))["routes"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(31, routes.Count);
        Assert.Equal(31, routes.Distinct().Count());
    }

    [Fact]
    public async Task Bind_RacingConnectionDelete_NeverLeavesADeletedConnectionBound()
    {
        for (var i = 0; i < 15; i++)
        {
            await CreateQueueAsync($"rq{i}");
            var id = await CreateConnectionAsync($"rc{i}");

            var bind = _client.PostAsync($"{Connections}/{id}/associate-queue", new { queues = new[] { $"rq{i}" } });
            var delete = _client.SendAsync(HttpMethod.Delete, $"{Connections}/{id}");
            await Task.WhenAll(bind, delete);

            // Either the delete won (and a binding made just before it went with the connection), or the bind won and
            // the delete was refused because the new binding is still CREATING; never a deleted connection still bound.
            if ((await delete).StatusCode == HttpStatusCode.OK)
            {
                var dropQueue = await _client.SendAsync(HttpMethod.Delete, $"{Queues}/rq{i}");
                Assert.True(dropQueue.StatusCode == HttpStatusCode.OK, $"round {i}: bind answered {(int)(await bind).StatusCode}; the queue stayed bound: {await dropQueue.Content.ReadAsStringAsync()}");
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, (await bind).StatusCode);
                Assert.Single((await ShowAsync(id))["available_queue_info"]!.AsArray());
            }
        }
    }

    [Fact]
    public async Task Bind_RacingQueueDelete_NeverBindsAQueueThatIsGone()
    {
        for (var i = 0; i < 15; i++)
        {
            await CreateQueueAsync($"dq{i}");
            var id = await CreateConnectionAsync($"dc{i}");

            var bind = _client.PostAsync($"{Connections}/{id}/associate-queue", new { queues = new[] { $"dq{i}" } });
            var drop = _client.SendAsync(HttpMethod.Delete, $"{Queues}/dq{i}");
            await Task.WhenAll(bind, drop);

            var bound = (await ShowAsync(id))["available_queue_info"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()).ToList();
            var queueGone = (await drop).StatusCode == HttpStatusCode.OK;
            Assert.True(!queueGone || bound.Count == 0, $"round {i}: the queue was deleted yet stays bound");
            Assert.Equal((await bind).StatusCode == HttpStatusCode.OK, bound.Count == 1);
        }
    }

    /// <summary>Issue 19, item 12: hosts after the 16th were never checked against the egress policy.</summary>
    [Fact]
    public async Task HostsBeyondThePingedSixteen_AreStillCheckedAgainstTheEgressPolicy()
    {
        await CreateQueueAsync("hq");
        var hosts = Enumerable.Range(1, 16).Select(i => ($"lo-{i}", "127.0.0.1"))
            .Append(("metadata", "169.254.169.254")).Append(("private", "10.1.2.3")).ToArray();
        var id = await CreateConnectionAsync("many_hosts", queues: ["hq"], hosts: hosts);

        await RunEngineAsync();

        var binding = (await ShowAsync(id))["available_queue_info"]![0]!;
        Assert.Equal("FAILED", binding["status"]!.GetValue<string>());
        Assert.Contains("host metadata (169.254.169.254): refused 169.254.169.254", binding["err_msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task RunEngineAsync() =>
        await _factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

    private Task CreateQueueAsync(string name, int resourceMode = 1) => DliCalls.CreateQueueAsync(_client, name, resourceMode);

    private Task<string> CreateConnectionAsync(string name, string[]? queues = null, (string Name, string Ip)[]? hosts = null) =>
        DliCalls.CreateConnectionAsync(_client, name, queues, hosts);

    private async Task<JsonObject> ShowAsync(string id)
    {
        var response = await _client.SendAsync(HttpMethod.Get, $"{Connections}/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await HuaweiClient.JsonAsync(response);
    }

    private static Task AssertDliErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string contains) =>
        DliCalls.AssertErrorAsync(response, status, code, contains);
}
