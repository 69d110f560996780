using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Junction.Server.Tests.Infrastructure;
using Junction.Testing;

namespace Junction.Server.Tests.Api;

/// <summary>
/// Design §6, bad input: thousands of malformed requests per dialect, made by mutating valid ones (values of the
/// wrong type, missing and unknown fields, truncated and corrupted bytes, invalid UTF-8, deep nesting, odd ids and
/// queries), authenticated so that they reach validation. None may be answered with a 5xx, and every answer must be in
/// its dialect's format. The generator is seeded: a failure names the seed and the request, and repeats.
/// </summary>
public sealed class MalformedInputTests : IAsyncLifetime
{
    private const int PerDialect = 1500;
    private static readonly string s_uin = JunctionFactory.AccountId;

    // The Tencent rate limit is lifted: every request should reach validation, not the limiter.
    private readonly JunctionFactory _factory = new JunctionFactory().With("Junction:Tencent:RequestsPerSecond", "0")
        .With("Junction:Instances:Kafka:0:Id", "ckafka-fuzz").With("Junction:Instances:Kafka:0:BootstrapServers", "127.0.0.1:9")
        .With("Junction:Instances:Kafka:0:Shared", "true");
    private HuaweiClient _huawei = null!;
    private HuaweiClient _tokenHolder = null!;
    private TencentClient _tencent = null!;
    private string _egId = "";
    private string _dliId = "";
    private string _busId = "";
    private string _ebId = "";
    private string _ruleId = "";
    private string _targetId = "";
    private string _transformationId = "";
    private string _channelId = "";
    private string _subscriptionId = "";

