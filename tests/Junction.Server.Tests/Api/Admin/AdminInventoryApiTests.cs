using System.Net;
using System.Text;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;
using Junction.Verification.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Junction.Server.Tests.Api.Admin;

public sealed class AdminInventoryApiTests
{
    private const string EgBase = $"/v1/{JunctionFactory.ProjectId}/connections";

    [Fact]
    public async Task Networks_RegisterListDelete_WithEveryRefusal()
    {
        using var factory = new JunctionFactory()
            .With("Junction:Networks:Vpcs:0:Id", "vpc-config").With("Junction:Networks:Vpcs:0:Shared", "true")
            .With("Junction:Networks:Vpcs:0:Subnets:0:Id", "subnet-config");
        var admin = new AdminClient(factory.CreateClient());

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/networks", """{"shared":true,"id":"vpc-a","name":"prod","cidr":"10.0.0.0/16"}""")).Status);
        var (status, subnet) = await admin.PostAsync("/networks/vpc-a/subnets", """{"id":"subnet-a","cidr":"10.0.1.0/24"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("10.0.1.0/24", subnet!["cidr"]!.GetValue<string>());

        var list = (await admin.GetAsync("/networks")).Body!;
        Assert.Equal("Lax", list["mode"]!.GetValue<string>());
        var vpcs = list["items"]!.AsArray();
        Assert.Equal(["vpc-config", "vpc-a"], vpcs.Select(v => v!["id"]!.GetValue<string>()));
        Assert.Equal(["config", "admin"], vpcs.Select(v => v!["source"]!.GetValue<string>()));
        Assert.Equal("subnet-a", vpcs[1]!["subnets"]![0]!["id"]!.GetValue<string>());

        AdminClient.AssertError(await admin.PostAsync("/networks", """{"shared":true,"id":"vpc-a"}"""), HttpStatusCode.Conflict, "Junction.Conflict", "'vpc-a' is already registered");
        AdminClient.AssertError(await admin.PostAsync("/networks/vpc-a/subnets", """{"id":"vpc-a"}"""), HttpStatusCode.Conflict, "Junction.Conflict", "already registered");
        AdminClient.AssertError(await admin.PostAsync("/networks", """{"shared":true,"id":"vpc-config"}"""), HttpStatusCode.Conflict, "Junction.Conflict", "declared in configuration");
        AdminClient.AssertError(await admin.PostAsync("/networks/vpc-config/subnets", """{"id":"s2"}"""), HttpStatusCode.Conflict, "Junction.Conflict", "declared in configuration");
        AdminClient.AssertError(await admin.PostAsync("/networks", """{"shared":true,"id":"vpc-b","cidr":"10.0.0.0/33"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "'10.0.0.0/33' is not a CIDR");
        AdminClient.AssertError(await admin.PostAsync("/networks", """{"shared":true,"id":"-bad id"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "id must be 1-64");
        AdminClient.AssertError(await admin.PostAsync("/networks", """{"name":"no id"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "id");
        AdminClient.AssertError(await admin.PostAsync("/networks/vpc-none/subnets", """{"id":"s3"}"""), HttpStatusCode.NotFound, "Junction.NotFound", "VPC 'vpc-none' is not registered");
        AdminClient.AssertError(await admin.PostAsync("/networks/subnet-a/subnets", """{"id":"s4"}"""), HttpStatusCode.NotFound, "Junction.NotFound", "VPC 'subnet-a' is not registered");
        AdminClient.AssertError(await admin.DeleteAsync("/networks/vpc-a"), HttpStatusCode.Conflict, "Junction.Conflict", "still has subnets");
        AdminClient.AssertError(await admin.DeleteAsync("/networks/vpc-config"), HttpStatusCode.Conflict, "Junction.Conflict", "declared in configuration");
        AdminClient.AssertError(await admin.DeleteAsync("/networks/vpc-none"), HttpStatusCode.NotFound, "Junction.NotFound", "'vpc-none' is not a registered network");
        AdminClient.AssertError(await admin.DeleteAsync("/networks/vpc-config/subnets/subnet-a"), HttpStatusCode.Conflict, "Junction.Conflict", "declared in configuration");
        AdminClient.AssertError(await admin.DeleteAsync("/networks/vpc-x/subnets/subnet-a"), HttpStatusCode.NotFound, "Junction.NotFound", "VPC 'vpc-x' has no registered subnet 'subnet-a'");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/networks/vpc-a/subnets/subnet-a")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/networks/vpc-a")).Status);
        Assert.Equal(["vpc-config"], (await admin.GetAsync("/networks")).Body!["items"]!.AsArray().Select(v => v!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RegisteredNetwork_IsKnownToVerification_InStrictMode()
    {
        using var factory = new JunctionFactory().With("Junction:Networks:Mode", "Strict");
        var admin = new AdminClient(factory.CreateClient());
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/networks", """{"shared":true,"id":"vpc-a"}""")).Status);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/networks/vpc-a/subnets", """{"id":"subnet-a"}""")).Status);
        var client = factory.CreateHuaweiClient();
        var known = (await HuaweiClient.JsonAsync(await client.PostAsync(EgBase, new { name = "known", vpc_id = "vpc-a", subnet_id = "subnet-a" })))["id"]!.GetValue<string>();
        var unknown = (await HuaweiClient.JsonAsync(await client.PostAsync(EgBase, new { name = "unknown", vpc_id = "vpc-b", subnet_id = "subnet-b" })))["id"]!.GetValue<string>();

        await factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

        Assert.Equal("CREATED", (await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Get, $"{EgBase}/{known}")))["status"]!.GetValue<string>());
        var failed = await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Get, $"{EgBase}/{unknown}"));
        Assert.Equal("CREATE_FAILED", failed["status"]!.GetValue<string>());
        Assert.Equal("JUNCTION.NETWORK_UNKNOWN", failed["error_info"]!["error_code"]!.GetValue<string>());
    }

    [Fact]
    public async Task RegisteredNetworkCidr_OpensTheEgressPolicy()
    {
        using var cluster = new MockKafkaCluster();
        var port = cluster.Bootstrap.Split(':')[1];
        // Only 127.0.0.2 is allowed by configuration; the cluster listens on 127.0.0.1.
        using var factory = new JunctionFactory().With("Junction:Egress:Allow:0", "127.0.0.2/32");
        var admin = new AdminClient(factory.CreateClient());
        var client = factory.CreateHuaweiClient();
        var before = await CreateKafkaAsync(client, "before", cluster.Bootstrap);
        await factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);
        var refused = await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Get, $"{EgBase}/{before}"));
        Assert.Equal("JUNCTION.EGRESS_REFUSED", refused["error_info"]!["error_code"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/networks", """{"shared":true,"id":"vpc-loop","cidr":"127.0.0.1/32"}""")).Status);
        var after = await CreateKafkaAsync(client, "after", $"127.0.0.1:{port}");
        await factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

        Assert.Equal("CREATED", (await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Get, $"{EgBase}/{after}")))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task KafkaInstances_RegisterUpdateDelete_PasswordEncryptedAndNeverShown()
    {
        using var factory = new JunctionFactory()
            .With("Junction:Instances:Kafka:0:Id", "ckafka-config")
            .With("Junction:Instances:Kafka:0:BootstrapServers", "127.0.0.1:9")
            .With("Junction:Instances:Kafka:0:Shared", "true");
        var admin = new AdminClient(factory.CreateClient());
        const string Password = "kafka-password-never-shown";

        var (status, created) = await admin.PostAsync("/instances/kafka",
            $$"""{"tenant":"junction","id":"ckafka-a","bootstrap_servers":"127.0.0.1:9092, 127.0.0.1:9093","security_protocol":"SASL_PLAINTEXT","user_name":"alice","password":"{{Password}}"}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("127.0.0.1:9092,127.0.0.1:9093", created!["bootstrap_servers"]!.GetValue<string>());
        Assert.Equal("PLAIN", created["sasl_mechanism"]!.GetValue<string>());
        Assert.True(created["has_password"]!.GetValue<bool>());

        var list = (await admin.GetAsync("/instances/kafka")).Body!;
        Assert.Equal(["ckafka-config", "ckafka-a"], list["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(["config", "admin"], list["items"]!.AsArray().Select(i => i!["source"]!.GetValue<string>()));
        Assert.DoesNotContain(Password, list.ToJsonString(), StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(factory.DataDirectory, "junction.db*"))
        {
            Assert.DoesNotContain(Password, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }

        // An update without a password keeps the kept one; PLAINTEXT drops it.
        var updated = (await admin.PutAsync("/instances/kafka/ckafka-a", """{"tenant":"junction","bootstrap_servers":"127.0.0.1:9094","security_protocol":"SASL_SSL","user_name":"bob","sasl_mechanism":"SCRAM-SHA-512"}""")).Body!;
        Assert.True(updated["has_password"]!.GetValue<bool>());
        Assert.Equal("bob", updated["user_name"]!.GetValue<string>());
        var plain = (await admin.PutAsync("/instances/kafka/ckafka-a", """{"tenant":"junction","bootstrap_servers":"127.0.0.1:9094"}""")).Body!;
        Assert.False(plain["has_password"]!.GetValue<bool>());
        Assert.Equal("PLAINTEXT", (await admin.GetAsync("/instances/kafka/ckafka-a")).Body!["security_protocol"]!.GetValue<string>());

        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", """{"tenant":"junction","id":"ckafka-a","bootstrap_servers":"127.0.0.1:1"}"""), HttpStatusCode.Conflict, "Junction.Conflict", "already registered");
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", """{"tenant":"junction","id":"ckafka-config","bootstrap_servers":"127.0.0.1:1"}"""), HttpStatusCode.Conflict, "Junction.Conflict", "declared in configuration");
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", """{"tenant":"junction","id":"k","bootstrap_servers":"localhost"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "host:port");
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", """{"tenant":"junction","id":"k","bootstrap_servers":"h:70000"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "ports from 1 to 65535");
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", """{"tenant":"junction","id":"k","bootstrap_servers":"h:1","security_protocol":"TLS"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "security_protocol must be");
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", """{"tenant":"junction","id":"k","bootstrap_servers":"h:1","security_protocol":"SASL_SSL"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "user_name is required with SASL_SSL");
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", """{"tenant":"junction","id":"k","bootstrap_servers":"h:1","security_protocol":"SASL_SSL","user_name":"u","sasl_mechanism":"GSSAPI"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "sasl_mechanism must be");
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", """{"tenant":"junction","id":"k","bootstrap_servers":"h:1","password":"p"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "go with SASL_PLAINTEXT or SASL_SSL");
        AdminClient.AssertError(await admin.PutAsync("/instances/kafka/ckafka-a", """{"tenant":"junction","id":"other","bootstrap_servers":"h:1"}"""), HttpStatusCode.BadRequest, "Junction.InvalidParameter", "differs from 'ckafka-a'");
        AdminClient.AssertError(await admin.PutAsync("/instances/kafka/ckafka-none", """{"tenant":"junction","bootstrap_servers":"h:1"}"""), HttpStatusCode.NotFound, "Junction.NotFound", "'ckafka-none' is not registered");
        AdminClient.AssertError(await admin.PutAsync("/instances/kafka/ckafka-config", """{"tenant":"junction","bootstrap_servers":"h:1"}"""), HttpStatusCode.Conflict, "Junction.Conflict", "declared in configuration");
        AdminClient.AssertError(await admin.DeleteAsync("/instances/kafka/ckafka-config"), HttpStatusCode.Conflict, "Junction.Conflict", "declared in configuration");
        AdminClient.AssertError(await admin.GetAsync("/instances/kafka/ckafka-none"), HttpStatusCode.NotFound, "Junction.NotFound", "'ckafka-none' is not registered");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/instances/kafka/ckafka-a")).Status);
        AdminClient.AssertError(await admin.DeleteAsync("/instances/kafka/ckafka-a"), HttpStatusCode.NotFound, "Junction.NotFound", "'ckafka-a' is not registered");
    }

    [Fact]
    public async Task RegisteredKafkaInstance_ResolvesTencentCkafkaConnectors()
    {
        using var cluster = new MockKafkaCluster();
        cluster.CreateTopic("orders");
        using var factory = new JunctionFactory();
        var admin = new AdminClient(factory.CreateClient());
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/instances/kafka", $$"""{"tenant":"junction","id":"ckafka-live","bootstrap_servers":"{{cluster.Bootstrap}}"}""")).Status);
        var client = factory.CreateTencentClient();
        var bus = (await client.CallAsync("CreateEventBus", new { EventBusName = "bus" }))["EventBusId"]!.GetValue<string>();
        var description = new
        {
            ResourceDescription = $"qcs::ckafka:ap-guangzhou:uin/{JunctionFactory.AccountId}:ckafkaId/uin/{JunctionFactory.AccountId}/ckafka-live",
            CkafkaParams = new { Offset = "latest", TopicName = "orders" },
        };
        Assert.Null(TencentClient.ErrorCode(await client.CallAsync("CreateConnection", new { EventBusId = bus, ConnectionName = "live", ConnectionDescription = description })));

        await factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

        var connection = (await client.CallAsync("ListConnections", new { EventBusId = bus }))["Connections"]![0]!;
        Assert.Equal("Active", connection["Status"]!.GetValue<string>());
    }

    /// <summary>
    /// Issue 19, item 5: tenant B's ckafka connector used (and probed the topics of) the instance registered for tenant
    /// A. An instance belongs to a tenant or is shared; another tenant's answers as an unknown one, and the resource
    /// string's inner uin must be the caller's.
    /// </summary>
    [Fact]
    public async Task KafkaInstances_BelongToATenantOrAreShared_AnotherTenantCannotUseThem()
    {
        using var cluster = new MockKafkaCluster();
        cluster.CreateTopic("orders");
        using var factory = new JunctionFactory();
        var admin = new AdminClient(factory.CreateClient());
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", $$"""{"id":"ckafka-x","bootstrap_servers":"{{cluster.Bootstrap}}"}"""),
            HttpStatusCode.BadRequest, "Junction.InvalidParameter", "needs either tenant");
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", $$"""{"id":"ckafka-x","bootstrap_servers":"{{cluster.Bootstrap}}","tenant":"junction","shared":true}"""),
            HttpStatusCode.BadRequest, "Junction.InvalidParameter", "not both or neither");
        AdminClient.AssertError(await admin.PostAsync("/instances/kafka", $$"""{"id":"ckafka-x","bootstrap_servers":"{{cluster.Bootstrap}}","tenant":"nobody"}"""),
            HttpStatusCode.BadRequest, "Junction.InvalidParameter", "'nobody' is no tenant's IAM domain name");
        var mine = (await admin.PostAsync("/instances/kafka", $$"""{"id":"ckafka-a","bootstrap_servers":"{{cluster.Bootstrap}}","tenant":"junction"}""")).Body!;
        Assert.Equal("junction", mine["tenant"]!.GetValue<string>());
        Assert.False(mine["shared"]!.GetValue<bool>());
        var (_, beta) = await admin.PostAsync("/tenants", """{"domain_name":"beta","project_id":"betaproject01","account_id":"200000000009"}""");
        var other = new TencentClient(factory.CreateClient(), factory.Time, beta!["access_key"]!["id"]!.GetValue<string>(), beta["access_key"]!["secret"]!.GetValue<string>());

        var buses = 0;
        async Task<string> ConnectorStatusAsync(TencentClient client, string uin, string instance)
        {
            var bus = (await client.CallAsync("CreateEventBus", new { EventBusName = $"bus{++buses}" }))["EventBusId"]!.GetValue<string>();
            var description = new
            {
                ResourceDescription = $"qcs::ckafka:ap-guangzhou:uin/{uin}:ckafkaId/uin/{uin}/{instance}",
                CkafkaParams = new { Offset = "latest", TopicName = "orders" },
            };
            // Another tenant's instance is refused at create, with the answer an unknown instance gets.
            if (TencentClient.ErrorCode(await client.CallAsync("CreateConnection", new { EventBusId = bus, ConnectionName = "conn1", ConnectionDescription = description })) is { } code)
            {
                return code;
            }

            await factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);
            return (await client.CallAsync("ListConnections", new { EventBusId = bus }))["Connections"]![0]!["Status"]!.GetValue<string>();
        }

        Assert.Equal("Active", await ConnectorStatusAsync(factory.CreateTencentClient(), JunctionFactory.AccountId, "ckafka-a"));
        Assert.Equal("InvalidParameterValue.ConnectionDescription", await ConnectorStatusAsync(other, "200000000009", "ckafka-a"));
        Assert.Equal("InvalidParameterValue.ConnectionDescription", await ConnectorStatusAsync(other, "200000000009", "ckafka-unknown"));

        // Shared on purpose: now every tenant may use it.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/instances/kafka/ckafka-a", $$"""{"bootstrap_servers":"{{cluster.Bootstrap}}","shared":true}""")).Status);
        Assert.Equal("Active", await ConnectorStatusAsync(other, "200000000009", "ckafka-a"));

        // The inner uin of the resource string is checked as the outer one is.
        var bus = (await other.CallAsync("CreateEventBus", new { EventBusName = "inner" }))["EventBusId"]!.GetValue<string>();
        var foreign = await other.CallAsync("CreateConnection", new
        {
            EventBusId = bus,
            ConnectionName = "conn1",
            ConnectionDescription = new
            {
                ResourceDescription = $"qcs::ckafka:ap-guangzhou:uin/200000000009:ckafkaId/uin/{JunctionFactory.AccountId}/ckafka-a",
                CkafkaParams = new { Offset = "latest", TopicName = "orders" },
            },
        });
        Assert.Equal("InvalidParameterValue.ConnectionDescription", TencentClient.ErrorCode(foreign));
    }

    [Fact]
    public async Task RegisteredKafkaInstance_WithAnUnreadablePassword_FailsAsSecretUnavailable_AndStillSaysOneIsKept()
    {
        using var factory = new JunctionFactory();
        var admin = new AdminClient(factory.CreateClient());
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/instances/kafka",
            """{"tenant":"junction","id":"ckafka-locked","bootstrap_servers":"127.0.0.1:9092","security_protocol":"SASL_PLAINTEXT","user_name":"u","password":"p-123456"}""")).Status);
        // As after restoring a database without its key ring: the stored ciphertext no longer decrypts.
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(factory.DataDirectory, "junction.db")}"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = "UPDATE kafka_instances SET protected_password = 'not-a-ciphertext' WHERE id = 'ckafka-locked'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        Assert.True((await admin.GetAsync("/instances/kafka/ckafka-locked")).Body!["has_password"]!.GetValue<bool>());
        var client = factory.CreateTencentClient();
        var bus = (await client.CallAsync("CreateEventBus", new { EventBusName = "bus" }))["EventBusId"]!.GetValue<string>();
        var description = new
        {
            ResourceDescription = $"qcs::ckafka:ap-guangzhou:uin/{JunctionFactory.AccountId}:ckafkaId/uin/{JunctionFactory.AccountId}/ckafka-locked",
            CkafkaParams = new { Offset = "latest", TopicName = "orders" },
        };
        var created = await client.CallAsync("CreateConnection", new { EventBusId = bus, ConnectionName = "locked", ConnectionDescription = description });
        Assert.Null(TencentClient.ErrorCode(created));

        await factory.Services.GetRequiredService<VerificationWorker>().RunOnceAsync(CancellationToken.None);

        var shown = (await admin.GetAsync($"/connections/{created["ConnectionId"]!.GetValue<string>()}")).Body!;
        Assert.Equal("Failed", shown["state"]!.GetValue<string>());
        Assert.Equal("JUNCTION.SECRET_UNAVAILABLE", shown["error"]!["code"]!.GetValue<string>());
        Assert.Contains("'ckafka-locked'", shown["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<string> CreateKafkaAsync(HuaweiClient client, string name, string bootstrap) =>
        (await HuaweiClient.JsonAsync(await client.PostAsync(EgBase, new
        {
            name,
            vpc_id = "vpc-1",
            subnet_id = "subnet-1",
            type = "KAFKA",
            kafka_detail = new { instance_id = "i-" + name, addr = bootstrap },
        })))["id"]!.GetValue<string>();
}
