using Junction.Server.Auth;
using Junction.Testing;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Junction.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Junction.Server.Tests.Api.HuaweiEg;

public sealed partial class EgConnectionsApiTests : IDisposable
{
    private const string Base = $"/v1/{JunctionFactory.ProjectId}/connections";

    /// <summary>The seed's example request (000_295dcc5890e200c1.txt), byte for byte in its fields.</summary>
    private const string SeedRequest = """
        {
        "name" : "private-link",
        "description" : "",
        "vpc_id" : "ac14144e-8fec-53d6-bdfd-8f09b52c09iu",
        "subnet_id" : "bf14153e-5fec-67d6-b89d-5409b52c0op8",
        "type" : { }
        }
        """;

    private readonly JunctionFactory _factory;
    private readonly HuaweiClient _client;

    public EgConnectionsApiTests()
    {
        _factory = new JunctionFactory().With("Junction:Quotas:EgConnections", "60");
        _client = _factory.CreateHuaweiClient();
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Flavor_Concurrency_IsThePerConnectionDeliveryLimit()
    {
        using var factory = new JunctionFactory().With("Junction:Delivery:MaxInFlightPerConnection", "64");
        var client = factory.CreateHuaweiClient();
        var created = await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Post, Base, SeedRequest));
        Assert.Equal(64, created["flavor"]!["concurrency"]!.GetValue<int>());
        var shown = await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Get, $"{Base}/{created["id"]!.GetValue<string>()}"));
        Assert.Equal(64, shown["flavor"]!["concurrency"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_SeedExample_AnswersSeedFieldsAndTypes()
    {
        var response = await _client.SendAsync(HttpMethod.Post, Base, SeedRequest);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await HuaweiClient.JsonAsync(response);
        string[] seedFields = ["id", "name", "description", "status", "error_info", "vpc_id", "subnet_id", "agency", "flavor", "type", "kafka_detail", "created_time", "updated_time"];
        Assert.Equal(seedFields.Order(), body.Select(p => p.Key).Order());
        Assert.True(Guid.TryParse(body["id"]!.GetValue<string>(), out _));
        Assert.Equal("private-link", body["name"]!.GetValue<string>());
        Assert.Equal("", body["description"]!.GetValue<string>());
        Assert.Equal("CREATING", body["status"]!.GetValue<string>());
        Assert.Empty(body["error_info"]!.AsObject());
        Assert.Equal("ac14144e-8fec-53d6-bdfd-8f09b52c09iu", body["vpc_id"]!.GetValue<string>());
        Assert.Equal("bf14153e-5fec-67d6-b89d-5409b52c0op8", body["subnet_id"]!.GetValue<string>());
        Assert.Equal("EG_TRUST", body["agency"]!.GetValue<string>());
        Assert.Equal("default", body["flavor"]!["name"]!.GetValue<string>());
        Assert.Equal("exclusive", body["flavor"]!["concurrency_type"]!.GetValue<string>());
        Assert.Equal(500, body["flavor"]!["concurrency"]!.GetValue<int>());
        Assert.Equal("exclusive", body["flavor"]!["bandwidth_type"]!.GetValue<string>());
        Assert.Equal("WEBHOOK", body["type"]!.GetValue<string>());
        Assert.Empty(body["kafka_detail"]!.AsObject());
        Assert.Matches(TimePattern(), body["created_time"]!.GetValue<string>());
        Assert.Equal(body["created_time"]!.GetValue<string>(), body["updated_time"]!.GetValue<string>());
        Assert.Matches(RequestIdPattern(), Assert.Single(response.Headers.GetValues("X-Request-Id")));
    }

    [Fact]
    public async Task Create_Kafka_ReturnsDetailWithoutPasswordAndBothFieldSpellings()
    {
        var response = await _client.PostAsync(Base, new
        {
            name = "kafka-conn",
            vpc_id = "vpc-1",
            subnet_id = "subnet-1",
            type = "kafka",
            kafka_detail = new { instance_id = "dms-1", addr = "127.0.0.1:9092, 127.0.0.2:9092", security_protocol = "sasl_ssl", enable_sasl_ssl = true, user_name = "alice", password = "s3cret-Pa55word", acks = "all" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cret-Pa55word", text, StringComparison.Ordinal);
        var detail = JsonNode.Parse(text)!["kafka_detail"]!.AsObject();
        Assert.Equal("KAFKA", JsonNode.Parse(text)!["type"]!.GetValue<string>());
        Assert.Equal("dms-1", detail["instance_id"]!.GetValue<string>());
        Assert.Equal("127.0.0.1:9092,127.0.0.2:9092", detail["addr"]!.GetValue<string>());
        Assert.Equal("SASL_SSL", detail["security_protocol"]!.GetValue<string>());
        Assert.True(detail["enable_sasl_ssl"]!.GetValue<bool>());
        Assert.True(detail["sasl_ssl"]!.GetValue<bool>());
        Assert.Equal("alice", detail["user_name"]!.GetValue<string>());
        Assert.Equal("alice", detail["username"]!.GetValue<string>());
        Assert.Equal("all", detail["acks"]!.GetValue<string>());
        Assert.False(detail.ContainsKey("password"));
    }

    [Fact]
    public async Task Create_KafkaWithLegacyNames_AcceptsThemAndDefaultsAcks()
    {
        var response = await _client.PostAsync(Base, new
        {
            name = "legacy",
            vpc_id = "v",
            subnet_id = "s",
            type = "KAFKA",
            kafka_detail = new { instance_id = "i", addr = "127.0.0.1:9092", sasl_ssl = true, username = "bob", password = "pw-123456" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var detail = (await HuaweiClient.JsonAsync(response))["kafka_detail"]!;
        Assert.Equal("bob", detail["user_name"]!.GetValue<string>());
        Assert.Equal("SASL_SSL", detail["security_protocol"]!.GetValue<string>());
        Assert.Equal("1", detail["acks"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_KafkaPassword_IsEncryptedAtRest()
    {
        const string password = "plain-text-password-to-find";
        var response = await _client.PostAsync(Base, new
        {
            name = "secret-check",
            vpc_id = "v",
            subnet_id = "s",
            type = "KAFKA",
            kafka_detail = new { instance_id = "i", addr = "127.0.0.1:9092", enable_sasl_ssl = true, user_name = "u", password },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await using var db = new SqliteConnection($"Data Source={Path.Combine(_factory.DataDirectory, "junction.db")};Pooling=False");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT protected_secret FROM connections WHERE name = 'secret-check'";
        var stored = (string?)await command.ExecuteScalarAsync();
        Assert.False(string.IsNullOrEmpty(stored));
        Assert.DoesNotContain(password, stored, StringComparison.Ordinal);

        var files = Directory.GetFiles(_factory.DataDirectory, "junction.db*").Select(File.ReadAllBytes);
        Assert.All(files, bytes => Assert.DoesNotContain(password, System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"vpc_id":"v","subnet_id":"s"}""", "name is required")]
    [InlineData("""{"name":"","vpc_id":"v","subnet_id":"s"}""", "name must not be empty")]
    [InlineData("""{"name":"-abc","vpc_id":"v","subnet_id":"s"}""", "must start with a letter or digit")]
    [InlineData("""{"name":"a b","vpc_id":"v","subnet_id":"s"}""", "may contain only letters")]
    [InlineData("""{"name":"Default","vpc_id":"v","subnet_id":"s"}""", "cannot be 'default'")]
    [InlineData("""{"name":12,"vpc_id":"v","subnet_id":"s"}""", "name must be a string, not a number")]
    [InlineData("""{"name":"ok","subnet_id":"s"}""", "vpc_id is required")]
    [InlineData("""{"name":"ok","vpc_id":"v"}""", "subnet_id is required")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"rabbit"}""", "type must be WEBHOOK or KAFKA")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"ROCKETMQ"}""", "ROCKETMQ is not supported")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":["KAFKA"]}""", "type must be a string, not an array")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA"}""", "kafka_detail is required")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":"x"}""", "kafka_detail must be an object")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","kafka_detail":{"addr":"a:1"}}""", "kafka_detail is only allowed when type is KAFKA")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"addr":"127.0.0.1:9092"}}""", "kafka_detail.instance_id is required")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i"}}""", "kafka_detail.addr is required")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i","addr":"127.0.0.1"}}""", "must be host:port")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i","addr":"127.0.0.1:99999"}}""", "not a number from 1 to 65535")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i","addr":"127.0.0.1:9092","enable_sasl_ssl":true,"password":"p"}}""", "kafka_detail.user_name is mandatory when SASL is enabled")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i","addr":"127.0.0.1:9092","enable_sasl_ssl":true,"user_name":"u"}}""", "kafka_detail.password is mandatory when SASL is enabled")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i","addr":"127.0.0.1:9092","enable_sasl_ssl":"yes"}}""", "kafka_detail.enable_sasl_ssl must be a boolean")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i","addr":"127.0.0.1:9092","acks":"2"}}""", "kafka_detail.acks must be")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i","addr":"127.0.0.1:9092","acks":1}}""", "kafka_detail.acks must be a string")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i","addr":"127.0.0.1:9092","security_protocol":"TLS"}}""", "kafka_detail.security_protocol must be one of")]
    [InlineData("""{"name":"ok","vpc_id":"v","subnet_id":"s","type":"KAFKA","kafka_detail":{"instance_id":"i","addr":"127.0.0.1:9092","enable_sasl_ssl":true,"sasl_ssl":false}}""", "disagree")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""{"name":"ok",""", "not valid JSON")]
    [InlineData("", "request body is empty")]
    public async Task Create_InvalidBody_Answers400NamingTheProblem(string body, string expected)
    {
        var response = await _client.SendAsync(HttpMethod.Post, Base, body);

        await AssertEgErrorAsync(response, HttpStatusCode.BadRequest, "EG.00513000", expected);
    }

    [Fact]
    public async Task Create_OverlongFields_Answers400NamingEachField()
    {
        var response = await _client.PostAsync(Base, new { name = new string('a', 129), description = new string('d', 256), vpc_id = new string('v', 129), subnet_id = "s" });

        var error = await AssertEgErrorAsync(response, HttpStatusCode.BadRequest, "EG.00513000", "name must be at most 128 characters");
        Assert.Contains("description must be at most 255 characters", error, StringComparison.Ordinal);
        Assert.Contains("vpc_id must be at most 128 characters", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_NameOf128Characters_IsAccepted()
    {
        var response = await _client.PostAsync(Base, new { name = "a" + new string('.', 127), vpc_id = "v", subnet_id = "s" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Create_DuplicateName_Answers400NameDuplicated()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync(Base, new { name = "dup", vpc_id = "v", subnet_id = "s" })).StatusCode);

        var response = await _client.PostAsync(Base, new { name = "dup", vpc_id = "v2", subnet_id = "s2" });

        await AssertEgErrorAsync(response, HttpStatusCode.BadRequest, "EG.00513001", "dup");
    }

    [Fact]
    public async Task Create_FiftyParallelWithOneName_ExactlyOneSucceeds()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            _client.PostAsync(Base, new { name = "race", vpc_id = "v", subnet_id = "s" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        var failures = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.Equal(49, failures.Count);
        foreach (var failure in failures)
        {
            await AssertEgErrorAsync(failure, HttpStatusCode.BadRequest, "EG.00513001", "race");
        }

        var list = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Base + "?name=race"));
        Assert.Equal(1, list["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_OverQuotaInParallel_NeverExceedsQuota()
    {
        using var factory = new JunctionFactory().With("Junction:Quotas:EgConnections", "5");
        var client = factory.CreateHuaweiClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.PostAsync(Base, new { name = $"q{i}", vpc_id = "v", subnet_id = "s" })));

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var rejected in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await AssertEgErrorAsync(rejected, HttpStatusCode.Forbidden, "EG.00514003", "quota");
        }

        var list = await HuaweiClient.JsonAsync(await client.SendAsync(HttpMethod.Get, Base));
        Assert.Equal(5, list["total"]!.GetValue<int>());

        // Deleting one frees its place in the quota.
        var id = list["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"{Base}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Base, new { name = "after-delete", vpc_id = "v", subnet_id = "s" })).StatusCode);
    }

    [Fact]
    public async Task List_PagesWithOffsetAndLimit_InCreatedTimeDescendingOrder()
    {
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync(Base, new { name = $"c{i}", vpc_id = "v", subnet_id = "s" })).StatusCode);
            _factory.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Base + "?offset=0&limit=3"));
        var last = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Base + "?offset=6&limit=3"));

        Assert.Equal(7, first["total"]!.GetValue<int>());
        Assert.Equal(3, first["size"]!.GetValue<int>());
        Assert.Equal(["c6", "c5", "c4"], Names(first));
        Assert.Equal(7, last["total"]!.GetValue<int>());
        Assert.Equal(1, last["size"]!.GetValue<int>());
        Assert.Equal(["c0"], Names(last));
    }

    [Fact]
    public async Task List_DefaultLimitIs15()
    {
        for (var i = 0; i < 17; i++)
        {
            await _client.PostAsync(Base, new { name = $"n{i:00}", vpc_id = "v", subnet_id = "s" });
        }

        var page = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Base));

        Assert.Equal(17, page["total"]!.GetValue<int>());
        Assert.Equal(15, page["size"]!.GetValue<int>());
    }

    [Fact]
    public async Task List_FiltersAndSort_Combine()
    {
        await _client.PostAsync(Base, new { name = "alpha-web", vpc_id = "v", subnet_id = "s" });
        await _client.PostAsync(Base, new { name = "beta-web", vpc_id = "v", subnet_id = "s" });
        await _client.PostAsync(Base, new { name = "gamma", vpc_id = "v", subnet_id = "s", type = "KAFKA", kafka_detail = new { instance_id = "inst-9", addr = "127.0.0.1:9092" } });

        Assert.Equal(["alpha-web", "beta-web"], Names(await GetAsync("?fuzzy_name=web&sort=name:ASC")));
        Assert.Equal(["beta-web", "alpha-web"], Names(await GetAsync("?fuzzy_name=web&sort=name:DESC")));
        Assert.Empty(Names(await GetAsync("?fuzzy_name=WEB")));
        Assert.Equal(["gamma"], Names(await GetAsync("?instance_id=inst-9")));
        Assert.Equal(["beta-web"], Names(await GetAsync("?name=beta-web")));
        Assert.Empty(Names(await GetAsync("?name=beta")));
        Assert.Equal(["alpha-web", "beta-web", "gamma"], Names(await GetAsync("?sort=name:asc&limit=1000")));
    }

    [Theory]
    [InlineData("?limit=0", "limit must be an integer from 1 to 1000")]
    [InlineData("?limit=1001", "limit must be an integer from 1 to 1000")]
    [InlineData("?limit=ten", "limit must be an integer")]
    [InlineData("?offset=-1", "offset must be an integer of at least 0")]
    [InlineData("?sort=size:DESC", "sort must be")]
    [InlineData("?sort=name:UP", "sort must be")]
    public async Task List_BadQuery_Answers400(string query, string expected)
    {
        var response = await _client.SendAsync(HttpMethod.Get, Base + query);

        await AssertEgErrorAsync(response, HttpStatusCode.BadRequest, "EG.00513000", expected);
    }

    [Fact]
    public async Task Show_ExistingAndUnknown()
    {
        var id = await CreateAsync("shown");

        var found = await _client.SendAsync(HttpMethod.Get, $"{Base}/{id}");
        var missing = await _client.SendAsync(HttpMethod.Get, $"{Base}/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("shown", (await HuaweiClient.JsonAsync(found))["name"]!.GetValue<string>());
        await AssertEgErrorAsync(missing, HttpStatusCode.NotFound, "EG.00014040", "does not exist");
    }

    [Fact]
    public async Task Update_ChangesOnlyDescriptionAndUpdatedTime()
    {
        var id = await CreateAsync("updatable");
        _factory.Time.Advance(TimeSpan.FromMinutes(5));

        var response = await _client.SendAsync(HttpMethod.Put, $"{Base}/{id}", """{"description":"new words","name":"renamed","vpc_id":"other"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await HuaweiClient.JsonAsync(response);
        Assert.Equal("new words", body["description"]!.GetValue<string>());
        Assert.Equal("updatable", body["name"]!.GetValue<string>());
        Assert.Equal("v", body["vpc_id"]!.GetValue<string>());
        Assert.NotEqual(body["created_time"]!.GetValue<string>(), body["updated_time"]!.GetValue<string>());

        var cleared = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Put, $"{Base}/{id}", """{"description":""}"""));
        Assert.Equal("", cleared["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_BadInputAndUnknownId()
    {
        var id = await CreateAsync("upd-bad");

        await AssertEgErrorAsync(await _client.SendAsync(HttpMethod.Put, $"{Base}/{id}", """{"description":7}"""), HttpStatusCode.BadRequest, "EG.00513000", "description must be a string");
        await AssertEgErrorAsync(await _client.SendAsync(HttpMethod.Put, $"{Base}/{id}", $$"""{"description":"{{new string('x', 256)}}"}"""), HttpStatusCode.BadRequest, "EG.00513000", "description must be at most 255");
        await AssertEgErrorAsync(await _client.SendAsync(HttpMethod.Put, $"{Base}/{Guid.NewGuid()}", """{"description":"x"}"""), HttpStatusCode.NotFound, "EG.00014040", "does not exist");
    }

    [Fact]
    public async Task Delete_Answers204ThenTheConnectionIsGone()
    {
        var id = await CreateAsync("to-delete");

        var deleted = await _client.SendAsync(HttpMethod.Delete, $"{Base}/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.SendAsync(HttpMethod.Get, $"{Base}/{id}")).StatusCode);
        await AssertEgErrorAsync(await _client.SendAsync(HttpMethod.Delete, $"{Base}/{id}"), HttpStatusCode.NotFound, "EG.00014040", "does not exist");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync(Base, new { name = "to-delete", vpc_id = "v", subnet_id = "s" })).StatusCode);
    }

    [Fact]
    public async Task Auth_MissingCredentials_Answers401()
    {
        using var http = _factory.CreateClient();

        var response = await http.GetAsync(Base);

        await AssertEgErrorAsync(response, HttpStatusCode.Unauthorized, "EG.00014010", "no credentials");
    }

    [Fact]
    public async Task Auth_WrongSecret_Answers401()
    {
        _client.SecretKey = "a-different-secret-key-0000000000000000";

        await AssertEgErrorAsync(await _client.SendAsync(HttpMethod.Get, Base), HttpStatusCode.Unauthorized, "EG.00014010", "verify aksk signature fail");
    }

    [Fact]
    public async Task Auth_UnknownAccessKey_Answers401_AsABadSignatureDoes()
    {
        _client.AccessKey = "UNKNOWNAK00000000000";

        // One answer for both (issue 19, item 3): the caller cannot tell which access keys exist.
        await AssertEgErrorAsync(await _client.SendAsync(HttpMethod.Get, Base), HttpStatusCode.Unauthorized, "EG.00014010", "verify aksk signature fail");
    }

    [Fact]
    public async Task Auth_BodyChangedAfterSigning_Answers401()
    {
        var response = await _client.SendAsync(HttpMethod.Post, Base, """{"name":"a","vpc_id":"v","subnet_id":"s"}""", request =>
        {
            request.Content = new StringContent("""{"name":"b","vpc_id":"v","subnet_id":"s"}""", System.Text.Encoding.UTF8, "application/json");
        });

        await AssertEgErrorAsync(response, HttpStatusCode.Unauthorized, "EG.00014010", "verify aksk signature fail");
    }

    [Fact]
    public async Task Auth_BodyReplacedWithOriginalHashInUnsignedHeader_Answers401AndCreatesNothing()
    {
        // The attack: sign one body, send another, and carry the signed body's hash in an unsigned X-Sdk-Content-Sha256.
        const string signed = """{"name":"signed","vpc_id":"v","subnet_id":"s"}""";
        var response = await _client.SendAsync(HttpMethod.Post, Base, signed, request =>
        {
            request.Content = new StringContent("""{"name":"replaced","vpc_id":"v","subnet_id":"s"}""", System.Text.Encoding.UTF8, "application/json");
            request.Headers.Add("X-Sdk-Content-Sha256", HuaweiSignature.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(signed)));
        });

        await AssertEgErrorAsync(response, HttpStatusCode.Unauthorized, "EG.00014010", "not the SHA-256 of the request body");
        var list = await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Base + "?name=replaced"));
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Auth_UnsignedPayloadHeaderNotSigned_Answers401()
    {
        var response = await _client.SendAsync(HttpMethod.Post, Base, """{"name":"a","vpc_id":"v","subnet_id":"s"}""", request =>
        {
            request.Content = new StringContent("""{"name":"b","vpc_id":"v","subnet_id":"s"}""", System.Text.Encoding.UTF8, "application/json");
            request.Headers.Add("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");
        });

        await AssertEgErrorAsync(response, HttpStatusCode.Unauthorized, "EG.00014010", "UNSIGNED-PAYLOAD must be one of the SignedHeaders");
    }

    [Fact]
    public async Task Auth_ContentShaHeaderEqualToBodyHash_IsAccepted()
    {
        const string body = """{"name":"hashed","vpc_id":"v","subnet_id":"s"}""";
        var response = await _client.SendAsync(HttpMethod.Post, Base, body, request =>
            request.Headers.Add("X-Sdk-Content-Sha256", HuaweiSignature.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(body))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Auth_QueryChangedAfterSigning_Answers401()
    {
        var response = await _client.SendAsync(HttpMethod.Get, Base + "?limit=5", tamper: request =>
            request.RequestUri = new Uri(Base + "?limit=6", UriKind.Relative));

        await AssertEgErrorAsync(response, HttpStatusCode.Unauthorized, "EG.00014010", "verify aksk signature fail");
    }

    [Fact]
    public async Task Auth_SignedMoreThan15MinutesAgo_Answers401()
    {
        var stale = new HuaweiClient(_factory.CreateClient(), new FakeTimeProvider(_factory.Time.GetUtcNow() - TimeSpan.FromMinutes(16)), JunctionFactory.AccessKey, JunctionFactory.SecretKey);

        await AssertEgErrorAsync(await stale.SendAsync(HttpMethod.Get, Base), HttpStatusCode.Unauthorized, "EG.00014010", "15 minutes");
    }

    [Fact]
    public async Task Auth_SignedHeaderMissing_Answers401()
    {
        var response = await _client.SendAsync(HttpMethod.Get, Base, tamper: request =>
        {
            var auth = request.Headers.GetValues("Authorization").Single().Replace("host;x-sdk-date", "host;x-project-id;x-sdk-date", StringComparison.Ordinal);
            request.Headers.Remove("Authorization");
            request.Headers.TryAddWithoutValidation("Authorization", auth);
        });

        await AssertEgErrorAsync(response, HttpStatusCode.Unauthorized, "EG.00014010", "signed header 'x-project-id' is not in the request");
    }

    [Fact]
    public async Task Auth_OtherProject_Answers403()
    {
        var response = await _client.SendAsync(HttpMethod.Get, "/v1/ffffffffffffffffffffffffffffffff/connections");

        await AssertEgErrorAsync(response, HttpStatusCode.Forbidden, "EG.00512000", "do not belong to project");
    }

    [Fact]
    public async Task Errors_ChunkedBody_WithoutALength_IsReadUpToTheLimit_AndRefusedBeyondIt()
    {
        using var factory = new JunctionFactory().With("Junction:MaxRequestBodyBytes", "2048");
        using var http = factory.CreateClient();
        async Task<HttpResponseMessage> PostChunkedAsync(int size)
        {
            // A stream of unknown length: the body goes out chunked, with no Content-Length to size it by.
            using var content = new StreamContent(new NoLengthStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes($$"""{"name":"{{new string('x', size)}}"}"""))));
            content.Headers.ContentType = new("application/json");
            Assert.Null(content.Headers.ContentLength);
            return await http.PostAsync(Base, content);
        }

        // Within the limit the body is read whole and the request goes on to authentication (none here: 401).
        using var small = await PostChunkedAsync(1000);
        Assert.Equal(HttpStatusCode.Unauthorized, small.StatusCode);
        using var large = await PostChunkedAsync(4000);
        await AssertEgErrorAsync(large, HttpStatusCode.RequestEntityTooLarge, "EG.00513000", "larger than 2048 bytes");
    }

    /// <summary>A read-only stream that does not tell its length.</summary>
    private sealed class NoLengthStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task Errors_OversizedBody_AnsweredInEgEnvelope()
    {
        using var factory = new JunctionFactory().With("Junction:MaxRequestBodyBytes", "2048");
        var client = factory.CreateHuaweiClient();

        var response = await client.SendAsync(HttpMethod.Post, Base, $$"""{"name":"big","vpc_id":"v","subnet_id":"s","description":"{{new string('x', 4000)}}"}""");

        await AssertEgErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "EG.00513000", "larger than 2048 bytes");
    }

    [Theory]
    [InlineData("GET", "/v1/p/unknown")]
    [InlineData("PATCH", Base)]
    public async Task Errors_UnknownRoute_AnsweredInEgEnvelope(string method, string path)
    {
        using var http = _factory.CreateClient();

        var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertEgErrorAsync(response, HttpStatusCode.NotFound, "EG.00014040", "no API at");
    }

    private async Task<JsonObject> GetAsync(string query) =>
        await HuaweiClient.JsonAsync(await _client.SendAsync(HttpMethod.Get, Base + query));

    private async Task<string> CreateAsync(string name)
    {
        var response = await _client.PostAsync(Base, new { name, vpc_id = "v", subnet_id = "s" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await HuaweiClient.JsonAsync(response))["id"]!.GetValue<string>();
    }

    private static string[] Names(JsonObject page) =>
        page["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ToArray();

    /// <summary>Checks the EG envelope: status, code, a message containing <paramref name="contains"/>, and request_id = X-Request-Id.</summary>
    internal static async Task<string> AssertEgErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code, string contains)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(code, body["error_code"]!.GetValue<string>());
        var message = body["error_msg"]!.GetValue<string>() + " | " + body["error_details"]!.GetValue<string>();
        Assert.Contains(contains, message, StringComparison.Ordinal);
        Assert.Equal(Assert.Single(response.Headers.GetValues("X-Request-Id")), body["request_id"]!.GetValue<string>());
        return message;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^[0-9a-f]{32}-\d{13}-[A-Za-z0-9._]+$")]
    private static partial Regex RequestIdPattern();
}
