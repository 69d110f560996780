using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Junction.Server.Tests.Api.HuaweiEg;

/// <summary>The EG data-plane resources on the wire: shapes, rules, codes and limits (spec/dataplane.md §2).</summary>
public sealed class EgResourcesApiTests : IAsyncLifetime
{
    private EgDataPlaneFixture _eg = null!;

    public async Task InitializeAsync() => _eg = await EgDataPlaneFixture.StartAsync(f => f.With("Junction:Eg:MaxChannels", "2"));

    public async Task DisposeAsync() => await _eg.DisposeAsync();

    private static void AssertError((HttpStatusCode Status, JsonNode? Body) answer, HttpStatusCode status, string code, string fragment)
    {
        Assert.True(answer.Status == status, $"expected {(int)status}, got {(int)answer.Status}: {answer.Body?.ToJsonString()}");
        Assert.Equal(code, answer.Body!["error_code"]!.GetValue<string>());
        Assert.Contains(fragment, answer.Body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Channels_DefaultIsBuiltIn_CustomOnesFollowTheRules()
    {
        var list = await _eg.OkAsync(HttpMethod.Get, "/channels?provider_type=OFFICIAL");
        var builtIn = list["items"]!.AsArray().Single()!;
        Assert.Equal("default", builtIn["name"]!.GetValue<string>());
        var defaultId = builtIn["id"]!.GetValue<string>();

        var created = await _eg.OkAsync(HttpMethod.Post, "/channels", new { name = "orders", description = "d", eps_id = "0" });
        Assert.Equal("CUSTOM", created["provider_type"]!.GetValue<string>());
        Assert.Equal("0", created["enterprise_project_id"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", created["created_time"]!.GetValue<string>());

        AssertError(await _eg.SendAsync(HttpMethod.Post, "/channels", new { name = "orders" }), HttpStatusCode.BadRequest, "EG.00513001", "orders");
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/channels", new { name = "default" }), HttpStatusCode.BadRequest, "EG.00513000", "it is the built-in channel");
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/channels", new { name = "-bad" }), HttpStatusCode.BadRequest, "EG.00513000", "must start with a letter or digit");
        await _eg.OkAsync(HttpMethod.Post, "/channels", new { name = "second" });
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/channels", new { name = "third" }), HttpStatusCode.Forbidden, "EG.00514003", "2 channels");

        AssertError(await _eg.SendAsync(HttpMethod.Put, $"/channels/{defaultId}", new { description = "x" }), HttpStatusCode.BadRequest, "EG.00513005", "cannot be modified");
        AssertError(await _eg.SendAsync(HttpMethod.Delete, $"/channels/{defaultId}"), HttpStatusCode.BadRequest, "EG.00513005", "cannot be deleted");

        var all = await _eg.OkAsync(HttpMethod.Get, "/channels?limit=2&offset=0&sort=name:ASC");
        Assert.Equal(3, all["total"]!.GetValue<int>());
        Assert.Equal(["default", "orders"], all["items"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var beyond = await _eg.OkAsync(HttpMethod.Get, "/channels?offset=10");
        Assert.Empty(beyond["items"]!.AsArray());
    }

    [Fact]
    public async Task Channel_WithSources_CannotBeDeleted_UntilTheyAreGone()
    {
        var channel = await _eg.ChannelAsync();
        var source = await _eg.OkAsync(HttpMethod.Post, "/sources", new { name = "shop", channel_id = channel });
        Assert.Equal("RUNNING", source["status"]!.GetValue<string>());
        Assert.Equal("orders", source["channel_name"]!.GetValue<string>());

        AssertError(await _eg.SendAsync(HttpMethod.Delete, $"/channels/{channel}"), HttpStatusCode.BadRequest, "EG.00513005", "still has event sources");
        Assert.Equal(HttpStatusCode.NoContent, (await _eg.SendAsync(HttpMethod.Delete, $"/sources/{source["id"]}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _eg.SendAsync(HttpMethod.Delete, $"/channels/{channel}")).Status);
        AssertError(await _eg.SendAsync(HttpMethod.Get, $"/channels/{channel}"), HttpStatusCode.NotFound, "EG.00014040", channel);
    }

    [Fact]
    public async Task Sources_RefuseReservedNamesUnknownChannelsAndMqTypes()
    {
        var channel = await _eg.ChannelAsync();
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/sources", new { name = "hc.obs", channel_id = channel }), HttpStatusCode.BadRequest, "EG.00513000", "hc.");
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/sources", new { name = "Shop", channel_id = channel }), HttpStatusCode.BadRequest, "EG.00513000", "lowercase");
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/sources", new { name = "shop", channel_id = "nope" }), HttpStatusCode.BadRequest, "EG.00513005", "nope");
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/sources", new { name = "shop", channel_id = channel, type = "ROCKETMQ" }), HttpStatusCode.BadRequest, "EG.00513000", "ROCKETMQ");
    }

    [Fact]
    public async Task Subscriptions_ValidateFiltersAddressesAndConnections()
    {
        var channel = await _eg.ChannelAsync();
        var kafka = await _eg.KafkaConnectionAsync();
        var sources = new[] { new { name = "shop", provider_type = "CUSTOM", filter = new { type = new[] { new { op = "StringIn", values = new[] { "x" } } } } } };
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/subscriptions", new { name = "s", channel_id = channel, sources, targets = new[] { _eg.WebhookTarget() } }),
            HttpStatusCode.BadRequest, "EG.00513004", "source");

        var badUrl = new { name = "HTTPS", provider_type = "CUSTOM", detail = new { url = "ftp://x" }, transform = new { type = "ORIGINAL" } };
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/subscriptions", Subscription(channel, badUrl)), HttpStatusCode.BadRequest, "EG.00513003", "detail.url");

        var webhookThroughKafka = new { name = "HTTPS", provider_type = "CUSTOM", connection_id = kafka, detail = new { url = _eg.Receiver.Url }, transform = new { type = "ORIGINAL" } };
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/subscriptions", Subscription(channel, webhookThroughKafka)), HttpStatusCode.BadRequest, "EG.00513000", "needs a WEBHOOK connection");

        AssertError(await _eg.SendAsync(HttpMethod.Post, "/subscriptions", Subscription("nope", _eg.WebhookTarget())), HttpStatusCode.BadRequest, "EG.00513005", "nope");
        var six = Enumerable.Range(0, 6).Select(_ => _eg.WebhookTarget()).ToArray();
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/subscriptions", Subscription(channel, six)), HttpStatusCode.Forbidden, "EG.00514003", "targets per subscription");
    }

    [Fact]
    public async Task Subscriptions_TerraformShapes_AreAccepted_AndReadBackDeterministically()
    {
        var channel = await _eg.ChannelAsync();
        var kafka = await _eg.KafkaConnectionAsync();
        // Terraform sends explicit nulls for absent details, the source detail under "", and key_transform with ORIGINAL.
        var body = $$$"""
            {"name":"tf","channel_id":"{{{channel}}}",
             "sources":[{"name":"shop","provider_type":"CUSTOM","":{},"filter":{"source":[{"op":"StringIn","values":["shop"]}]}}],
             "targets":[{"name":"HC.Kafka","provider_type":"OFFICIAL","connection_id":"{{{kafka}}}","detail":null,"smn_detail":null,"eg_detail":null,
                         "apigw_detail":null,"dead_letter_queue":null,"kafka_detail":{"topic":"t","key_transform":{"type":"ORIGINAL"}},
                         "retry_times":13,"transform":{"type":"ORIGINAL","value":"","template":""}}]}
            """;
        var created = await _eg.OkAsync(HttpMethod.Post, "/subscriptions", body);
        Assert.Equal("CREATED", created["status"]!.GetValue<string>());
        var target = created["targets"]![0]!.AsObject();
        Assert.Equal(13, target["retry_times"]!.GetValue<int>());
        Assert.Equal("ORIGINAL", target["kafka_detail"]!["keyTransform"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain(target, p => p.Key is "detail" or "smn_detail" or "eg_detail" or "apigw_detail");
        Assert.False(created["sources"]![0]!.AsObject().ContainsKey("detail"));

        var shown = await _eg.OkAsync(HttpMethod.Get, $"/subscriptions/{created["id"]}");
        Assert.Equal(created["targets"]!.ToJsonString(), shown["targets"]!.ToJsonString());
        var listed = await _eg.OkAsync(HttpMethod.Get, $"/subscriptions?connection_id={kafka}");
        Assert.Equal(created["id"]!.GetValue<string>(), listed["items"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Subscription_Update_ReplacesTargets_KeepingIdsAndCreationTimes()
    {
        var channel = await _eg.ChannelAsync();
        var created = await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget("/a"), _eg.WebhookTarget("/b")]);
        var first = created["targets"]![0]!;
        var kept = new { id = first["id"]!.GetValue<string>(), name = "HTTPS", provider_type = "CUSTOM", detail = new { url = _eg.Receiver.Url + "/a2" }, transform = new { type = "ORIGINAL" } };

        var updated = await _eg.OkAsync(HttpMethod.Put, $"/subscriptions/{created["id"]}", new { description = "two", targets = new object[] { kept, _eg.WebhookTarget("/c") } });

        var targets = updated["targets"]!.AsArray();
        Assert.Equal(2, targets.Count);
        Assert.Equal(first["id"]!.GetValue<string>(), targets[0]!["id"]!.GetValue<string>());
        Assert.EndsWith("/a2", targets[0]!["detail"]!["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(first["created_time"]!.GetValue<string>(), targets[0]!["created_time"]!.GetValue<string>());
        Assert.EndsWith("/c", targets[1]!["detail"]!["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("two", updated["description"]!.GetValue<string>());
        Assert.Equal(created["sources"]!.ToJsonString(), updated["sources"]!.ToJsonString());
    }

    [Fact]
    public async Task DisabledSubscription_DoesNotRoute_UntilEnabled()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        var subscription = await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget()]);
        var id = subscription["id"]!.GetValue<string>();

        var disabled = await _eg.OkAsync(HttpMethod.Post, "/subscriptions/operation", new { subscription_ids = new[] { id, "missing" }, operation = "DISABLE" });
        Assert.Equal(1, disabled["failed_count"]!.GetValue<int>());
        Assert.Equal("EG.00014040", disabled["events"]![1]!["error_code"]!.GetValue<string>());
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        Assert.Equal(0, await _eg.DeliverAsync());

        await _eg.OkAsync(HttpMethod.Post, "/subscriptions/operation", new { subscription_ids = new[] { id }, operation = "ENABLE" });
        Assert.Equal("ENABLED", (await _eg.OkAsync(HttpMethod.Get, $"/subscriptions/{id}"))["status"]!.GetValue<string>());
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-2"));
        Assert.Equal(1, await _eg.DeliverAsync());
        Assert.Equal("e-2", JsonNode.Parse(Assert.Single(_eg.Receiver.Received).Text)!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Targets_Crud_UnderTheirSubscription_SecretHeadersNeverReturnedOrStoredInPlaintext()
    {
        const string secret = "s3cr3t-header-value-0123";
        var channel = await _eg.ChannelAsync();
        var subscription = await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget()]);
        var path = $"/subscriptions/{subscription["id"]}/targets";
        var apigw = new
        {
            name = "HC.APIGW",
            provider_type = "OFFICIAL",
            apigw_detail = new { url = _eg.Receiver.Url + "/gw", invocation_http_parameters = new { header_parameters = new object[] { new { key = "X-Key", value = secret, is_value_secret = true }, new { key = "X-Plain", value = "p", is_value_secret = false } } } },
            transform = new { type = "ORIGINAL" },
        };
        var target = await _eg.OkAsync(HttpMethod.Post, path, apigw);
        var headers = target["apigw_detail"]!["invocation_http_parameters"]!["header_parameters"]!;
        Assert.Equal("******", headers[0]!["value"]!.GetValue<string>());
        Assert.Equal("p", headers[1]!["value"]!.GetValue<string>());
        Assert.DoesNotContain(secret, (await _eg.OkAsync(HttpMethod.Get, $"{path}/{target["id"]}")).ToJsonString(), StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(_eg.Factory.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
        }

        var updated = await _eg.OkAsync(HttpMethod.Put, $"{path}/{target["id"]}", _eg.WebhookTarget("/changed", retryTimes: 7));
        Assert.Equal(7, updated["retry_times"]!.GetValue<int>());
        Assert.Equal(target["id"]!.GetValue<string>(), updated["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await _eg.SendAsync(HttpMethod.Delete, $"{path}/{target["id"]}")).Status);
        AssertError(await _eg.SendAsync(HttpMethod.Get, $"{path}/{target["id"]}"), HttpStatusCode.NotFound, "EG.00014040", "target");
    }

    [Fact]
    public async Task ApigwTarget_SendsItsHeaders_TheSecretOneDecrypted()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [new
        {
            name = "HC.APIGW",
            provider_type = "OFFICIAL",
            apigw_detail = new { url = _eg.Receiver.Url + "/gw", invocation_http_parameters = new { header_parameters = new object[] { new { key = "X-Key", value = "secret-1", is_value_secret = true } } } },
            transform = new { type = "CONSTANT", value = "ping" },
        }]);
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        await _eg.DeliverAsync();

        var received = Assert.Single(_eg.Receiver.Received);
        Assert.Equal("secret-1", received.Headers["X-Key"]);
        Assert.Equal("ping", received.Text);
    }

    [Fact]
    public async Task PutEvents_Limits_AndBadInput_AnswerEgCodes_AndAcceptNothing()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget()]);
        var put = $"/channels/{channel}/events";

        var many = await _eg.SendAsync(HttpMethod.Post, put, new { events = Enumerable.Range(0, 21).Select(i => EgDataPlaneFixture.Event($"e-{i}")).ToArray() });
        Assert.Equal(HttpStatusCode.BadRequest, many.Status);
        Assert.Equal(21, many.Body!["failed_count"]!.GetValue<int>());
        Assert.All(many.Body["events"]!.AsArray(), e => Assert.Equal("00533013", e!["error_code"]!.GetValue<string>()));

        var big = await _eg.SendAsync(HttpMethod.Post, put, new { events = new[] { EgDataPlaneFixture.Event("small"), EgDataPlaneFixture.Event("big", data: new { pad = new string('x', 70_000) }) } });
        Assert.Equal(HttpStatusCode.BadRequest, big.Status);
        Assert.Null(big.Body!["events"]![0]!["error_code"]);
        Assert.Equal("00533012", big.Body["events"]![1]!["error_code"]!.GetValue<string>());

        var total = await _eg.SendAsync(HttpMethod.Post, put, new { events = Enumerable.Range(0, 5).Select(i => EgDataPlaneFixture.Event($"t-{i}", data: new { pad = new string('x', 60_000) })).ToArray() });
        Assert.Equal(HttpStatusCode.BadRequest, total.Status);
        Assert.Equal("00533007", total.Body!["error_code"]!.GetValue<string>());
        Assert.NotNull(total.Body["error_detail"]);

        AssertError(await _eg.SendAsync(HttpMethod.Post, put, "{\"events\":[]}"), HttpStatusCode.BadRequest, "EG.00513000", "events is required");
        AssertError(await _eg.SendAsync(HttpMethod.Post, put, "not json"), HttpStatusCode.BadRequest, "EG.00513000", "not a JSON object");
        AssertError(await _eg.SendAsync(HttpMethod.Post, "/channels/nope/events", new { events = new[] { EgDataPlaneFixture.Event("x") } }), HttpStatusCode.NotFound, "EG.00014040", "nope");

        var mixed = await _eg.PutAsync(channel,
            new { id = "a", source = "shop", specversion = "one", type = "t" },
            new { id = "b", source = "shop", specversion = "1.0", type = "t", time = "yesterday" },
            new { id = "c", source = "shop", specversion = "1.0", type = "t", datacontenttype = "text/plain" },
            new { source = "shop", specversion = "1.0", type = "t" },
            new { id = "ok", source = "shop", specversion = "1.0", type = "t", data_schema = "https://schema", time = (string?)null });
        Assert.Equal(4, mixed["failed_count"]!.GetValue<int>());
        Assert.Contains("specversion", mixed["events"]![0]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("RFC 3339", mixed["events"]![1]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("application/json", mixed["events"]![2]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("lacks id", mixed["events"]![3]!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);

        // Only the one valid event of the last request was accepted and delivered, with dataschema spelled as CloudEvents does.
        Assert.Equal(1, await _eg.DeliverAsync());
        var delivered = JsonNode.Parse(Assert.Single(_eg.Receiver.Received).Text)!;
        Assert.Equal("ok", delivered["id"]!.GetValue<string>());
        Assert.Equal("https://schema", delivered["dataschema"]!.GetValue<string>());
    }

    [Fact]
    public async Task CheckPutEvents_AndOfficialEvents()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        var check = await _eg.OkAsync(HttpMethod.Post, "/events/check", new { sources = new[] { new { channel_id = channel, source_name = "shop" }, new { channel_id = channel, source_name = "other" } } });
        Assert.Equal(1, check["failed_count"]!.GetValue<int>());
        Assert.True(check["sources"]![0]!["check_result"]!.GetValue<bool>());
        Assert.False(check["sources"]![1]!["check_result"]!.GetValue<bool>());

        var official = await _eg.OkAsync(HttpMethod.Post, "/official/sources/HC.OBS/events", new { events = new[] { EgDataPlaneFixture.Event("o-1", source: "HC.OBS"), EgDataPlaneFixture.Event("o-2", source: "HC.SMN") } });
        Assert.Equal(1, official["failed_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task DefaultConnection_IsFoundByName_AsTerraformLooksItUp_AndCannotBeChanged()
    {
        var found = await _eg.OkAsync(HttpMethod.Get, "/connections?name=default");
        var builtIn = found["items"]!.AsArray().Single()!;
        Assert.Equal("default", builtIn["name"]!.GetValue<string>());
        Assert.Equal("WEBHOOK", builtIn["type"]!.GetValue<string>());
        var id = builtIn["id"]!.GetValue<string>();
        Assert.Equal(id, (await _eg.OkAsync(HttpMethod.Get, $"/connections/{id}"))["id"]!.GetValue<string>());
        AssertError(await _eg.SendAsync(HttpMethod.Delete, $"/connections/{id}"), HttpStatusCode.BadRequest, "EG.00513000", "built in");

        // A webhook target may name it: it means the public network.
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [new { name = "HTTPS", provider_type = "CUSTOM", connection_id = id, detail = new { url = _eg.Receiver.Url + "/d" }, transform = new { type = "ORIGINAL" } }]);
        await _eg.PutAsync(channel, EgDataPlaneFixture.Event("e-1"));
        Assert.Equal(1, await _eg.DeliverAsync());
        Assert.Single(_eg.Receiver.Received);
    }

    [Fact]
    public async Task ListQuotas_ReportsQuotaAndUse_PerType()
    {
        var channel = await _eg.ChannelAsync();
        await _eg.SourceAsync(channel);
        await _eg.SubscriptionAsync(channel, "shop", [_eg.WebhookTarget("/a"), _eg.WebhookTarget("/b")]);

        var all = (await _eg.OkAsync(HttpMethod.Get, "/quotas"))["quotas"]!["resources"]!.AsArray().ToDictionary(r => r!["type"]!.GetValue<string>());
        Assert.Equal(2, all["CHANNEL"]!["quota"]!.GetValue<int>());
        Assert.Equal(1, all["CHANNEL"]!["used"]!.GetValue<int>());
        Assert.Equal(1, all["SOURCE"]!["used"]!.GetValue<int>());
        Assert.Equal(1, all["SUBSCRIPTION"]!["used"]!.GetValue<int>());
        Assert.Equal(5, all["SUBSCRIPTION_TARGET"]!["quota"]!.GetValue<int>());
        Assert.Equal(2, all["SUBSCRIPTION_TARGET"]!["used"]!.GetValue<int>());

        var one = (await _eg.OkAsync(HttpMethod.Get, "/quotas?type=SOURCE"))["quotas"]!["resources"]!.AsArray();
        Assert.Equal("SOURCE", Assert.Single(one)!["type"]!.GetValue<string>());
        Assert.Empty((await _eg.OkAsync(HttpMethod.Get, "/quotas?type=SCHEMA"))["quotas"]!["resources"]!.AsArray());
        AssertError(await _eg.SendAsync(HttpMethod.Get, "/quotas?type=bad!"), HttpStatusCode.BadRequest, "EG.00513000", "type must be");
    }

    private static string Subscription(string channel, params object[] targets) => System.Text.Json.JsonSerializer.Serialize(new
    {
        name = "s",
        channel_id = channel,
        sources = new[] { new { name = "shop", provider_type = "CUSTOM", filter = new { source = new[] { new { op = "StringIn", values = new[] { "shop" } } } } } },
        targets,
    });
}
