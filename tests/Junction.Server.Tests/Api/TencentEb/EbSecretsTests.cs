using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;

namespace Junction.Server.Tests.Api.TencentEb;

public sealed class EbSecretsTests : IDisposable
{
    private readonly JunctionFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task DtsPassword_IsEncryptedAtRestAndNeverReturned()
    {
        const string password = "dts-plain-password-to-find";
        var client = _factory.CreateTencentClient();
        var bus = (await client.CallAsync("CreateEventBus", new { EventBusName = "dts-bus" }))["EventBusId"]!.GetValue<string>();
        var created = await client.CallAsync("CreateConnection", new
        {
            EventBusId = bus,
            ConnectionName = "dts",
            ConnectionDescription = new
            {
                ResourceDescription = $"qcs::dts:ap-guangzhou:uin/{JunctionFactory.AccountId}:subscribe/subs-1",
                DTSParams = new { ConsumerGroupName = "group", Account = "account", Password = password },
            },
        });
        Assert.NotNull(created["ConnectionId"]);

        using var listed = await client.SendAsync("ListConnections", new { EventBusId = bus });
        var text = await listed.Content.ReadAsStringAsync();
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        var dts = JsonNode.Parse(text)!["Response"]!["Connections"]![0]!["ConnectionDescription"]!["DTSParams"]!;
        Assert.Equal("account", dts["Account"]!.GetValue<string>());
        Assert.Null(dts["Password"]);

        var files = Directory.GetFiles(_factory.DataDirectory, "junction.db*").Select(File.ReadAllBytes).ToList();
        Assert.NotEmpty(files);
        Assert.All(files, bytes => Assert.DoesNotContain(password, System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal));
    }
}
