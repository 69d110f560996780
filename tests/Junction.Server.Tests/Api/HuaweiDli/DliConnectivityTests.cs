using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;
using Junction.Verification.ConnectivityTests;
using Junction.Verification.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.HuaweiDli;

/// <summary>
/// DLI address connectivity tests (spec/huawei-dli.md §7): a queue reaches an address only through an ACTIVE binding
/// whose connection covers it; everything else is UNREACHABLE without a packet sent. Real TCP listeners on loopback.
/// </summary>
public sealed class DliConnectivityTests : IDisposable
{
    private const string Connections = DliCalls.Connections;
    private const string Queues = DliCalls.Queues;

    private readonly JunctionFactory _factory = new();
    private readonly HuaweiClient _client;

    public DliConnectivityTests() => _client = _factory.CreateHuaweiClient();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task BoundHost_IsReachable_ByAddressAndByHostName_AndTheListenerSawTheConnect()
    {
        using var listener = Listen(IPAddress.Loopback);
        var port = Port(listener);
        await BoundQueueAsync("dq", hosts: [("db-1", "127.0.0.1")]);

        var taskId = await CreateTestAsync("dq", $"127.0.0.1:{port}");
        var running = await ShowTestAsync("dq", taskId);
        Assert.Equal("CHECKING", running["connectivity"]!.GetValue<string>());
        var accepted = listener.AcceptTcpClientAsync();
        await RunTestsAsync();

        var done = await ShowTestAsync("dq", taskId);
        Assert.Equal("REACHABLE", done["connectivity"]!.GetValue<string>());
        var message = done["message"]!.GetValue<string>();
        Assert.Contains("through connection conn_dq (host db-1 127.0.0.1)", message, StringComparison.Ordinal);
        using (await accepted.WaitAsync(TimeSpan.FromSeconds(5)))
        {
        }

        var byName = await CreateTestAsync("dq", $"DB-1:{port}");
        await RunTestsAsync();
        var named = await ShowTestAsync("dq", byName);
        Assert.Equal("REACHABLE", named["connectivity"]!.GetValue<string>());
        Assert.Contains("DB-1 is host db-1 (127.0.0.1) of connection conn_dq", named["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosedPort_IsUnreachable_SayingWhatFailed()
    {
        var listener = Listen(IPAddress.Loopback);
        var port = Port(listener);
        listener.Stop();
        listener.Dispose();
        await BoundQueueAsync("cq", hosts: [("db-1", "127.0.0.1")]);

        var taskId = await CreateTestAsync("cq", $"127.0.0.1:{port}");
        await RunTestsAsync();

        var done = await ShowTestAsync("cq", taskId);
        Assert.Equal("UNREACHABLE", done["connectivity"]!.GetValue<string>());
        var message = done["message"]!.GetValue<string>();
        Assert.Contains("through connection conn_cq", message, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", message, StringComparison.Ordinal);
        Assert.Contains($"listens on port {port}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddressOutsideEveryBinding_IsUnreachable_AndNeverContacted_UntilARouteCoversIt()
    {
        using var canary = Listen(IPAddress.Parse("127.0.0.5"));
        var port = Port(canary);
        var connection = await BoundQueueAsync("oq", hosts: [("db-1", "127.0.0.1")]);
        var accepted = canary.AcceptTcpClientAsync();

        var outside = await CreateTestAsync("oq", $"127.0.0.5:{port}");
        await RunTestsAsync();

        var done = await ShowTestAsync("oq", outside);
        Assert.Equal("UNREACHABLE", done["connectivity"]!.GetValue<string>());
        var message = done["message"]!.GetValue<string>();
        Assert.Contains("is outside every ACTIVE connection of queue oq", message, StringComparison.Ordinal);
        Assert.Contains("nothing was contacted", message, StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.False(accepted.IsCompleted, "the canary was contacted although no binding covers it");

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"{Connections}/{connection}/routes", new { name = "lo5", cidr = "127.0.0.0/29" })).StatusCode);
        var routed = await CreateTestAsync("oq", $"127.0.0.5:{port}");
        await RunTestsAsync();
        var reached = await ShowTestAsync("oq", routed);
        Assert.Equal("REACHABLE", reached["connectivity"]!.GetValue<string>());
        Assert.Contains("route lo5 127.0.0.0/29", reached["message"]!.GetValue<string>(), StringComparison.Ordinal);
        using (await accepted.WaitAsync(TimeSpan.FromSeconds(5)))
        {
        }
    }

    [Fact]
    public async Task CoveredAddress_RefusedByTheEgressPolicy_IsUnreachable_WithoutAPacket()
    {
        var connection = await BoundQueueAsync("eq", hosts: [("db-1", "127.0.0.1")]);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"{Connections}/{connection}/routes", new { name = "ten", cidr = "10.0.0.0/8" })).StatusCode);

        var taskId = await CreateTestAsync("eq", "10.1.2.3:5432");
        await RunTestsAsync();

        var done = await ShowTestAsync("eq", taskId);
        Assert.Equal("UNREACHABLE", done["connectivity"]!.GetValue<string>());
        var message = done["message"]!.GetValue<string>();
        Assert.Contains("route ten 10.0.0.0/8", message, StringComparison.Ordinal);
        Assert.Contains("refused 10.1.2.3:5432", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueWithoutAnActiveBinding_IsUnreachable_SayingWhy()
    {
        await CreateQueueAsync("lone");
        var unbound = await CreateTestAsync("lone", "127.0.0.1:1");
        await CreateQueueAsync("fresh");
        await CreateConnectionAsync("conn_fresh", ["fresh"], [("db-1", "127.0.0.1")]);
        var creating = await CreateTestAsync("fresh", "127.0.0.1:1");

        await RunTestsAsync();

        var lone = await ShowTestAsync("lone", unbound);
        Assert.Equal("UNREACHABLE", lone["connectivity"]!.GetValue<string>());
        Assert.Contains("bound to no enhanced datasource connection", lone["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var fresh = await ShowTestAsync("fresh", creating);
        Assert.Equal("UNREACHABLE", fresh["connectivity"]!.GetValue<string>());
        Assert.Contains("conn_fresh is CREATING", fresh["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", "has no port")]
    [InlineData("127.0.0.1:0", "from 1 to 65535")]
    [InlineData("127.0.0.1:65536", "from 1 to 65535")]
    [InlineData("127.0.0.1:http", "from 1 to 65535")]
    [InlineData("::1", "without brackets")]
    [InlineData("[::1", "[IPv6]:port")]
    [InlineData("[10.0.0.1]:80", "not an IPv6 address")]
    [InlineData("bad host:80", "neither an IPv4 address nor a DNS name")]
    [InlineData("-x.example:80", "neither an IPv4 address nor a DNS name")]
    [InlineData("a.example\n:80", "neither an IPv4 address nor a DNS name")]
    public async Task BadAddresses_AreDliParameterErrors(string address, string expected)
    {
        await CreateQueueAsync("bq");

        var response = await _client.PostAsync($"{Queues}/bq/connection-test", new { address });

        await AssertDliErrorAsync(response, "DLI.0001", expected);
    }

    [Fact]
    public async Task UnknownQueue_UnknownTask_MissingAddress_AndAnotherQueuesTask_AreDliErrors()
    {
        await AssertDliErrorAsync(await _client.PostAsync($"{Queues}/nope/connection-test", new { address = "127.0.0.1:80" }), "DLI.0002", "There is no queue named nope");
        await CreateQueueAsync("q1");
        await CreateQueueAsync("q2");
        await AssertDliErrorAsync(await _client.PostAsync($"{Queues}/q1/connection-test", new { }), "DLI.0001", "address");
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, $"{Queues}/q1/connection-test/999"), "DLI.0002", "no connectivity test 999");
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, $"{Queues}/q1/connection-test/x1"), "DLI.0001", "task_id");
        var id = await CreateTestAsync("q1", "127.0.0.1:80");
        await AssertDliErrorAsync(await _client.SendAsync(HttpMethod.Get, $"{Queues}/q2/connection-test/{id}"), "DLI.0002", $"no connectivity test {id} of queue q2");
    }

    private async Task<long> CreateTestAsync(string queue, string address)
    {
        var response = await _client.PostAsync($"{Queues}/{queue}/connection-test", new { address });
        var body = await HuaweiClient.JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.True(body["is_success"]!.GetValue<bool>());
        Assert.StartsWith("check connectivity to address:", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, body["task_id"]!.GetValueKind());
        return body["task_id"]!.GetValue<long>();
    }

    private async Task<JsonObject> ShowTestAsync(string queue, long id)
    {
        var response = await _client.SendAsync(HttpMethod.Get, $"{Queues}/{queue}/connection-test/{id}");
        var body = await HuaweiClient.JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.True(body["is_success"]!.GetValue<bool>());
        return body;
    }

    private async Task RunTestsAsync() =>
        await _factory.Services.GetRequiredService<ConnectivityWorker>().RunOnceAsync(CancellationToken.None);

    /// <summary>A queue bound to a connection with these hosts, verified so that the binding is ACTIVE; answers the connection id.</summary>
    private async Task<string> BoundQueueAsync(string queue, (string Name, string Ip)[] hosts)
    {
        await CreateQueueAsync(queue);
        var id = await CreateConnectionAsync($"conn_{queue}", [queue], hosts);
        await _factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);
        var shown = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, $"{Connections}/{id}"));
        Assert.Equal("ACTIVE", shown["available_queue_info"]![0]!["status"]!.GetValue<string>());
        return id;
    }

    private Task CreateQueueAsync(string name) => DliCalls.CreateQueueAsync(_client, name);

    private Task<string> CreateConnectionAsync(string name, string[] queues, (string Name, string Ip)[] hosts) =>
        DliCalls.CreateConnectionAsync(_client, name, queues, hosts);

    private static TcpListener Listen(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    private static Task AssertDliErrorAsync(HttpResponseMessage response, string code, string contains) =>
        DliCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, code, contains);
}