    public async Task InitializeAsync()
    {
        _huawei = _factory.CreateHuaweiClient();
        var login = JsonSerializer.Serialize(new
        {
            auth = new { identity = new { methods = new[] { "password" }, password = new { user = new { name = JunctionFactory.User, password = JunctionFactory.Password, domain = new { name = "junction" } } } } },
        });
        using var tokenResponse = await _factory.CreateClient().PostAsync("/v3/auth/tokens", new StringContent(login, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, tokenResponse.StatusCode);
        _tokenHolder = new HuaweiClient(_factory.CreateClient(), _factory.Time, JunctionFactory.AccessKey, JunctionFactory.SecretKey)
        {
            Token = tokenResponse.Headers.GetValues("X-Subject-Token").Single(),
        };
        _tencent = _factory.CreateTencentClient();
        _egId = (await HuaweiClient.JsonAsync(await _huawei.PostAsync($"/v1/{JunctionFactory.ProjectId}/connections", new { name = "fuzz", vpc_id = "vpc-1", subnet_id = "subnet-1" })))["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await _huawei.PostAsync($"/v1.0/{JunctionFactory.ProjectId}/queues", new { queue_name = "fq", cu_count = 16, resource_mode = 1 })).StatusCode);
        _dliId = (await HuaweiClient.JsonAsync(await _huawei.PostAsync(DliConnections, new { name = "fuzz", dest_vpc_id = "vpc-1", dest_network_id = "subnet-1", queues = new[] { "fq" } })))["connection_id"]!.GetValue<string>();
        var eg = $"/v1/{JunctionFactory.ProjectId}";
        _channelId = (await HuaweiClient.JsonAsync(await _huawei.PostAsync($"{eg}/channels", new { name = "fuzz" })))["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await _huawei.PostAsync($"{eg}/sources", new { name = "fuzz", channel_id = _channelId })).StatusCode);
        _subscriptionId = (await HuaweiClient.JsonAsync(await _huawei.PostAsync($"{eg}/subscriptions", Subscription(_channelId))))["id"]!.GetValue<string>();
        _busId = (await _tencent.CallAsync("CreateEventBus", new { EventBusName = "fuzz" }))["EventBusId"]!.GetValue<string>();
        _ebId = (await _tencent.CallAsync("CreateConnection", new { EventBusId = _busId, ConnectionName = "fuzz", ConnectionDescription = Ckafka() }))["ConnectionId"]!.GetValue<string>();
        _ruleId = (await _tencent.CallAsync("CreateRule", new { EventBusId = _busId, RuleName = "fuzz", EventPattern = "{}" }))["RuleId"]!.GetValue<string>();
        _targetId = (await _tencent.CallAsync("CreateTarget", new { EventBusId = _busId, RuleId = _ruleId, Type = "cls", TargetDescription = Cls() }))["TargetId"]!.GetValue<string>();
        _transformationId = (await _tencent.CallAsync("CreateTransformation", new { EventBusId = _busId, RuleId = _ruleId, Transformations = Transformations() }))["TransformationId"]!.GetValue<string>();
    }

    private static object Cls() => new { ResourceDescription = $"qcs::cls:ap-guangzhou:uin/{JunctionFactory.AccountId}:topic/t-1" };

    private static object[] Transformations() =>
        [new { Extraction = new { ExtractionInputPath = "$.data", Format = "JSON" }, EtlFilter = new { Filter = "{\"a\":[{\"prefix\":\"x\"}]}" },
            Transform = new { OutputStructs = new[] { new { Key = "k", Value = "$.a", ValueType = "JSONPATH" } } } }];

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    private static string DliConnections => $"/v2.0/{JunctionFactory.ProjectId}/datasource/enhanced-connections";

    private static string EgConnections => $"/v1/{JunctionFactory.ProjectId}/connections";

    [Fact]
    public async Task Huawei_EG_answers_every_malformed_request_with_its_error_envelope()
    {
        var templates = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, EgConnections, new
            {
                name = "k1", description = "d", vpc_id = "vpc-1", subnet_id = "subnet-1", type = "KAFKA",
                kafka_detail = new { instance_id = "dms-1", addr = "127.0.0.1:9092", security_protocol = "SASL_SSL", enable_sasl_ssl = true, user_name = "u", password = "p", acks = "all" },
            }),
            (HttpMethod.Post, EgConnections, new { name = "w1", vpc_id = "vpc-1", subnet_id = "subnet-1" }),
            (HttpMethod.Put, $"{EgConnections}/{{id}}", new { description = "new" }),
            (HttpMethod.Get, $"{EgConnections}/{{id}}", null),
            (HttpMethod.Get, $"{EgConnections}?offset=0&limit=10&sort=created_time:DESC&name=fuzz", null),
            (HttpMethod.Delete, $"{EgConnections}/{{id}}", null),
        };
        await FuzzHuaweiAsync(seed: 8101, templates, _egId, AssertEgError);
    }

    [Fact]
    public async Task Huawei_EG_data_plane_answers_every_malformed_request_with_its_error_envelope()
    {
        var eg = $"/v1/{JunctionFactory.ProjectId}";
        var subscription = $"{eg}/subscriptions/{_subscriptionId}";
        var templates = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, $"{eg}/channels", new { name = "c2", description = "d", eps_id = "0", cross_account = false }),
            (HttpMethod.Put, $"{eg}/channels/{{id}}", new { description = "new" }),
            (HttpMethod.Get, $"{eg}/channels?offset=0&limit=10&sort=name:ASC&provider_type=CUSTOM&fuzzy_name=f", null),
            (HttpMethod.Post, $"{eg}/sources", new { name = "s2", channel_id = "{id}", type = "APPLICATION", detail = new { a = 1 } }),
            (HttpMethod.Get, $"{eg}/sources?channel_id={{id}}&limit=5", null),
            (HttpMethod.Post, $"{eg}/subscriptions", Subscription("{id}")),
            (HttpMethod.Put, subscription, Subscription("{id}")),
            (HttpMethod.Post, $"{eg}/subscriptions/operation", new { subscription_ids = new[] { _subscriptionId }, operation = "DISABLE" }),
            (HttpMethod.Post, $"{subscription}/targets", Target()),
            (HttpMethod.Post, $"{eg}/channels/{{id}}/events", new { events = new object[] { new { id = "e1", source = "fuzz", specversion = "1.0", type = "t", time = "2026-12-06T08:00:00Z", data = new { a = 1 } } } }),
            (HttpMethod.Post, $"{eg}/events/check", new { sources = new[] { new { channel_id = "{id}", source_name = "fuzz" } } }),
            (HttpMethod.Get, $"{eg}/traced-events?channel_id={{id}}&start_time=0&end_time=99999999999999&limit=10", null),
        };
        await FuzzHuaweiAsync(seed: 8104, templates, _channelId, AssertEgDataPlaneError);
    }

    private static object Subscription(string channelId) => new
    {
        name = "fuzz-sub",
        channel_id = channelId,
        sources = new[] { new { name = "fuzz", provider_type = "CUSTOM", filter = new { source = new[] { new { op = "StringIn", values = new[] { "fuzz" } } }, data = new { a = new[] { new { op = "NumberIn", values = new[] { 1 } } } } } } },
        targets = new[] { Target() },
    };

    private static object Target() => new
    {
        name = "HTTPS",
        provider_type = "CUSTOM",
        detail = new { url = "http://127.0.0.1:9/hook" },
        retry_times = 3,
        transform = new { type = "VARIABLE", value = "{\"a\":\"$.data.a\"}", template = "a=${a}" },
    };

    /// <summary>The EG envelope, or (for PutEvents refused whole) its per-event results.</summary>
    private static void AssertEgDataPlaneError(JsonObject? error, string context)
    {
        if (error?["events"] is JsonArray events && error["failed_count"]?.GetValueKind() == JsonValueKind.Number)
        {
            Assert.True(events.All(e => e?["event_id"]?.GetValueKind() == JsonValueKind.String), context);
            return;
        }

        AssertEgError(error, context);
    }

    [Fact]
    public async Task Huawei_DLI_answers_every_malformed_request_with_its_error_envelope()
    {
        var templates = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, DliConnections, new { name = "c1", dest_vpc_id = "vpc-1", dest_network_id = "subnet-1", queues = new[] { "fq" }, routetable_id = "rt", hosts = new[] { new { name = "h", ip = "127.0.0.1" } } }),
            (HttpMethod.Put, $"{DliConnections}/{{id}}", new { hosts = new[] { new { name = "h2", ip = "127.0.0.2" } } }),
            (HttpMethod.Post, $"{DliConnections}/{{id}}/associate-queue", new { queues = new[] { "fq" } }),
            (HttpMethod.Post, $"{DliConnections}/{{id}}/disassociate-queue", new { queues = new[] { "fq" } }),
            (HttpMethod.Post, $"{DliConnections}/{{id}}/routes", new { name = "r", cidr = "10.0.0.0/24" }),
            (HttpMethod.Get, $"{DliConnections}?limit=10&offset=0&status=ACTIVE&name=fuzz", null),
            (HttpMethod.Get, $"{DliConnections}/{{id}}", null),
            (HttpMethod.Post, $"/v1.0/{JunctionFactory.ProjectId}/queues", new { queue_name = "q2", cu_count = 16, resource_mode = 1, description = "d" }),
            (HttpMethod.Put, $"/v1.0/{JunctionFactory.ProjectId}/queues/fq/action", new { action = "restart" }),
        };
        await FuzzHuaweiAsync(seed: 8102, templates, _dliId, AssertDliError);
    }

    [Fact]
    public async Task Tencent_EB_answers_every_malformed_request_with_its_error_response()
    {
        var templates = new (string Action, object Body)[]
        {
            ("CreateConnection", new { EventBusId = _busId, ConnectionName = "c1", Description = "d", Enable = true, ConnectionDescription = Ckafka() }),
            ("UpdateConnection", new { EventBusId = _busId, ConnectionId = _ebId, ConnectionName = "c2", Description = "d", Enable = false }),
            ("ListConnections", new { EventBusId = _busId, Offset = 0, Limit = 10, OrderBy = "created_at", Order = "DESC" }),
            ("DeleteConnection", new { EventBusId = _busId, ConnectionId = _ebId }),
            ("CreateEventBus", new { EventBusName = "b2", Description = "d", SaveDays = 1, EnableStore = false }),
            ("ListEventBuses", new { Offset = 0, Limit = 10, Filters = new[] { new { Name = "EventBusName", Values = new[] { "fuzz" } } } }),
            ("GetEventBus", new { EventBusId = _busId }),
            ("CreateRule", new { EventBusId = _busId, RuleName = "r2", EventPattern = "{\"source\":[\"a\"]}", Enable = true, Description = "d", DeadLetterConfig = new { DisposeMethod = "DROP" } }),
            ("UpdateRule", new { EventBusId = _busId, RuleId = _ruleId, RuleName = "r3", EventPattern = "{}", Enable = false, Description = "d" }),
            ("GetRule", new { EventBusId = _busId, RuleId = _ruleId }),
            ("ListRules", new { EventBusId = _busId, Offset = 0, Limit = 10, OrderBy = "name", Order = "ASC" }),
            ("DeleteRule", new { EventBusId = _busId, RuleId = _ruleId }),
            ("CreateTarget", new { EventBusId = _busId, RuleId = _ruleId, Type = "cls", TargetDescription = Cls(), BatchTimeout = 1, BatchEventCount = 1, EnableBatchDelivery = true }),
            ("UpdateTarget", new { EventBusId = _busId, RuleId = _ruleId, TargetId = _targetId, BatchTimeout = 2, BatchEventCount = 2, EnableBatchDelivery = false }),
            ("ListTargets", new { EventBusId = _busId, RuleId = _ruleId, Offset = 0, Limit = 10 }),
            ("DeleteTarget", new { EventBusId = _busId, RuleId = _ruleId, TargetId = _targetId }),
            ("GetTransformation", new { EventBusId = _busId, RuleId = _ruleId, TransformationId = _transformationId }),
            ("UpdateTransformation", new { EventBusId = _busId, RuleId = _ruleId, TransformationId = _transformationId, Transformations = Transformations() }),
            ("PutEvents", new { EventBusId = _busId, EventList = new[] { new { Source = "a", Data = "{\"a\":\"xy\"}", Type = "t", Subject = "s", Time = 1765000000000L, Id = "i", TagList = new[] { new { Key = "k", Value = "v" } } } } }),
            ("PublishEvent", new { EventBusId = _busId, EventList = new[] { new { Source = "a", Data = "1", Type = "t", Subject = "s" } } }),
        };
        var random = new Random(8103);
        var codes = new Dictionary<string, int>();
        for (var i = 0; i < PerDialect; i++)
        {
            var (action, body) = templates[random.Next(templates.Length)];
            var mutated = Mutate(random, JsonSerializer.Serialize(body));
            var actionSent = random.Next(20) == 0 ? Garble(random, action) : action;
            using var response = await _tencent.SendAsync(actionSent, mutated);
            var text = await response.Content.ReadAsStringAsync();
            var context = $"seed 8103, request {i}: {actionSent} {Shorten(mutated)} → {(int)response.StatusCode} {Shorten(text)}";
            // Tencent Cloud API answers errors with HTTP 200 and Response.Error; never a 5xx.
            Assert.True((int)response.StatusCode < 500, context);
            var json = JsonNode.Parse(text) as JsonObject;
            Assert.True(json?["Response"] is JsonObject, context);
            var answer = json!["Response"]!.AsObject();
            Assert.True(answer["RequestId"]?.GetValueKind() == JsonValueKind.String, context);
            if (answer["Error"] is JsonObject error)
            {
                Assert.True(error["Code"]?.GetValueKind() == JsonValueKind.String && error["Message"]?.GetValueKind() == JsonValueKind.String, context);
                Assert.DoesNotContain("InternalError", error["Code"]!.GetValue<string>(), StringComparison.Ordinal);
            }

            var code = answer["Error"]?["Code"]?.GetValue<string>() ?? "ok";
            codes[code] = codes.GetValueOrDefault(code) + 1;
        }

        var summary = string.Join(", ", codes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));
        Assert.True(codes.Where(c => c.Key.StartsWith("InvalidParameter", StringComparison.Ordinal)).Sum(c => c.Value) > PerDialect / 4, summary);
        Assert.True(codes.Where(c => c.Key.StartsWith("AuthFailure", StringComparison.Ordinal)).Sum(c => c.Value) < PerDialect / 10, summary);
        Assert.True(codes.GetValueOrDefault("ok") > 0, summary);
    }

    [Fact]
    public async Task IAM_token_endpoint_answers_every_malformed_request_in_keystone_format()
    {
        var valid = JsonSerializer.Serialize(new
        {
            auth = new
            {
                identity = new { methods = new[] { "password" }, password = new { user = new { name = JunctionFactory.User, password = JunctionFactory.Password, domain = new { name = "junction" } } } },
                scope = new { project = new { id = JunctionFactory.ProjectId } },
            },
        });
        var random = new Random(8104);
        using var http = _factory.CreateClient();
        for (var i = 0; i < PerDialect; i++)
        {
            var mutated = Mutate(random, valid);
            using var content = new ByteArrayContent(Bytes(random, mutated));
            content.Headers.TryAddWithoutValidation("Content-Type", random.Next(10) == 0 ? "text/plain" : "application/json");
            using var response = await http.PostAsync("/v3/auth/tokens", content);
            var text = await response.Content.ReadAsStringAsync();
            var context = $"seed 8104, request {i}: {Shorten(mutated)} → {(int)response.StatusCode} {Shorten(text)}";
            Assert.True((int)response.StatusCode < 500, context);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                var error = (JsonNode.Parse(text) as JsonObject)?["error"];
                Assert.True(error?["code"]?.GetValueKind() == JsonValueKind.Number && error["message"]?.GetValueKind() == JsonValueKind.String, context);
            }
        }
    }

    private async Task FuzzHuaweiAsync(int seed, (HttpMethod Method, string Path, object? Body)[] templates, string id, Action<JsonObject?, string> assertError)
    {
        var random = new Random(seed);
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < PerDialect; i++)
        {
            var (method, template, body) = templates[random.Next(templates.Length)];
            var path = template.Replace("{id}", random.Next(6) == 0 ? Garble(random, id) : id, StringComparison.Ordinal);
            if (random.Next(6) == 0)
            {
                path = MutateQuery(random, path);
            }

            var mutated = body is null ? (random.Next(4) == 0 ? Mutate(random, "{}") : null) : Mutate(random, JsonSerializer.Serialize(body));

            // Half signed with AK/SK (the signature covers the mutated body), half with a token; raw bytes with a token.
            var raw = mutated is not null && random.Next(8) == 0;
            var client = raw || random.Next(2) == 0 ? _tokenHolder : _huawei;
            using var response = await client.SendAsync(method, path, mutated, request =>
            {
                if (raw)
                {
                    // Raw bytes: invalid UTF-8 and stray control bytes the string API would not produce.
                    var bytes = Bytes(random, mutated!);
                    var headers = request.Content!.Headers.ToList();
                    request.Content = new ByteArrayContent(bytes);
                    foreach (var (name, values) in headers)
                    {
                        request.Content.Headers.TryAddWithoutValidation(name, values);
                    }
                }
            });
            var text = await response.Content.ReadAsStringAsync();
            var context = $"seed {seed}, request {i}: {method} {Shorten(path)} {Shorten(mutated ?? "")} → {(int)response.StatusCode} {Shorten(text)}";
            Assert.True((int)response.StatusCode < 500, context);
            if ((int)response.StatusCode >= 400)
            {
                assertError(JsonNode.Parse(text) as JsonObject, context);
            }

            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
        }

        // The requests reached validation (not just the gate), and the unmutated ones still succeed.
        var summary = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        Assert.True(statuses.GetValueOrDefault(400) > PerDialect / 4, summary);
        Assert.True(statuses.GetValueOrDefault(401) < PerDialect / 10, summary);
        Assert.True(statuses.Where(s => s.Key < 300).Sum(s => s.Value) > 0, summary);
    }

    private static void AssertEgError(JsonObject? error, string context) =>
        Assert.True(error?["error_code"]?.GetValueKind() == JsonValueKind.String && error["error_msg"]?.GetValueKind() == JsonValueKind.String
            && error["request_id"]?.GetValueKind() == JsonValueKind.String, context);

    private static void AssertDliError(JsonObject? error, string context) =>
        Assert.True(error?["error_code"]?.GetValueKind() == JsonValueKind.String && error["error_msg"]?.GetValueKind() == JsonValueKind.String, context);

    /// <summary>One mutation of a valid JSON body, or the body itself now and then (valid requests must keep working).</summary>
    private static string Mutate(Random random, string json)
    {
        switch (random.Next(12))
        {
            case 0:
                return json;
            case 1:
                return json[..random.Next(json.Length)];
            case 2:
                var chars = json.ToCharArray();
                for (var n = 0; n < 1 + random.Next(4); n++)
                {
                    chars[random.Next(chars.Length)] = Noise[random.Next(Noise.Length)];
                }

                return new string(chars);
            case 3:
                return s_wholeBodies[random.Next(s_wholeBodies.Length)];
            default:
                var node = JsonNode.Parse(json)!;
                for (var n = 0; n < 1 + random.Next(3); n++)
                {
                    MutateNode(random, node);
                }

                return node.ToJsonString();
        }
    }

    private const string Noise = "{}[]\",:\\0aZ-\u0001\u00e9";

    private static readonly string[] s_wholeBodies =
    [
        "", "null", "[]", "123", "\"text\"", "{", "}", "{}", "[{}]", "true", "{\"a\":", "{\"a\":1,}", "{'a':1}",
        new string('[', 5000) + new string(']', 5000), "{\"x\":" + new string('9', 400) + "}", "\uFEFF{}",
    ];

    private static readonly Func<Random, JsonNode?>[] s_values =
    [
        _ => null, _ => 0, _ => -1, _ => long.MaxValue, _ => 1.5e300, _ => true, _ => "", _ => " ",
        r => new string('x', r.Next(2) == 0 ? 257 : 70_000), _ => "\u0000\u0001", _ => "../../etc/passwd", _ => "'; DROP TABLE connections; --",
        _ => "😀名前", _ => new JsonArray(), _ => new JsonObject(), _ => new JsonArray(1, "a", null), _ => new JsonObject { ["nested"] = new JsonObject { ["deep"] = new JsonArray(new JsonArray()) } },
        _ => "127.0.0.1:notaport", _ => "192.168.0.1:9092", _ => "-5", _ => "NaN",
    ];

    /// <summary>Replaces, removes or adds one value somewhere in the tree.</summary>
    private static void MutateNode(Random random, JsonNode node)
    {
        var containers = new List<JsonNode>();
        Collect(node, containers);
        var target = containers[random.Next(containers.Count)];
        var value = s_values[random.Next(s_values.Length)](random);
        if (target is JsonObject obj)
        {
            var keys = obj.Select(p => p.Key).ToList();
            switch (random.Next(3))
            {
                case 0 when keys.Count > 0:
                    obj.Remove(keys[random.Next(keys.Count)]);
                    break;
                case 1:
                    obj[$"unknown_{random.Next(100)}"] = value;
                    break;
                default:
                    obj[keys.Count > 0 ? keys[random.Next(keys.Count)] : "x"] = value;
                    break;
            }
        }
        else if (target is JsonArray array)
        {
            if (array.Count > 0 && random.Next(2) == 0)
            {
                array[random.Next(array.Count)] = value;
            }
            else
            {
                array.Add(value);
            }
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> containers)
    {
        switch (node)
        {
            case JsonObject obj:
                containers.Add(obj);
                foreach (var (_, child) in obj)
                {
                    Collect(child, containers);
                }

                break;
            case JsonArray array:
                containers.Add(array);
                foreach (var child in array)
                {
                    Collect(child, containers);
                }

                break;
        }
    }

    private static string Garble(Random random, string value) => random.Next(5) switch
    {
        0 => new string('a', 3000),
        1 => "%ZZ%01",
        2 => value + "'\"",
        3 => "..%2F..%2F",
        _ => "名前-" + value[..(value.Length / 2)],
    };

    private static string MutateQuery(Random random, string path)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        string[] queries = ["limit=-1", "limit=abc", "offset=-5", "offset=99999999999999999999", "limit=0", "limit=100000", "sort=name:SIDEWAYS", "sort=", "name=%FF%FE", "status=NOPE", "fuzzy_name=" + new string('z', 600)];
        return path + separator + queries[random.Next(queries.Length)];
    }

    /// <summary>UTF-8 of <paramref name="text"/>, with an invalid sequence or a control byte spliced in now and then.</summary>
    private static byte[] Bytes(Random random, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        if (random.Next(3) == 0 && bytes.Count > 0)
        {
            byte[][] junk = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0x00], [0xF0, 0x28, 0x8C]];
            bytes.InsertRange(random.Next(bytes.Count), junk[random.Next(junk.Length)]);
        }

        return [.. bytes];
    }

    private static object Ckafka() => new
    {
        ResourceDescription = $"qcs::ckafka:ap-guangzhou:uin/{s_uin}:ckafkaId/uin/{s_uin}/ckafka-fuzz",
        CkafkaParams = new { Offset = "latest", TopicName = "t" },
    };

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
