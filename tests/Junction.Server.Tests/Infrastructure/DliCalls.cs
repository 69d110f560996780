using System.Net;
using System.Text.Json.Nodes;
using Junction.Testing;

namespace Junction.Server.Tests.Infrastructure;

/// <summary>The DLI calls the DLI tests share: a dedicated queue, a connection bound to queues, and the DLI error check.</summary>
internal static class DliCalls
{
    public const string Connections = $"/v2.0/{JunctionFactory.ProjectId}/datasource/enhanced-connections";
    public const string Queues = $"/v1.0/{JunctionFactory.ProjectId}/queues";

    public static async Task CreateQueueAsync(HuaweiClient client, string name, int resourceMode = 1)
    {
        var response = await client.PostAsync(Queues, new { queue_name = name, cu_count = 16, resource_mode = resourceMode });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<string> CreateConnectionAsync(HuaweiClient client, string name, string[]? queues = null, (string Name, string Ip)[]? hosts = null)
    {
        var response = await client.PostAsync(Connections, new
        {
            name,
            dest_vpc_id = "vpc-1",
            dest_network_id = "net-1",
            queues = queues ?? [],
            hosts = (hosts ?? []).Select(h => new { name = h.Name, ip = h.Ip }).ToArray(),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await HuaweiClient.JsonAsync(response))["connection_id"]!.GetValue<string>();
    }

    public static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string contains)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(code, body["error_code"]!.GetValue<string>());
        Assert.Contains(contains, body["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }
}
